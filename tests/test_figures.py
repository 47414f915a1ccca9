"""Figures: parametrised sentences (written for these tests) -> expected (category, value, qualifier)."""
import pytest

from timeline.extract.figures import find_figures, parse_number


def figs(text):
    return [(f.category, f.value, f.qualifier) for f in find_figures(text)]


@pytest.mark.parametrize("text, expected", [
    ("A drone strike on Sumy late on Tuesday wounded at least 19 people, the governor said.",
     [("injured", 19, "at_least")]),
    ("The air force said Moscow sent 298 drones and 69 missiles against Ukraine overnight.",
     [("drones", 298, "exact"), ("missiles", 69, "exact")]),
    ("A woman was killed when a glide bomb hit a house in Kostiantynivka.", [("killed", 1, "exact")]),
    ("Three people died and thirteen others were hurt in the Odesa strike.",
     [("killed", 3, "exact"), ("injured", 13, "exact")]),
    ("Shelling killed two and wounded 13 others in Kherson.", [("killed", 2, "exact"), ("injured", 13, "exact")]),
    ("Six people, including a child, were injured in Smila.", [("injured", 6, "exact")]),
    ("Four people including a teenager were hurt when debris fell in Zhytomyr.", [("injured", 4, "exact")]),
    ("Shelling wounded five people in Kherson and two more in Bilozerka.", [("injured", 5, "exact"), ("injured", 2, "exact")]),
    ("Nineteen people are now known to have died in the strike on Sumy.", [("killed", 19, "exact")]),
    ("At least 11 people are believed to have been killed in Dnipro.", [("killed", 11, "at_least")]),
    ("Russia fired 728 Shahed-type and decoy drones, along with seven Kh-101 cruise missiles and six Kinzhal "
     "ballistic missiles.", [("drones", 728, "exact"), ("missiles", 13, "exact")]),
    ("Russia launched 84 drones and one Iskander-M ballistic missile.", [("drones", 84, "exact"), ("missiles", 1, "exact")]),
    ("A Ukrainian F-16 pilot, Lt Col Maksym Ustymenko, was killed in the attack.", [("killed", 1, "exact")]),
    ("Two firefighters were injured when a second drone hit the site.", [("injured", 2, "exact")]),
    ("The general staff counted 158 combat clashes along the front on Saturday.",
     [("combat_clashes", 158, "exact")]),
    ("Kyiv said more than 1,200 casualties were inflicted on Russian units.", [("casualties", 1200, "more_than")]),
    ("Air defences shot down 266 of the 298 drones.", [("drones_downed", 266, "exact"), ("drones", 298, "exact")]),
    ("Russia launched 112 drones overnight and 70 were shot down.",
     [("drones", 112, "exact"), ("drones_downed", 70, "exact")]),
    ("Eight out of 10 drones were downed over the capital.",
     [("drones_downed", 8, "exact"), ("drones", 10, "exact")]),
    ("Ukraine and Russia each freed 390 prisoners on Friday.", [("prisoners", 390, "exact")]),
    ("The suspect faces up to eight years in prison.", [("prison_years", 8, "up_to")]),
    ("Canada pledged $275m for drones.", [("usd", 275_000_000, "exact")]),
    ("Nearly 600 residents were evacuated from the frontline town.", [("evacuated", 600, "nearly")]),
    ("Police detained some 40 people at the rally.", [("detained", 40, "about")]),
    ("Twenty-five people died in the strike on the city centre.", [("killed", 25, "exact")]),
    ("The death toll in Kyiv has risen to 28.", [("killed", 28, "exact")]),
    ("Rescuers found another body, raising the death toll in Dnipro to 12.", [("killed", 12, "exact")]),
    ("The second strike brought the toll to at least 14.", [("killed", 14, "at_least")]),
])
def test_counts(text, expected):
    assert figs(text) == expected


@pytest.mark.parametrize("text", [
    "Among the injured was a 12-year-old boy.",
    "EU ministers adopted the 17th sanctions package.",
    "The defenders held out for 86 days.",
    "Trump described a 180-degree shift in policy after a two-hour call.",
    "The siren sounded at 04:30 and lasted until 2025.",
    "Turnout was 34% in the region.",
    "Today is day 1,188 of the full-scale invasion.",
    "The G7 wants a price cap of $45 per barrel.",
    "Thousands and thousands of soldiers have died.",
    "The driver, who was 60, was taken to hospital.",
])
def test_never_counts(text):
    assert figs(text) == []


@pytest.mark.parametrize("text, expected", [
    ("Drones struck the plant in Izhevsk on July 1, killing three people.", [("killed", 3, "exact")]),
    ("A glide bomb hit the village on Sept. 9, killing at least 21.", [("killed", 21, "at_least")]),
])
def test_the_day_of_a_date_is_not_a_count(text, expected):
    assert figs(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The pilot, Lieutenant Colonel Maksym Ustymenko, died when his jet was damaged.", [("killed", 1, "exact")]),
    ("A man was killed in Kherson.", [("killed", 1, "exact")]),
    # only an opening "The" introduces the person; one inside the sentence refers back to a count
    ("Two men were injured and the man later died.", [("injured", 2, "exact")]),
    ("A drone crashed into a flat and killed a retired teacher.", [("killed", 1, "exact")]),
    # a name given between the person and the verb
    ("The man, identified only as Andriy S, was detained at the border.", [("detained", 1, "exact")]),
])
def test_one_person_named_by_a_singular_noun(text, expected):
    assert figs(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("A young man and his brother were killed in a drone strike on Kherson.", [("killed", 2, "exact")]),
    ("The blast injured a woman and her son.", [("injured", 2, "exact")]),
    ("A woman and her child were killed.", [("killed", 2, "exact")]),   # "her child" is not counted again
    # "the" inside a sentence counts only when a second person follows it
    ("A bridge gave way under a freight train, injuring the driver and his assistant.", [("injured", 2, "exact")]),
    ("A woman was injured and her son was taken to hospital.", [("injured", 1, "exact")]),
    ("A young woman and her two-month-old son were killed.", [("killed", 2, "exact")]),
    # a relative named on their own, with a casualty verb, is one more person
    ("The drone hit a car, killing a 61-year-old man and injuring his wife.",
     [("killed", 1, "exact"), ("injured", 1, "exact")]),
    ("A man was killed and his daughter was wounded.", [("killed", 1, "exact"), ("injured", 1, "exact")]),
    ("The president and his wife laid flowers.", []),
])
def test_a_person_and_a_companion_are_two(text, expected):
    assert figs(text) == expected


@pytest.mark.parametrize("text, expected", [
    # "over" ends the verb here; it is not "more than"
    ("Each side is expected to hand over 303 more people on Sunday.", [("prisoners", 303, "exact")]),
    ("Russia handed back 84 soldiers.", [("prisoners", 84, "exact")]),
    ("Air defences shot down over 40 drones.", [("drones_downed", 40, "more_than")]),
    # a count per side is a swap; the soldiers and civilians after it break it down
    ("The first stage saw 390 people from each side, 270 soldiers and 120 civilians, return home.",
     [("prisoners", 390, "exact")]),
])
def test_prisoners_handed_over_and_counted_per_side(text, expected):
    assert figs(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Russia attacked with 52 drones overnight, 29 of which were shot down or jammed.",
     [("drones", 52, "exact"), ("drones_downed", 29, "exact")]),
    ("Russia fired 10 missiles; six of them were intercepted.",
     [("missiles", 10, "exact"), ("missiles_downed", 6, "exact")]),
    ("Russia fired seven missiles, three of which hit Kyiv.", [("missiles", 7, "exact")]),  # hit, not downed
])
def test_the_part_downed_of_which_or_of_them(text, expected):
    assert figs(text) == expected


def test_a_part_of_a_count_made_elsewhere_is_no_launch_count():
    assert figs("The ministry said 12 of the drones had been heading towards Moscow.") == []
    assert figs("Air defences shot down six of the missiles and 245 of the drones.") == [
        ("missiles_downed", 6, "exact"), ("drones_downed", 245, "exact")]


def test_claimed_the_life_of_counts_the_dead():
    assert figs("The barrage claimed the life of an F-16 pilot.") == [("killed", 1, "exact")]
    assert figs("The strike claimed the lives of 12 people.") == [("killed", 12, "exact")]


def test_subset_after_including_is_not_a_second_count():
    assert figs("The strike injured 15 people, including three children.") == [("injured", 15, "exact")]


def test_offsets_point_into_the_item_text():
    item = "Intro sentence. Four people were injured in Nikopol."
    base = item.index("Four")
    (fig,) = find_figures(item[base:], base=base)
    assert item[fig.char_start:fig.char_end] == fig.text == "Four people"


@pytest.mark.parametrize("text, value", [
    ("1,000", 1000), ("1.5 million", 1_500_000), ("twenty-five", 25), ("two hundred", 200),
    ("a dozen", 12), ("three thousand", 3000), ("forty", 40),
])
def test_parse_number(text, value):
    assert parse_number(text) == value
