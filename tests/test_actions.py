"""Event types and modes from the trigger lexicon (sentences written for these tests)."""
import pytest

from timeline.extract.actions import find_trigger
from timeline.extract.sentences import mask_quotes


@pytest.mark.parametrize("text, cats, etype, mode", [
    ("Russian drones struck an apartment block in Odesa, wounding nine people.", {"injured"}, "ASSAULT", "drone"),
    ("Moscow fired 20 missiles and 315 drones at Ukraine overnight.", {"drones", "missiles"}, "ASSAULT", "aerial"),
    ("Artillery shelling of Kherson killed a man.", {"killed"}, "ASSAULT", "heavy-weapons"),
    ("Trump held a call with Putin that lasted more than an hour.", set(), "CONSULT", None),
    ("Zelensky condemned the attack on Kyiv.", set(), "ACCUSE", None),
    ("The EU adopted new sanctions against Russia's shadow fleet.", set(), "SANCTION", None),
    ("Polish prosecutors indicted a man accused of spying.", set(), "COERCE", "arrest"),
    ("Kallas urged Washington to act.", set(), "REQUEST", None),
    ("The Kremlin dismissed the proposal.", set(), "REJECT", None),
    ("Ukraine and the US signed a minerals agreement.", set(), "AGREE", None),
    ("The general staff reported 172 combat clashes.", {"combat_clashes"}, "ASSAULT", "firearms"),
    ("Russian troops have taken control of Toretsk, Moscow said.", set(), "ASSAULT", "firearms"),
    ("Russia claimed the capture of Chasiv Yar.", set(), "ASSAULT", "firearms"),
    ("The occupation chief said Moscow's troops had taken full control of the region.", set(), "ASSAULT", "firearms"),
    ("He told state television the whole region was now under Russian control.", set(), "ASSAULT", "firearms"),
    ("A Russian strike set fire to a warehouse in Drohobych.", set(), "ASSAULT", None),
    ("The commission will present a 20th package of sanctions next month.", set(), "THREATEN", None),
    ("Officials said a new sanctions package is being prepared.", set(), "THREATEN", None),
    ("Britain imposed sanctions on 20 more tankers.", set(), "SANCTION", None),
    ("Washington halted deliveries of some air defence missiles to Kyiv.", set(), "SANCTION", None),
    ("The US Treasury issued a temporary waiver easing some sanctions on Russia.", set(), "RETREAT", None),
    ("Washington lifted sanctions on the Belarusian airline.", set(), "RETREAT", None),
    ("Berlin pledged more weapons deliveries.", set(), "AID", None),
    ("Zelensky said his army needs more air defence systems.", set(), "REQUEST", None),
    ("Sybiha said Kyiv was still waiting for Moscow to send the memorandum it had promised.", set(), "REQUEST",
     None),
    ("Kallas said the attack on Sumy showed that Moscow wanted war rather than peace.", set(), "ACCUSE", None),
    ("Peskov insisted that Russia's armed forces struck only military and military-related targets.", set(),
     "REJECT", None),
    ("Macron and Putin spoke by telephone on Tuesday for the first time in nearly three years.", set(), "CONSULT",
     None),
    ("Trump and Putin held a nearly three-hour meeting in Anchorage.", set(), "CONSULT", None),
    ("The Nordic leaders said they stand firmly with Ukraine.", set(), "SUPPORT", None),
    ("He said Moscow would have to respond to the raid on its airfields.", set(), "THREATEN", None),
    ("Trump said Putin was senselessly killing people.", set(), "ACCUSE", None),
])
def test_event_types(text, cats, etype, mode):
    trig = find_trigger(text, cats)
    assert (trig.event_type, trig.event_mode) == (etype, mode)


def test_weak_trigger_needs_a_weapon():
    # "hit" is figurative here: no weapon and no casualty figures, so the sanctions decide.
    assert find_trigger("Kallas wants to hit Russia with more sanctions.").event_type == "SANCTION"


@pytest.mark.parametrize("text", [
    "Trump acknowledged that no deal had been reached.",
    "Kyiv and Moscow parted without any agreement.",
])
def test_a_negated_agreement_is_not_an_event(text):
    assert find_trigger(text) is None


def test_negation_does_not_hide_an_attack_or_a_later_trigger():
    assert find_trigger("No one was hurt when drones struck a depot.").event_type == "ASSAULT"
    assert find_trigger("There was no deal on Monday, but the sides signed a deal on Tuesday.").event_type == "AGREE"


@pytest.mark.parametrize("text", [
    "She said ministers would talk about stepping up military aid for Kyiv.",
    "The final communique is expected to note the leaders’ support for a ceasefire.",
    "The Vatican remained ready to host talks between the two sides.",
    "The three men will be sentenced at a later date.",
    "Macron is assembling a reassurance force that could deploy to Ukraine once a truce holds.",
    "The mayor suggested that Ukraine might need to cede land to end the war.",
    "It is up to Kyiv and Moscow to come to an agreement, the vice-president said.",
    "Ukraine has to treat every drone as a threat until it is identified.",
])
def test_a_forecast_or_an_offer_is_not_yet_an_event(text):
    assert find_trigger(text) is None


def test_a_forecast_does_not_hide_an_attack_a_threat_or_a_later_event():
    assert find_trigger("Officials said more strikes were expected to follow after drones hit Odesa.",
                        {"drones"}).event_type == "ASSAULT"
    assert find_trigger("Brussels said it would be ready to adopt new sanctions.").event_type == "THREATEN"
    assert find_trigger("The ministers were expected to attend, and they signed a deal on Friday.").event_type == "AGREE"
    assert find_trigger("In May Ukraine signed a minerals deal with the US.").event_type == "AGREE"  # the month


def test_a_country_s_whole_war_is_no_battle():
    assert find_trigger("The mayor spoke of the toll of its battle against Russia.") is None
    assert find_trigger("Battles raged near Pokrovsk on Monday.").event_type == "ASSAULT"


@pytest.mark.parametrize("text, event_type", [
    ("The foreign minister warned that Moscow was stalling to win more ground.", "ACCUSE"),
    ("Zelensky warned Putin is buying time to continue the war.", "ACCUSE"),
    ("Kallas warned that Europe would respond harder if the bombing went on.", "THREATEN"),
    ("The Kremlin warned of retaliation.", "THREATEN"),
    ("Rubio said that either there would be a breakthrough soon or Trump would have to decide how much time "
     "to give the talks.", "THREATEN"),
])
def test_a_warning_about_what_someone_does_is_an_accusation_about_what_will_follow_a_threat(text, event_type):
    assert find_trigger(text).event_type == event_type


@pytest.mark.parametrize("text", [
    "Kyiv called the attack barbaric.",
    "Zelensky called the strike a terrorist act.",
    "The ministry branded the raid “terrorism”.",
])
def test_calling_an_act_a_crime_accuses(text):
    assert find_trigger(mask_quotes(text)).event_type == "ACCUSE"


def test_commentary_is_not_an_event():
    assert find_trigger("Much of the commentary was overblown, writes our correspondent.") is None


def test_violent_figures_make_an_assault_whatever_comes_first():
    trig = find_trigger("Zelensky condemned the strike that killed 28 people in Kyiv.", {"killed"})
    assert trig.event_type == "ASSAULT"
    assert trig.acled_event_type is None or trig.acled_event_type.startswith("Explosions")
