"""The extraction combiner: one sentence in, one mention with its fields out (sentences written for these tests)."""
import itertools
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from timeline.extract import mention
from timeline.extract.mention import extract_item
from timeline.extract.sentences import mask_quotes, split_sentences
from timeline.models import Item
from timeline.pipeline import read_items


def item(text, published=datetime(2025, 6, 1, 9, tzinfo=timezone.utc)):
    return Item(item_id="it", source="page.txt", url=None, outlet=None, published=published,
                item_time=None, position=0, headline=None, text=text)


def one(text, **kw):
    (m,) = extract_item(item(text, **kw))
    return m


def test_strike_on_a_city():
    m = one("Russian drones struck Odesa overnight, killing one person and injuring 17, "
            "according to regional governor Oleh Kiper.")
    assert (m.event_type, m.event_mode, m.actor_country) == ("ASSAULT", "drone", "RUS")
    assert (m.location, m.admin1, m.country, m.geo_precision) == ("Odesa", "Odesa Oblast", "UA", 1)
    assert m.figure_values() == {"killed": 1, "injured": 17}
    assert m.claimed_by == "Oleh Kiper" and m.target_country == "UKR"
    assert m.event_date == date(2025, 6, 1) and m.date_window == 1


def test_shoot_down_claim_is_the_attack_by_the_other_side():
    m = one("Russia's defence ministry said its air defences destroyed 40 Ukrainian drones over the Bryansk region.")
    assert (m.actor_country, m.claimed_by, m.location, m.country) == ("UKR", "Russia's defence ministry",
                                                                       "Bryansk Oblast", "RU")
    assert m.figure_values() == {"drones_downed": 40}
    assert m.acled_sub_event_type == "Disrupted weapons use"


def test_nationwide_tally_without_a_place_is_in_the_attacked_country():
    m = one("Russia launched 472 drones and seven missiles at Ukraine overnight, the air force said.")
    assert (m.location, m.geo_precision, m.actor, m.target_country) == ("Ukraine", 3, "Russia", "UKR")
    assert m.figure_values() == {"drones": 472, "missiles": 7}


def test_shoot_down_tally_with_jamming():
    m = one("Air defences shot down 199 drones and 36 missiles, while 169 drones were lost to electronic jamming.")
    assert m.figure_values() == {"drones_downed": 199, "missiles_downed": 36}
    assert m.country == "UA"


def test_town_outside_the_named_region_is_dropped_for_the_region():
    m = one("The governor of Russia's Irkutsk region says a drone attack targeted a unit near the Belaya air base.")
    assert (m.location, m.country) == ("Irkutsk Oblast", "RU")


def test_statement_is_not_an_assault_and_has_no_country_place():
    m = one("UK foreign secretary David Lammy criticised Vladimir Putin over the war in Ukraine.")
    assert (m.event_type, m.actor, m.actor_country, m.target_country) == ("ACCUSE", "David Lammy", "GBR", "RUS")
    assert m.location is None


def test_capital_as_government_is_an_actor_not_a_place():
    m = one("The EU imposed new sanctions to raise the pressure on Moscow.")
    assert m.event_type == "SANCTION" and m.location is None and m.target_country == "RUS"


def test_reported_source_at_the_end_is_the_claimant_not_the_actor():
    m = one("He said Russia had used more than 440 drones and 32 missiles against Ukrainian cities.")
    assert (m.actor_country, m.location) == ("RUS", "Ukraine")


def test_quotation_does_not_type_the_sentence():
    assert extract_item(item("“We will strike back hard,” a spokesman told reporters.")) == []


@pytest.mark.parametrize("text, when, precision", [
    ("A Russian strike on Kharkiv late yesterday injured 46 people.", date(2025, 5, 31), "day"),
    ("Russian shelling killed two people in Kherson last month.", date(2025, 5, 1), "month"),
])
def test_dates_are_read_from_the_sentence(text, when, precision):
    m = one(text)
    assert (m.event_date, m.date_precision, m.date_explicit) == (when, precision, True)


def test_offsets_point_into_the_item():
    text = "Intro without events here. Two people were killed in Sumy on Tuesday."
    (m,) = extract_item(item(text))
    assert text[m.char_start:m.char_end] == m.sentence
    (fig,) = m.figures
    assert text[fig.char_start:fig.char_end] == "Two people"


def test_when_clause_after_since_dates_the_event():
    m = one("It was the deadliest attack on Odesa since 2 March, when a Russian drone strike killed 14 people.")
    assert (m.event_date, m.figure_values()) == (date(2025, 3, 2), {"killed": 14})


def test_passive_sentence_names_the_target_not_the_attacker():
    m = one("The building that houses Ukraine's Cabinet of Ministers in Kyiv was hit during the bombardment.")
    assert m.actor_country == "RUS" and m.location == "Kyiv"


def test_the_speaker_of_an_accusation_is_its_actor():
    m = one("Prime Minister Sir Keir Starmer says Putin is killing children and civilians.")
    assert (m.event_type, m.actor_country, m.target_country) == ("ACCUSE", "GBR", "RUS")


def test_one_count_over_several_regions_is_located_in_the_country():
    m = one("Russia's defence ministry said 95 Ukrainian drones were destroyed over the Bryansk, Kursk and "
            "Belgorod regions.")
    assert (m.location, m.country, m.actor_country) == ("Russia", "RU", "UKR")


def test_attacks_in_two_places_in_one_sentence_are_two_mentions():
    text = "Four people died in the Khmelnytskyi region, and one person was killed in Mykolaiv, officials said."
    a, b = extract_item(item(text))
    assert (a.location, a.figure_values(), b.location, b.figure_values()) == (
        "Khmelnytskyi Oblast", {"killed": 4}, "Mykolaiv", {"killed": 1})
    assert a.sentence == b.sentence == text and a.mention_id != b.mention_id


def test_the_side_of_a_killed_pilot_is_the_target_not_the_attacker():
    m = one("A Ukrainian F-16 pilot was killed while repelling the overnight Russian attack, the air force said.")
    assert (m.actor_country, m.target_country, m.location) == ("RUS", "UKR", "Ukraine")
    assert m.figure_values() == {"killed": 1}


def test_the_subject_of_an_in_which_clause_is_the_attacker_not_a_place():
    m = one("Sunday's record attack, in which Russia fired 477 drones and 60 missiles, hit the west hardest.")
    assert (m.actor_country, m.location, m.country) == ("RUS", "Ukraine", "UA")
    assert m.figure_values() == {"drones": 477, "missiles": 60}


def test_a_ministry_claiming_its_own_strike_names_its_side_as_the_attacker():
    m = one("Russia's defence ministry said its forces had carried out a massive strike overnight "
            "on Ukrainian military airfields.")
    assert (m.event_type, m.actor_country, m.target_country, m.location) == ("ASSAULT", "RUS", "UKR", "Ukraine")
    assert m.claimed_by == "Russia's defence ministry"


def test_scrambling_jets_is_the_scrambling_side_mobilising_not_the_attack_it_answers():
    m = one("Poland scrambled its own and allied aircraft overnight as Russia launched strikes on western Ukraine.")
    assert (m.event_type, m.actor_country, m.target_country) == ("MOBILIZE", "POL", None)


def test_an_attack_on_the_country_with_the_capital_the_main_target_is_nationwide():
    m = one("Russia carried out one of its biggest air attacks on Ukraine overnight, with the capital, Kyiv, "
            "the main target.")
    assert (m.location, m.geo_precision, m.actor_country) == ("Ukraine", 3, "RUS")


def test_tally_fired_at_the_city_stays_in_the_posts_town():
    first, second = extract_item(item(
        "Lutsk endured its heaviest Russian attack of the war, its mayor said. "
        "Some 40 drones and four missiles were fired at the city and nearby villages, the governor said."))
    assert (first.location, second.location) == ("Lutsk", "Lutsk")
    assert second.figure_values() == {"drones": 40, "missiles": 4}


def test_a_nationwide_tally_after_a_town_stays_in_the_country():
    first, second = extract_item(item(
        "A Russian drone hit a school in Lutsk, the mayor said. "
        "Russia launched 80 drones at Ukraine overnight, the air force said."))
    assert (first.location, second.location) == ("Lutsk", "Ukraine")


def test_an_attack_a_day_after_another_dates_the_earlier_one_a_day_before():
    main, earlier = extract_item(item(
        "Russia fired 90 drones at Ukraine overnight, a day after its heaviest missile attack on Kyiv this year."))
    assert (main.event_date, main.figure_values()) == (date(2025, 6, 1), {"drones": 90})
    assert (earlier.event_date, earlier.location, earlier.date_explicit) == (date(2025, 5, 31), "Kyiv", True)
    assert earlier.char_start > main.char_end and earlier.sentence == main.sentence


def test_a_sentence_reporting_only_the_earlier_attack_gives_that_attack():
    (m,) = extract_item(item("Our coverage resumes a day after Russia's largest air attack of the war."))
    assert (m.event_type, m.event_date) == ("ASSAULT", date(2025, 5, 31))


def test_an_exchange_a_day_after_the_last_stage_gives_both_stages():
    main, earlier = extract_item(item(
        "The two sides swapped 307 prisoners each, a day after 390 prisoners from each side were freed."))
    assert (main.event_date, main.figure_values()) == (date(2025, 6, 1), {"prisoners": 307})
    assert (earlier.event_type, earlier.event_date, earlier.figure_values()) == (
        "AGREE", date(2025, 5, 31), {"prisoners": 390})


def test_a_package_days_after_the_last_one_gives_both_packages():
    later, earlier = extract_item(item(
        "Kaja Kallas said the bloc was already working on an 18th sanctions package, days after the 17th "
        "package was adopted on Tuesday, 20 May."))
    assert (later.event_type, later.event_date, later.actor_country, later.target_country) == (
        "THREATEN", date(2025, 6, 1), "EU", "RUS")
    assert (earlier.event_type, earlier.event_date, earlier.actor_country, earlier.target_country) == (
        "SANCTION", date(2025, 5, 20), "EU", "RUS")


def test_an_exchange_a_day_after_talks_is_one_event():
    (m,) = extract_item(item("Russia and Ukraine swapped 84 prisoners of war a day after talks in Istanbul."))
    assert (m.event_type, m.event_date) == ("AGREE", date(2025, 6, 1))


def test_a_tally_compared_with_the_day_before_gives_the_day_befores_tally_too():
    text = "The general staff reported 165 combat clashes on Saturday, compared with 162 the day before."
    today, before = extract_item(item(text))
    assert (today.event_date, today.figure_values()) == (date(2025, 5, 31), {"combat_clashes": 165})
    assert (before.event_date, before.figure_values()) == (date(2025, 5, 30), {"combat_clashes": 162})
    assert text[before.char_start:before.char_end] == "compared with 162 the day before"
    assert before.mention_id != today.mention_id and before.sentence == text


def test_a_summons_after_a_measure_gives_the_measure_its_own_mention():
    text = ("Ukraine's Foreign Ministry summoned the acting US envoy in Kyiv on Wednesday after Washington "
            "paused deliveries of some weapons to Ukraine.")
    summons, pause = extract_item(item(text))
    assert (summons.event_type, summons.actor_country, summons.event_date) == ("ACCUSE", "UKR", date(2025, 5, 28))
    assert (pause.event_type, pause.actor_country, pause.target_country) == ("SANCTION", "USA", "UKR")
    assert (pause.event_date, pause.date_explicit, pause.date_window) == (date(2025, 5, 28), False, 1)
    assert text[pause.char_start:].startswith("after Washington paused")


def test_after_a_meeting_is_background():
    (m,) = extract_item(item("Zelensky thanked Denmark after Frederiksen visited Kyiv."))
    assert m.event_type != "SANCTION"


def test_two_attacks_of_two_dates_in_one_sentence_are_two_mentions():
    previous, record = extract_item(item(
        "The previous night, Russia had sent 84 drones and a ballistic missile, and on May 29 it fired a record "
        "477 drones and 60 missiles."))
    assert (previous.event_date, previous.figure_values()) == (date(2025, 5, 31), {"drones": 84})
    assert (record.event_date, record.figure_values()) == (date(2025, 5, 29), {"drones": 477, "missiles": 60})


def test_aid_along_with_sanctions_is_two_events():
    aid, sanctions = extract_item(item(
        "Carney announced new military aid for Ukraine, along with fresh Canadian sanctions on Russian vessels."))
    assert (aid.event_type, aid.actor_country, aid.target_country) == ("AID", "CAN", "UKR")
    assert (sanctions.event_type, sanctions.actor_country, sanctions.target_country) == ("SANCTION", "CAN", "RUS")


@pytest.mark.parametrize("text, donor", [
    ("Shipments of some US weapons to Ukraine have resumed, two US officials told Reuters.", "USA"),
    ("Deliveries of German air defence systems to Ukraine will speed up.", "DEU"),
])
def test_the_country_of_the_weapons_gives_them_and_the_one_after_to_receives(text, donor):
    (m,) = extract_item(item(text))
    assert (m.event_type, m.actor_country, m.target_country) == ("AID", donor, "UKR")


def test_two_actors_measures_in_one_sentence_are_two_events_of_the_package_just_dated():
    adopted, eu, uk = extract_item(item(
        "Brussels adopted its 17th sanctions package against Moscow on Tuesday.\n"
        "The EU package targets almost 200 tankers of the shadow fleet, while the UK announced 100 new sanctions.",
        published=datetime(2025, 5, 25, 9, tzinfo=timezone.utc)))
    assert adopted.event_date == date(2025, 5, 20)
    assert (eu.event_type, eu.actor_country, eu.target_country, eu.event_date) == (
        "SANCTION", "EU", "RUS", date(2025, 5, 20))
    assert (uk.event_type, uk.actor_country, uk.event_date) == ("SANCTION", "GBR", date(2025, 5, 20))


def test_a_reason_now_that_something_happened_this_year_does_not_date_the_event():
    (m,) = extract_item(item("Britain imposed sanctions on Russian oil traders, which matters more now that "
                             "prices have fallen this year."))
    assert (m.event_type, m.event_date, m.date_precision) == ("SANCTION", date(2025, 6, 1), "day")


def test_a_call_and_what_its_actor_urged_in_it_are_one_event_the_call():
    (m,) = extract_item(item("Emmanuel Macron spoke by telephone with Vladimir Putin on Tuesday and urged him "
                             "to agree to a ceasefire in Ukraine, the French presidency said."))
    assert (m.event_type, m.actor_country, m.target_country) == ("CONSULT", "FRA", "RUS")


def test_a_call_and_another_speakers_words_are_two_events():
    call, accusation = extract_item(item("Merz spoke with Zelensky on Monday, while the Kremlin accused "
                                         "Berlin of prolonging the war."))
    assert (call.event_type, accusation.event_type, accusation.actor_country) == ("CONSULT", "ACCUSE", "RUS")


def test_a_second_thing_said_with_and_that_is_its_own_event():
    call, threat = extract_item(item("Trump said he held a phone call with Vladimir Putin on Wednesday and that "
                                     "the Russian leader told him Moscow would have to respond to Ukraine's attack."))
    assert (call.event_type, call.actor_country, call.target_country) == ("CONSULT", "USA", "RUS")
    assert (threat.event_type, threat.actor_country, threat.target_country) == ("THREATEN", "RUS", "UKR")


def test_thanks_and_what_the_speaker_keeps_pressing_for_are_two_events():
    thanks, push = extract_item(item("Zelensky thanked the negotiators and said Ukraine would keep pressing for "
                                     "an “all for all” exchange of prisoners."))
    assert (thanks.event_type, push.event_type, push.actor_country) == ("SUPPORT", "REQUEST", "UKR")


def test_a_leading_concession_does_not_type_the_sentence_and_the_act_it_grants_is_its_own_event():
    text = ("Von der Leyen said that even though Europe has just adopted its 17th package of "
            "sanctions on Russia, an 18th package is being prepared.")
    news, granted = extract_item(item(text))
    assert (news.event_type, news.actor_country, news.target_country) == ("THREATEN", "EU", "RUS")
    assert text[news.char_start:news.char_end] == "an 18th package is being prepared."
    assert (granted.event_type, granted.actor_country, granted.target_country) == ("SANCTION", "EU", "RUS")
    assert text[granted.char_start:granted.char_end] == "Europe has just adopted its 17th package of sanctions on Russia"
    assert granted.event_date == news.event_date
    (m,) = extract_item(item("Although officials played it down, a drone hit a fuel depot in Bryansk."))
    assert m.event_type == "ASSAULT"
    # "though" as an aside concedes nothing
    (m,) = extract_item(item("Russia, though, said it had struck Kyiv with 40 drones overnight."))
    assert (m.event_type, m.location, m.figure_values()) == ("ASSAULT", "Kyiv", {"drones": 40})


def test_what_others_urged_after_a_comma_with_is_its_own_event_by_the_capital_s_government():
    text = ("Trump said he is weighing what to do after Britain and the EU moved ahead with new Russia sanctions, "
            "with leaders in Brussels urging Washington to follow suit.")
    measure, urged = extract_item(item(text))
    assert (measure.event_type, measure.actor_country, measure.target_country) == ("SANCTION", "EU", "RUS")
    assert (urged.event_type, urged.actor_country, urged.target_country, urged.location) == (
        "REQUEST", "EU", "USA", None)


@pytest.mark.parametrize("text, event_type", [
    ("Zelensky expressed gratitude for the latest EU sanctions against Russia.", "SUPPORT"),
    ("He added: “Ursula and I also discussed preparations for the EU’s 18th sanctions package.”", "THREATEN"),
])
def test_thanks_for_sanctions_and_preparing_a_package_are_not_the_package(text, event_type):
    (m,) = extract_item(item(text))
    assert m.event_type == event_type


def test_a_quotation_a_bare_title_speaks_is_the_previous_speakers():
    _, quote = extract_item(item("Britain imposed sanctions on 20 shadow fleet ships. “Putin has shown he has no "
                                 "interest in peace, so we will keep raising the cost of his war,” the prime minister said."))
    assert (quote.event_type, quote.actor_country) == ("ACCUSE", "GBR")


def test_a_comment_participle_speaks_of_the_sentence_s_subject():
    (m,) = extract_item(item("Russia has started building its first road bridge to North Korea, signalling "
                             "deepening ties with its ally."))
    assert (m.event_type, m.actor_country, m.target_country) == ("COOPERATE", "RUS", "PRK")


def test_the_speaker_named_after_a_quotation_speaks_it_and_their_title_is_no_target():
    (m,) = extract_item(item("“The longer it plays games, the harder we will respond,” said Kaja Kallas, the "
                             "EU’s foreign policy chief."))
    assert (m.event_type, m.actor_country, m.target_country) == ("THREATEN", "EU", None)


def test_a_day_after_a_summit_is_background():
    (m,) = extract_item(item("Zelensky spoke to Macron by phone a day after the summit in Alaska."))
    assert m.event_type == "CONSULT" and m.event_date == date(2025, 6, 1)


def test_figures_in_that_attack_take_the_attacks_date():
    first, second = extract_item(item(
        "Russia struck Kyiv with 9 ballistic missiles and 200 drones on Saturday, the mayor said. "
        "Air defences downed four of the missiles and 190 of the drones in that attack."))
    assert first.event_date == second.event_date == date(2025, 5, 31)
    assert second.location == "Kyiv"   # the tally of that attack, not a nationwide one
    assert second.figure_values() == {"missiles_downed": 4, "drones_downed": 190}


def test_a_clause_without_figures_of_a_violent_sentence_is_an_attack_of_its_own():
    depot, town = extract_item(item(
        "Saturday's attack also set fire to a fuel depot in Stryi in Lviv Oblast and injured four people "
        "in the city of Uman."))
    assert (depot.location, depot.figure_values()) == ("Stryi", {})
    assert (town.location, town.figure_values()) == ("Uman", {"injured": 4})


@pytest.mark.parametrize("text, expected", [
    ("Russia's air defences destroyed 14 Ukrainian drones over the Bryansk region and nine over the Oryol region.",
     [("Bryansk Oblast", {"drones_downed": 14}), ("Oryol Oblast", {"drones_downed": 9})]),
    ("Russian shelling killed three people in Kherson and one in Nikopol.",
     [("Kherson", {"killed": 3}), ("Nikopol", {"killed": 1})]),
])
def test_an_elliptical_count_in_another_place_is_another_event(text, expected):
    assert [(m.location, m.figure_values()) for m in extract_item(item(text))] == expected


def test_a_breakdown_of_one_tally_stays_one_event_over_the_country():
    (m,) = extract_item(item("Russia's defence ministry said 45 Ukrainian drones were shot down over Russian "
                             "regions overnight, including 20 over the Bryansk region and 11 over the Oryol region."))
    assert (m.location, m.figure_values()) == ("Russia", {"drones_downed": 45})


@pytest.mark.parametrize("text, actor, target", [
    ("Russia imposed sanctions on 21 British officials.", "RUS", "GBR"),
    ("The EU is already drafting a 19th sanctions package.", "EU", "RUS"),
    # a measure a state takes with a bloc is the bloc's, whichever is named first or speaks
    ("Britain and the EU tightened sanctions on Russia's shadow fleet.", "EU", "RUS"),
    ("The EU and Britain tightened sanctions on Russia's shadow fleet.", "EU", "RUS"),
    ("Canada and the EU said they would lower the oil price cap on Russian crude.", "EU", "RUS"),
    ("The EU and Britain said they would also work to lower the oil price cap.", "EU", "RUS"),
    # not a meeting of the pair: the first named meets the other
    ("Ukraine and the EU held talks in Brussels on Tuesday.", "UKR", "EU"),
    # a prisoner exchange: the side named first acts, the other is the target; none named is UKR and RUS
    ("Ukraine and Russia exchanged 270 prisoners of war each.", "UKR", "RUS"),
    ("Russia and Ukraine swapped 84 prisoners of war on Thursday.", "RUS", "UKR"),
    ("On Friday the two sides swapped 390 prisoners each.", "UKR", "RUS"),
    ("The United States has paused some weapons deliveries to Ukraine, the Pentagon said.", "USA", "UKR"),
    # statements: "was not happy with" and "was killing" are not passives: their subject is no one's target
    ("Donald Trump told reporters he was not happy with Vladimir Putin.", "USA", "RUS"),
    ("Trump said the Russian leader was needlessly killing people.", "USA", "RUS"),
    # a passive still names its object as subject: "Trump has been urged ..." is not Trump's request
    ("Donald Trump has been urged by Kaja Kallas to pressure Russia.", "EU", "USA"),
    # a reporter's question is no request: the answer, typed by what was asked, is the one who answers'
    ("Asked by reporters at the White House whether he was ready to move to a second phase of sanctions "
     "against Russia, Donald Trump replied that he was.", "USA", "RUS"),
    # "was ready to" is an adjective, not a passive
    ("Trump said he was ready to impose new sanctions on Russia.", "USA", "RUS"),
    # the speaker's own state ("he was horrified by ...") is no passive: what it is about is the target
    ("Keir Starmer said he was horrified by Russia's appalling attack on civilians in Sumy.", "GBR", "RUS"),
    # an attack condemned with no attacker named: the enemy side in this war
    ("Friedrich Merz described the strike as a serious war crime in a television interview.", "DEU", "RUS"),
    ("Volodymyr Zelensky condemned the strike as savage.", "UKR", "RUS"),
    ("Russia's foreign ministry condemned the attack as terrorism.", "RUS", "UKR"),
    # "he and Merz": the speaker is one of the pair, and acts with the other
    ("Zelensky said he and Friedrich Merz are coordinating their steps after a phone call.", "UKR", "DEU"),
    # a call of a pair: the first named acts, the other is the target
    ("French President Emmanuel Macron and Russian President Vladimir Putin spoke by phone on Tuesday.",
     "FRA", "RUS"),
    # the speaker before an appositive, not the country in their title
    ("Keith Kellogg, the White House envoy for Ukraine, wrote that the strike had crossed any line of decency.",
     "USA", "RUS"),
])
def test_actor_and_target_of_sanctions_swaps_and_statements(text, actor, target):
    m = one(text)
    assert (m.actor_country, m.target_country) == (actor, target)


@pytest.mark.parametrize("text, actor", [
    ("Zelensky is at the G7 summit in Canada, where he is expected to meet Donald Trump.", "UKR"),
    ("Outside the Kremlin, Putin's aide said Moscow rejected the plan.", "RUS"),
])
def test_a_venue_is_not_an_actor(text, actor):
    assert one(text).actor_country == actor


@pytest.mark.parametrize("text, event_type", [
    ("Asked whether he was considering new sanctions on Russia, the US president said yes.", "THREATEN"),
    ("Asked by reporters at the White House whether he was ready to move to a second phase of sanctions "
     "against Russia, Donald Trump replied that he was.", "THREATEN"),
    ("Zelensky asked Trump for more Patriot air defence systems.", "REQUEST"),
])
def test_a_question_put_to_a_leader_is_not_a_request(text, event_type):
    assert one(text).event_type == event_type


@pytest.mark.parametrize("text, location", [
    ("Lithuania scrambled fighter jets as Russian drones flew near its border, its army said.", "Lithuania"),
    ("Romanian prosecutors charged two men with spying for Moscow.", "Romania"),
    ("The occupation chief of Zaporizhzhia said Russian troops had taken full control of the region.",
     "Zaporizhzhia Oblast"),
    ("Moscow claims all of Luhansk", "Luhansk Oblast"),
    ("Moscow claims full control of the Kherson region", "Kherson Oblast"),
    ("The occupation head of Luhansk said the region had been fully captured by Russian troops.", "Luhansk Oblast"),
    ("Officials in Krasnodar said a Ukrainian drone strike set fire to the Afipsky refinery.", "Afipskiy"),
    ("Russian forces struck Sumy overnight, the mayor said.", "Sumy"),
])
def test_where_it_happened(text, location):
    assert one(text).location == location


def test_a_quotation_a_pronoun_speaks_is_the_previous_speakers():
    first, second = extract_item(item(
        "Zelensky said the size of the overnight attack showed Moscow felt no pressure to stop the war. "
        "“Each night like this shows the Kremlin fears nothing,” he said."))
    assert (second.event_type, second.actor_country, second.target_country) == ("ACCUSE", "UKR", "RUS")


def test_the_two_leaders_are_both_sides_of_the_previous_event():
    first, second = extract_item(item(
        "Trump and Putin held a three-hour meeting in Anchorage on Friday. "
        "Afterwards the two leaders spoke to reporters about progress."))
    assert (second.event_type, second.actor_country, second.target_country) == ("CONSULT", "USA", "RUS")


def test_an_in_which_clause_counting_the_attack_and_a_main_clause_counting_its_dead_are_two_reports():
    attack, death = extract_item(item(
        "Sunday's record attack, in which Russia fired 477 drones and 60 missiles, also claimed the life "
        "of an F-16 pilot."))
    assert attack.figure_values() == {"drones": 477, "missiles": 60} and death.figure_values() == {"killed": 1}
    assert attack.event_date == death.event_date == date(2025, 6, 1)   # "Sunday's", the page being Sunday's
    assert death.char_start > attack.char_start and attack.mention_id != death.mention_id


def test_the_side_whose_assaults_were_repelled_attacked():
    m = one("Near Pokrovsk, Ukrainian forces repelled 58 Russian assaults, the general staff said.")
    assert (m.actor_country, m.target_country) == ("RUS", "UKR")


def test_a_person_whose_city_was_struck_is_not_the_attacker():
    m = one("Earlier this month, a Russian missile slammed into a residential area of Kryvyi Rih, "
            "Mr Zelensky's home city, killing 20 people.")
    assert (m.actor_country, m.location) == ("RUS", "Kryvyi Rih")


def test_she_after_a_reported_attack_is_the_one_who_reported_it():
    attack, accusation = extract_item(item(
        "Ursula von der Leyen says the EU delegation building in Kyiv was damaged by a nearby missile strike. "
        "She accuses Moscow of stopping at nothing to terrorise Ukrainians."))
    assert (accusation.event_type, accusation.actor_country, accusation.target_country) == ("ACCUSE", "EU", "RUS")


def test_a_european_leader_acts_for_their_country():
    m = one("Frederiksen pledged to increase Danish military support for Ukraine.")
    assert (m.event_type, m.actor, m.actor_country) == ("AID", "Mette Frederiksen", "DNK")


def test_a_place_named_as_the_border_of_another_is_not_where_it_happened():
    m = one("Russia's defence ministry said its tank units had reached the western border of the Donetsk region "
            "and were advancing into Ukraine's Dnipropetrovsk region.")
    assert m.location == "Dnipropetrovsk Oblast"
    alone = one("Russian troops advanced to the border of the Dnipropetrovsk region, Moscow claimed.")
    assert alone.location == "Dnipropetrovsk Oblast"   # when it is the only place named, it stays


def test_a_statement_is_placed_where_it_was_made_not_where_the_attack_it_speaks_of_was():
    m = one("Arriving for a meeting of EU foreign ministers in Luxembourg on Monday, the bloc's foreign policy "
            "chief Kaja Kallas said the attack on Sumy showed that Moscow wanted war.")
    assert (m.event_type, m.actor_country, m.location, m.country) == ("ACCUSE", "EU", "Luxembourg", "LU")
    about = one("Kallas said the attack on Sumy showed that Moscow wanted war.")
    assert about.location is None


def test_a_past_arrest_and_todays_charge_in_one_sentence_are_two_events():
    first, arrest, charge = extract_item(item(
        "Lithuanian prosecutors said on Sunday they had charged a man with spying on an air base for Russia. "
        "The man, named only as Tomas V, was detained in March 2024 after a joint investigation with "
        "Latvian police, and faces up to 10 years in prison."))
    assert (first.event_type, first.actor_country, first.event_date) == ("COERCE", "LTU", date(2025, 6, 1))
    assert (arrest.event_date, arrest.date_precision) == (date(2024, 3, 1), "month")
    assert arrest.figure_values() == {"detained": 1}
    assert (charge.event_date, charge.date_explicit) == (date(2025, 6, 1), False)
    assert charge.figure_values() == {"prison_years": 10}
    # "The man" is the one just charged: the same prosecutors, in their own country
    assert {(m.actor_country, m.location) for m in (arrest, charge)} == {("LTU", "Lithuania")}


def test_an_undated_clause_after_a_recent_act_is_not_split_off():
    (m,) = extract_item(item("Estonian police detained a man on Friday and charged him with arson."))
    assert m.event_type == "COERCE" and m.event_date == date(2025, 5, 30)


def test_where_and_when_an_earlier_agreement_was_made_is_not_where_todays_news_happened():
    m = one("Kyiv and Moscow went ahead with the last day of the prisoner exchange agreed at the talks in "
            "Istanbul on 16 May.")
    assert m.event_type == "AGREE"
    assert (m.event_date, m.location) == (date(2025, 6, 1), None)


def test_a_clause_after_a_comma_and_after_reads_after():
    it = item("On Saturday, each side freed 307 people, after 390 prisoners from each side were swapped on Friday.")
    sat, fri = extract_item(it)
    assert (sat.event_date, fri.event_date) == (date(2025, 5, 31), date(2025, 5, 30))
    assert it.text[fri.char_start:fri.char_end].startswith("after 390 prisoners")


def test_a_list_of_bases_with_names_the_gazetteer_lacks_is_placed_in_the_country():
    m = one("Ukraine's security service says a third of Russia's long-range bombers were hit at the Belaya, "
            "Olenya, Dyagilevo and Ivanovo bases.")
    assert (m.location, m.geo_precision, m.country) == ("Russia", 3, "RU")
    assert m.actor_country == "UKR"


def test_a_governor_of_russias_region_reporting_a_drone_attack_is_not_the_attacker():
    first, then = extract_item(item(
        "Andrei Example, the governor of Russia's Irkutsk region, says a drone attack has hit a military unit "
        "in the village of Sredny. He says the drones were launched from a lorry parked nearby."))
    assert (first.actor_country, first.target_country) == ("UKR", "RUS")
    assert (first.location, first.admin1, first.geo_precision) == ("Sredny", "Irkutsk Oblast", 2)
    # the next sentence names no place: it takes the attack's place, and its sides with it
    assert (then.location, then.actor_country, then.target_country) == ("Sredny", "UKR", "RUS")


def test_a_label_and_an_arrest_in_one_sentence_are_two_events_and_the_quote_stays_with_its_clause():
    it = item("The ministry calls the raid a “terrorist act” and says several suspects have been detained.")
    label, arrest = extract_item(it)
    assert (label.event_type, arrest.event_type) == ("ACCUSE", "COERCE")
    assert it.text[label.char_start:label.char_end] == "The ministry calls the raid a “terrorist act”"


def test_a_build_up_by_a_side_of_this_war_is_against_the_other_and_a_neighbour_s_is_against_no_one():
    (m,) = extract_item(item("Zelensky said Russia was building up forces near the northern border."))
    assert (m.event_type, m.actor_country, m.target_country) == ("MOBILIZE", "RUS", "UKR")
    (m,) = extract_item(item("Poland scrambled its jets as Russia struck western Ukraine."))
    assert (m.event_type, m.actor_country, m.target_country) == ("MOBILIZE", "POL", None)


def test_the_country_after_a_town_is_where_not_who():
    (m,) = extract_item(item("On July 3, Zelensky travelled to Aarhus, Denmark, where he met Prime Minister "
                             "Mette Frederiksen."))
    assert (m.event_type, m.actor_country, m.target_country, m.location) == ("CONSULT", "UKR", "DNK", "Aarhus")


def test_whom_a_request_is_made_of_is_not_in_the_reason_given():
    (m,) = extract_item(item("Zelensky urged allies to send more Patriot systems, saying Moscow had no intention "
                             "of stopping the war."))
    assert (m.event_type, m.actor_country, m.target_country) == ("REQUEST", "UKR", None)
    (m,) = extract_item(item("Zelensky urged Washington to send more Patriot systems, saying Moscow had no "
                             "intention of stopping the war."))
    assert m.target_country == "USA"


def test_what_is_done_already_is_not_dated_days_ahead_by_the_meeting_it_is_for():
    sat = datetime(2025, 8, 16, 9, tzinfo=timezone.utc)
    m = one("Zelensky said he had accepted an invitation from Trump to meet him in Washington on Monday, 18 August.",
            published=sat)
    assert (m.event_type, m.event_date, m.date_explicit) == ("AGREE", date(2025, 8, 16), False)
    m = one("Zelensky accepted an invitation from Trump on Friday.", published=sat)
    assert (m.event_date, m.date_explicit) == (date(2025, 8, 15), True)


def test_what_a_call_discussed_is_no_party_to_it():
    (m,) = extract_item(item("The two leaders also discussed the conflict between Israel and Iran, both sides said."))
    assert (m.event_type, m.actor_country, m.target_country) == ("CONSULT", None, None)
    (m,) = extract_item(item("Macron spoke with Putin about the war in Ukraine."))
    assert (m.actor_country, m.target_country) == ("FRA", "RUS")


def test_insisting_on_something_is_a_request_but_insisting_on_a_day_is_not():
    (m,) = extract_item(item("Zelensky insisted on a full ceasefire before any talks."))
    assert m.event_type == "REQUEST"
    (m,) = extract_item(item("Kremlin spokesman Dmitry Peskov insisted on Monday that Russia's forces struck only "
                             "military targets."))
    assert m.event_type != "REQUEST"


def test_what_one_side_asked_after_the_call_is_asked_of_the_other_on_the_calls_day():
    call, asked, blamed = extract_item(item(
        "On July 1, French President Emmanuel Macron spoke with Russian President Vladimir Putin by phone. "
        "The Elysee said Macron insisted on a ceasefire as soon as possible, while the Kremlin said Putin "
        "blamed the war on Western policies.", published=datetime(2025, 7, 2, 21, tzinfo=timezone.utc)))
    assert (call.event_type, call.event_date.isoformat()) == ("CONSULT", "2025-07-01")
    assert (asked.event_type, asked.actor_country, asked.target_country, asked.event_date) == (
        "REQUEST", "FRA", "RUS", call.event_date)
    assert blamed.event_type == "ACCUSE" and blamed.event_date != call.event_date


@pytest.mark.parametrize("text, expected", [
    # as many things as regions listed: one in each, in the list's order
    ("Overnight, Russia attacked Ukraine with hundreds of drones, while in Russia two bridges collapsed onto "
     "trains in the border regions of Bryansk and Kursk.",
     [("Ukraine", "Overnight, Russia attacked Ukraine with hundreds of drones"),
      ("Bryansk Oblast", "in Russia two bridges collapsed onto trains in the border regions of Bryansk"),
      ("Kursk Oblast", "Kursk.")]),
    ("Ukrainian drones hit three oil depots in the Bryansk, Kursk and Oryol regions.",
     [("Bryansk Oblast", "Ukrainian drones hit three oil depots in the Bryansk"), ("Kursk Oblast", "Kursk"),
      ("Oryol Oblast", "Oryol regions.")]),
    # a count that is not the number of regions, or a tally of weapons, stays one event over the country
    ("Ukrainian drones hit two oil depots in the Bryansk, Kursk and Oryol regions.",
     [("Russia", "Ukrainian drones hit two oil depots in the Bryansk, Kursk and Oryol regions.")]),
    ("Russia said it destroyed two drones over the Bryansk and Kursk regions.",
     [("Russia", "Russia said it destroyed two drones over the Bryansk and Kursk regions.")]),
])
def test_as_many_things_as_regions_listed_are_one_event_in_each(text, expected):
    it = item(text)
    assert [(m.location, it.text[m.char_start:m.char_end]) for m in extract_item(it)] == expected


def test_the_day_after_cue_lets_through_every_sentence_the_pattern_matches():
    """_day_after reads a sentence only where "after" and "day" or "week" are: over every sentence of our
    pages and the seeds, and every phrase the pattern is made of in three cases, none it skips matches."""
    root = Path(__file__).resolve().parents[1]
    pages = [root / "data" / "raw", root / "tests" / "gold" / "pages", root.parent / "shared" / "seeds"]
    items, _ = read_items([p for p in pages if p.exists()])
    texts = [s.text for item in items for s in split_sentences(item.text)]
    heads = ["a day", "one day", "two days", "three days", "the day", "days", "weeks", "several days",
             "a few weeks", "several weeks"]
    for head, gap, case in itertools.product(heads, [" ", "  ", "\n"], [str, str.upper, str.title]):
        texts += [case(f"It came,{gap}{head}{gap}after{gap}the strike"), case(f"x {head} after y")]
    matched = [t for t in texts if mention.DAY_AFTER.search(mask_quotes(t))]
    assert len(matched) > 50
    assert [t for t in matched if not mention._may_say_day_after(t)] == []
    assert not mention._may_say_day_after("Shortly after the strike, officials said")
