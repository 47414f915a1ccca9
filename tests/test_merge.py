"""Merge: blocking, nesting, windows and figures on hand-made mention rows."""
from datetime import date, datetime, timezone

import pandas as pd

from timeline import merge, schema

UTC = timezone.utc


def mention(mid, sentence, **kw):
    row = {c: None for c in schema.table("mentions").names}
    row.update(mention_id=mid, item_id="i" + mid, source=kw.pop("source", "a.txt"), sentence=sentence,
               char_start=0, char_end=len(sentence), event_type="ASSAULT", event_date=date(2025, 5, 25),
               date_precision="day", reported=datetime(2025, 5, 25, 8, tzinfo=UTC),
               _explicit=True, _window=0, _position=0)
    row.update(kw)
    return row


KYIV = dict(location="Kyiv", admin1="Kyiv", country="UA", geo_precision=1, latitude=50.45, longitude=30.52)
ODESA = dict(location="Odesa", admin1="Odesa Oblast", country="UA", geo_precision=1, latitude=46.48, longitude=30.74)
RUSSIA = dict(location="Russia", admin1=None, country="RU", geo_precision=3, latitude=61.5, longitude=105.3)
UKRAINE = dict(location="Ukraine", admin1=None, country="UA", geo_precision=3, latitude=49.0, longitude=32.0)
ZHYTOMYR_OBLAST = dict(location="Zhytomyr Oblast", admin1="Zhytomyr Oblast", country="UA", geo_precision=2,
                       latitude=50.5, longitude=28.6)
KOROSTYSHIV = dict(location="Korostyshiv", admin1="Zhytomyr Oblast", country="UA", geo_precision=1,
                   latitude=50.3, longitude=29.1)


def frame(rows):
    df = pd.DataFrame(rows)
    for cat in schema.figure_categories():
        df[cat] = df[cat].astype("Int64")
    return df


def run(rows, previous=None):
    merged = merge.merge_mentions(frame(rows), previous)
    return merged.events, merged.event_of


def test_same_strike_in_summary_and_item_is_one_event():
    events, ids = run([
        mention("1", "A Russian strike on Kyiv injured 11 people overnight.", injured=11, actor_country="RUS", **KYIV),
        mention("2", "Eleven people were hurt in Kyiv, the city's military administration said.", injured=11,
                _explicit=False, **KYIV),
    ])
    assert len(events) == 1 and ids.nunique() == 1
    assert events.loc[0, "n_mentions"] == 2 and events.loc[0, "injured"] == 11


def test_same_day_different_towns_are_two_events():
    events, _ = run([
        mention("1", "Two people were killed in Kyiv.", killed=2, **KYIV),
        mention("2", "Two people were killed in Odesa.", killed=2, **ODESA),
    ])
    assert sorted(events["location"]) == ["Kyiv", "Odesa"]


def test_town_nests_in_its_region_and_takes_the_precise_place():
    events, _ = run([
        mention("1", "Three children were killed in the Zhytomyr region.", killed=3, **ZHYTOMYR_OBLAST),
        mention("2", "The children died in a village near Korostyshiv, officials said.", killed=3, **KOROSTYSHIV),
    ])
    assert len(events) == 1 and events.loc[0, "location"] == "Korostyshiv" and events.loc[0, "geo_precision"] == 1


def test_two_nights_with_similar_numbers_stay_apart():
    events, _ = run([
        mention("1", "Russia launched 355 drones overnight.", drones=355, **UKRAINE),
        mention("2", "Russia launched 355 drones overnight into Tuesday.", drones=355,
                event_date=date(2025, 5, 27), reported=datetime(2025, 5, 27, 8, tzinfo=UTC), **UKRAINE),
    ])
    assert len(events) == 2


def test_near_identical_daily_tallies_of_two_days_stay_apart():
    day1, day2 = date(2025, 7, 1), date(2025, 7, 2)
    events, _ = run([
        mention("1", "In Zhytomyr Oblast, Russian attacks killed two civilians and injured six others.",
                killed=2, injured=6, event_date=day1, **ZHYTOMYR_OBLAST),
        mention("2", "In Zhytomyr Oblast, Russian attacks killed two civilians and injured five others.",
                killed=2, injured=5, event_date=day2, reported=datetime(2025, 7, 2, 8, tzinfo=UTC),
                **ZHYTOMYR_OBLAST),
    ])
    assert len(events) == 2


def test_more_downed_than_launched_is_not_the_same_attack():
    events, _ = run([
        mention("1", "Ukraine said 117 of its drones took part in the operation.", drones=117, actor_country="UKR",
                **RUSSIA),
        mention("2", "Russia's defence ministry said it destroyed 162 Ukrainian drones overnight.",
                drones_downed=162, actor_country="UKR", **RUSSIA),
    ])
    assert len(events) == 2


def test_a_country_level_toll_and_a_launch_tally_are_two_events():
    events, _ = run([
        mention("1", "A missile strike on a training ground killed 12 soldiers.", killed=12, **UKRAINE),
        mention("2", "Russia launched 472 drones and seven missiles at Ukraine.", drones=472, missiles=7, **UKRAINE),
    ])
    assert len(events) == 2


def _two_events_and(report: str):
    """A night's launch tally and a pilot's death (two events), then `report`, with no figures."""
    return run([
        mention("1", "Russia fired 477 drones and 60 missiles at Ukraine, its largest air attack.",
                drones=477, missiles=60, **UKRAINE),
        mention("2", "A pilot was killed fighting off the attack, the air force said.", killed=1, **UKRAINE),
        mention("3", report, char_start=5, **UKRAINE),
    ])


def test_a_report_without_figures_joins_the_event_it_resembles_not_the_newest():
    events, ids = _two_events_and("The largest air attack of the war hit Ukraine's west.")
    assert len(events) == 2 and ids[2] == ids[0]


def test_a_report_that_resembles_two_events_alike_joins_the_newest():
    events, ids = _two_events_and("Sirens sounded for hours.")
    assert len(events) == 2 and ids[2] == ids[1] != ids[0]


def test_nationwide_launch_and_downed_counts_land_on_one_event():
    events, _ = run([
        mention("1", "Russia launched 298 drones and 69 missiles at Ukraine overnight.", drones=298, missiles=69,
                **UKRAINE),
        mention("2", "Air defences shot down 266 drones and 45 missiles, the air force said.",
                drones_downed=266, missiles_downed=45, **UKRAINE),
    ])
    assert len(events) == 1
    row = events.iloc[0]
    assert (row.drones, row.missiles, row.drones_downed, row.missiles_downed) == (298, 69, 266, 45)


def test_latest_report_wins_a_revised_toll():
    events, _ = run([
        mention("1", "At least 14 people were killed in Kyiv.", killed=14,
                reported=datetime(2025, 6, 17, 6, tzinfo=UTC), event_date=date(2025, 6, 17), **KYIV),
        mention("2", "The death toll in Kyiv has risen to 28.", killed=28,
                reported=datetime(2025, 6, 17, 18, tzinfo=UTC), event_date=date(2025, 6, 17), **KYIV),
    ])
    assert len(events) == 1 and events.loc[0, "killed"] == 28


def test_undated_report_joins_an_explicitly_dated_one_the_day_before():
    events, _ = run([
        mention("1", "Russia attacked Kharkiv late yesterday, injuring 46.", injured=46, _window=1,
                event_date=date(2025, 5, 2), **KYIV),
        mention("2", "The strike on the city injured 46 people.", injured=46, _explicit=False,
                event_date=date(2025, 5, 3), **KYIV),
    ])
    assert len(events) == 1 and events.loc[0, "event_date"] == date(2025, 5, 2)


def test_consultations_merge_on_the_same_pair_of_sides():
    a = dict(event_type="CONSULT", actor_country="USA", target_country="RUS", event_date=date(2025, 5, 19))
    events, _ = run([
        mention("1", "Trump spoke with Putin for two hours.", **a),
        mention("2", "Putin and Trump discussed a memorandum on their call.", **a),
        mention("3", "Zelensky spoke with Merz.", event_type="CONSULT", actor_country="UKR",
                target_country="DEU", event_date=date(2025, 5, 19)),
    ])
    assert len(events) == 2


def test_a_report_naming_one_side_does_not_bridge_two_calls():
    day = dict(event_type="CONSULT", event_date=date(2025, 8, 16))
    events, ids = run([
        mention("1", "Trump and Putin met in Anchorage.", actor_country="USA", target_country="RUS", **day),
        mention("2", "Trump rated the meeting a 10 out of 10.", actor_country="USA", **day),
        mention("3", "Putin called the talks useful.", actor_country="RUS", **day),
        mention("4", "Trump spoke with Zelensky by phone for an hour.", actor_country="USA", target_country="UKR",
                **day),
    ])
    assert len(events) == 2
    assert ids[0] == ids[1] == ids[2] != ids[3]


def test_ids_are_stable_and_independent_of_input_order():
    rows = [mention("1", "Two people were killed in Kyiv.", killed=2, **KYIV),
            mention("2", "Two people were killed in Odesa.", killed=2, **ODESA)]
    first, _ = run(rows)
    second, _ = run(list(reversed(rows)))
    assert sorted(first["event_id"]) == sorted(second["event_id"])


def test_sources_fall_back_to_file_names_when_some_pages_have_no_url():
    events, _ = run([
        mention("1", "Two people were killed in Kyiv.", killed=2, url="https://example.test/a", **KYIV),
        mention("2", "Two people were killed in Kyiv overnight.", killed=2, source="b.txt", url=None, **KYIV),
    ])
    assert events.loc[0, "sources"] == "b.txt;https://example.test/a"


def test_two_clauses_of_one_sentence_stay_two_events():
    sentence = "On Saturday, each side freed 307 people, after 390 prisoners were swapped on Friday."
    a = mention("1", sentence, event_type="AGREE", prisoners=307, event_date=date(2025, 5, 24), char_start=0)
    b = mention("2", sentence, event_type="AGREE", prisoners=390, event_date=date(2025, 5, 23), char_start=47)
    b["item_id"] = a["item_id"]
    events, _ = run([a, b])
    assert sorted(events["prisoners"]) == [307, 390]


def kyiv_strike_then_undated_report(first: tuple[str, int], then: tuple[str, int]) -> pd.DataFrame:
    """A dated strike on Kyiv on the 25th, then an undated report of injured in Kyiv on the 26th."""
    events, _ = run([
        mention("1", first[0], injured=first[1], actor_country="RUS", **KYIV),
        mention("2", then[0], injured=then[1], actor_country="RUS", event_date=date(2025, 5, 26),
                _explicit=False, reported=datetime(2025, 5, 26, 8, tzinfo=UTC), **KYIV),
    ])
    return events


def test_toll_revised_upwards_next_day_is_the_same_event():
    events = kyiv_strike_then_undated_report(
        ("A Russian missile strike on Kyiv injured 9 people on Saturday.", 9),
        ("The number of people hurt in the Kyiv strike has risen to 14.", 14))
    assert len(events) == 1 and events.loc[0, "injured"] == 14


def test_fewer_injured_in_an_undated_report_next_day_is_another_attack():
    # tolls are revised upwards: 9 hurt the day after a strike that hurt 14 is the next night's strike
    events = kyiv_strike_then_undated_report(
        ("A Russian missile strike on Kyiv injured 14 people on Saturday.", 14),
        ("Falling debris injured nine people in several districts of the capital.", 9))
    assert sorted(events["injured"]) == [9, 14]


def test_two_numbered_sanctions_packages_are_two_events():
    eu = dict(event_type="SANCTION", actor_country="EU", target_country="RUS")
    events, _ = run([
        mention("1", "The EU adopted its 17th sanctions package against Russia.", **eu),
        mention("2", "Brussels is already drafting an 18th package, the commission said.", **eu),
        mention("3", "The 17th package lists almost 200 more shadow fleet tankers.", **eu),
    ])
    assert len(events) == 2 and sorted(events["n_mentions"]) == [1, 2]


def test_an_event_takes_the_finest_explicit_date():
    eu = dict(event_type="SANCTION", actor_country="EU", target_country="RUS")
    events, _ = run([
        mention("1", "The EU tightened sanctions on Russia earlier this week.", event_date=date(2025, 5, 19),
                date_precision="week", _window=2, **eu),
        mention("2", "The bloc adopted the sanctions on Tuesday.", event_date=date(2025, 5, 20), **eu),
    ])
    assert len(events) == 1
    assert (events.loc[0, "event_date"], events.loc[0, "date_precision"]) == (date(2025, 5, 20), "day")


def test_one_speakers_statements_through_two_channels_are_two_events():
    trump = dict(event_type="ACCUSE", actor="Donald Trump", actor_country="USA", target_country="RUS")
    events, _ = run([
        mention("1", "Trump said he was not happy with Putin, telling reporters the Russian leader was killing "
                     "a lot of people.", item_id="a", **trump),
        mention("2", "Trump said in a post on Truth Social that Putin had gone absolutely crazy.", item_id="b",
                **trump),
        mention("3", "Trump said Putin was killing people needlessly.", item_id="c", **trump),
    ])
    # the remarks and the post stay apart; the report that names no channel joins one of them
    assert len(events) == 2 and sorted(events["n_mentions"]) == [1, 2]


def test_a_speakers_undated_words_on_two_days_are_two_statements_unless_one_is_dated():
    kallas = dict(event_type="THREATEN", actor="Kaja Kallas", actor_country="EU", _explicit=False)
    undated = [
        mention("1", "The longer Russia plays games, the harder we will respond, said Kaja Kallas.", **kallas),
        mention("2", "Kallas said the bloc was already working on an 18th sanctions package.",
                **{**kallas, "event_date": date(2025, 5, 26), "reported": datetime(2025, 5, 26, 8, tzinfo=UTC)}),
    ]
    events, _ = run(undated)
    assert len(events) == 2
    undated[1].update(_explicit=True, event_date=date(2025, 5, 25))   # "on Sunday, Kallas said ...": that day
    events, _ = run(undated)
    assert len(events) == 1


BERDYCHIV = dict(location="Berdychiv", admin1="Zhytomyr Oblast", country="UA", geo_precision=1,
                 latitude=49.9, longitude=28.6)


def test_a_report_joins_an_event_through_any_of_its_places_not_only_the_first():
    # the event's first report is from Berdychiv, which does not nest with Korostyshiv; its second, from
    # the region, does: the Korostyshiv report is the same strike
    events, ids = run([
        mention("1", "A drone hit a warehouse in Berdychiv at dawn.", **BERDYCHIV),
        mention("2", "Drones attacked the Zhytomyr region overnight, the governor said.", **ZHYTOMYR_OBLAST),
        mention("3", "Firefighters worked through the morning near Korostyshiv.", **KOROSTYSHIV),
    ])
    assert len(events) == 1 and ids.nunique() == 1 and events.loc[0, "n_mentions"] == 3


def test_a_report_is_joined_through_a_row_whose_place_nests_not_a_near_identical_one_elsewhere():
    # the Korostyshiv report reads like the Berdychiv one, word for word but the town; it joins the strike
    # through the region's report, whose place nests with it, and says so: the Berdychiv row is no reason
    merged = merge.merge_mentions(frame([
        mention("1", "A drone hit a large grain warehouse in Berdychiv at dawn on Sunday.", **BERDYCHIV),
        mention("2", "Drones attacked the Zhytomyr region overnight, the governor said.", **ZHYTOMYR_OBLAST),
        mention("3", "A drone hit a large grain warehouse in Korostyshiv at dawn on Sunday.", **KOROSTYSHIV),
    ]))
    link = merged.links.set_index("mention_id").loc["3"]
    assert merged.event_of.nunique() == 1
    assert link["joined_to"] == "2" and link["reason"].startswith("same type ASSAULT")


def test_sentences_without_latin_words_compare_without_dividing_by_zero():
    events, ids = run([
        mention("1", "Вибухи у Києві.", **KYIV),
        mention("2", "Вибухи в Києві вночі.", **KYIV),
    ])
    assert len(events) == 1 and ids.nunique() == 1


def test_another_count_of_prisoners_on_another_day_is_another_stage_of_the_exchange():
    swap = dict(event_type="AGREE", actor_country="UKR", target_country="RUS")
    events, _ = run([
        mention("1", "On Saturday the two sides swapped 307 prisoners each.", prisoners=307,
                event_date=date(2025, 5, 24), **swap),
        mention("2", "Kyiv and Moscow went ahead with the last day of the exchange, each due to hand over "
                     "303 more people.", prisoners=303, _explicit=False, **swap),
    ])
    assert sorted(events["prisoners"]) == [303, 307]


def test_a_leaders_aide_is_another_speaker_than_the_leader():
    ukraine = dict(event_type="ACCUSE", actor_country="UKR", target_country="RUS")
    events, _ = run([
        mention("1", "Zelensky warned that Putin was playing for time.", actor="Volodymyr Zelensky", **ukraine),
        mention("2", "Zelensky's chief of staff warned that nothing had changed after the call.",
                actor="Volodymyr Zelensky’s chief of staff", **ukraine),
    ])
    assert len(events) == 2


def test_a_village_placed_by_its_region_nests_in_that_region_but_not_in_its_towns():
    rostov = dict(admin1="Rostov Oblast", country="RU", geo_precision=2, latitude=47.6, longitude=40.8)
    village = mention("1", "A drone killed a teacher in the village of Dolotinka.", killed=1, location="Dolotinka",
                      actor_country="UKR", **rostov)
    region = mention("2", "A drone killed a woman in Rostov Oblast.", killed=1, location="Rostov Oblast",
                     actor_country="UKR", **rostov)
    town = mention("3", "In Azov a drone strike damaged a roof.", location="Azov", admin1="Rostov Oblast", country="RU",
                   geo_precision=1, latitude=47.1, longitude=39.4, actor_country="UKR")
    events, _ = run([village, region])
    assert len(events) == 1 and events.loc[0, "location"] == "Dolotinka"
    events, _ = run([village, town])
    assert sorted(events["location"]) == ["Azov", "Dolotinka"]


def test_a_report_without_figures_follows_the_post_it_is_in_over_a_likelier_looking_event():
    attack = "Russia fired 477 drones and 60 missiles at Ukraine overnight, its largest air attack."
    events, ids = run([
        mention("1", attack, drones=477, missiles=60, **UKRAINE),
        mention("2", "An F-16 pilot was killed while fighting off the onslaught.", killed=1, item_id="post",
                char_start=0, **UKRAINE),
        # the words of the first report, but the post's previous sentence is about the pilot
        mention("3", "He had downed several of Russia's drones and missiles overnight before the jet was hit.",
                item_id="post", char_start=80, **UKRAINE),
        # another post: it goes to the event it resembles
        mention("4", "The largest air attack of the war fired drones and missiles at Ukraine.", _position=1,
                **UKRAINE),
    ])
    assert len(events) == 2
    assert ids[2] == ids[1] != ids[0] and ids[3] == ids[0]


def test_a_sentence_naming_two_packages_may_join_either():
    eu = dict(event_type="SANCTION", actor_country="EU", target_country="RUS")
    events, ids = run([
        mention("1", "The EU adopted its 17th sanctions package against Russia.", **eu),
        # the clause about the 17th package of a sentence that names the 18th first
        mention("2", "Kallas said the bloc was working on an 18th sanctions package, days after the 17th package "
                     "was adopted.", char_start=60, **eu),
    ])
    assert len(events) == 1


def test_what_one_side_urged_the_other_on_the_day_of_their_call_is_the_call():
    call = dict(event_type="CONSULT", actor_country="FRA", target_country="RUS")
    urged = dict(event_type="REQUEST", actor_country="FRA", target_country="RUS")
    events, ids = run([
        mention("1", "Macron and Putin spoke by phone on Tuesday for the first time in three years.", **call),
        mention("2", "The Elysee said Macron urged Putin to agree to a ceasefire as soon as possible.",
                _position=1, **urged),
        # the next day's request is not the call's
        mention("3", "Macron urged Putin again to agree to a ceasefire.", event_date=date(2025, 5, 27), **urged),
        # nor is what one side urges a third
        mention("4", "Macron urged Washington to keep up the pressure.", _position=2, **{**urged,
                                                                                        "target_country": "USA"}),
    ])
    assert len(events) == 3 and ids[1] == ids[0] and len({ids[0], ids[2], ids[3]}) == 3
    assert events.set_index("event_id").loc[ids[0], "event_type"] == "CONSULT"


def test_a_claim_of_villages_taken_is_apart_from_the_fighting_near_a_town_of_the_region():
    battle = dict(event_type="ASSAULT", acled_event_type="Battles", actor_country="RUS", target_country="UKR")
    donetsk = dict(location="Donetsk Oblast", admin1="Donetsk Oblast", country="UA", geo_precision=2)
    dobropillia = dict(location="Dobropillia", admin1="Donetsk Oblast", country="UA", geo_precision=1)
    events, ids = run([
        mention("1", "Russian troops kept up their assaults near the town of Dobropillia on Friday.", **battle,
                **dobropillia),
        mention("2", "Russia's defence ministry said its forces had captured two more villages in Donetsk Oblast.",
                _position=1, **battle, **donetsk),
        mention("3", "Moscow claimed the capture of two more villages in the Donetsk region.", source="b.txt",
                **battle, **donetsk),
    ])
    assert len(events) == 2 and ids[1] == ids[2] != ids[0]


def test_a_shoot_down_claim_reported_before_the_launch_tally_it_exceeds_stays_apart():
    ukr = dict(actor_country="UKR", target_country="RUS", **RUSSIA)
    at = lambda hour: datetime(2025, 6, 1, hour, tzinfo=UTC)   # noqa: E731
    events, ids = run([
        mention("1", "Ukraine says its drones hit dozens of Russian bombers at four air bases.", reported=at(8),
                **ukr),
        mention("2", "Russia's defence ministry says its air defences destroyed 162 Ukrainian drones overnight.",
                reported=at(10), drones_downed=162, **ukr),
        mention("3", "Zelensky says 117 drones took part in the strikes on the air bases.", reported=at(20),
                drones=117, **ukr),
    ])
    assert len(events) == 2 and ids[0] == ids[2] != ids[1]


def test_a_call_that_names_no_side_and_the_readout_after_it_are_the_pages_call():
    call = dict(event_type="CONSULT", actor_country="FRA", target_country="RUS", _position=3)
    paris = dict(source="paris.txt", item_id="p")
    events, ids = run([
        mention("1", "Macron and Putin spoke by phone on Tuesday for the first time in three years.", **call),
        # a key-events bullet of its own: "the two leaders" are the page's call
        mention("2", "The two leaders also discussed the conflict between Israel and Iran.", event_type="CONSULT",
                _position=4),
        # the paragraph after the call, undated (the page's date): what Macron asked in it
        mention("3", "The Elysee said Macron insisted on a ceasefire as soon as possible.", event_type="REQUEST",
                actor_country="FRA", event_date=date(2025, 5, 26), _explicit=False, _position=4),
        # another page's bullet naming no side has no call of its own to be part of
        mention("4", "The two leaders met again in the afternoon.", event_type="CONSULT", _position=1, **paris),
        # a request two paragraphs after the call is not its readout, nor is a dated one
        mention("5", "Macron insisted on more sanctions.", event_type="REQUEST", actor_country="FRA",
                event_date=date(2025, 5, 26), _explicit=False, _position=5),
        mention("6", "On Monday Macron insisted on more aid.", event_type="REQUEST", actor_country="FRA",
                event_date=date(2025, 5, 26), _position=4, source="a.txt", item_id="i6b"),
    ])
    assert ids[1] == ids[0] and ids[2] == ids[0]
    assert len({ids[0], ids[3], ids[4]}) == 3 and ids[5] != ids[0]
    assert events.set_index("event_id").loc[ids[0], "event_type"] == "CONSULT"


def test_a_country_level_report_joins_the_attack_naming_the_same_regions_over_a_likelier_looking_one():
    ukr = dict(actor_country="UKR", target_country="RUS", **RUSSIA)
    events, ids = run([
        mention("1", "Ukraine's security service says its drones hit bombers at the Belaya, Olenya and Ivanovo bases.",
                drones=117, **ukr),
        mention("2", "Russia's defence ministry says its air defences destroyed 162 Ukrainian drones overnight.",
                drones_downed=162, **ukr),
        # more words in common with the shoot-down claim, a region in common with the attack on the bases
        mention("3", "Russia's defence ministry confirmed that Ukrainian drones attacked airfields in the Murmansk, "
                     "Irkutsk and Ivanovo regions.", **ukr),
    ])
    assert ids[2] == ids[0] != ids[1]
