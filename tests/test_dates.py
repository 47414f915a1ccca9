"""Tests for timeline.extract.dates: the day an event happened, from news phrasing."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest

from timeline.extract import dates
from timeline.extract.dates import DateMatch, find_dates, resolve_date

KYIV_SUMMER = dt.timezone(dt.timedelta(hours=3))
LONDON_SUMMER = dt.timezone(dt.timedelta(hours=1))


def at(day: str, time: str = "09:00", tz: dt.tzinfo = LONDON_SUMMER) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=tz)


D = dt.date.fromisoformat

# (sentence, anchor date, expected date, precision, explicit)
CASES = [
    # today and its parts of the day
    ("Zelensky held an important call with the German chancellor today.", "2025-05-20", "2025-05-20", "day", True),
    ("The mayor said this morning that power had been restored.", "2025-05-20", "2025-05-20", "day", True),
    ("Air raid sirens sounded across Kyiv this afternoon.", "2025-05-20", "2025-05-20", "day", True),
    ("Leaders are to speak again tonight.", "2025-05-20", "2025-05-20", "day", True),
    ("Officials confirmed earlier today that a school was hit.", "2025-05-20", "2025-05-20", "day", True),
    ("EU ministers met in Brussels on Tuesday to discuss sanctions.", "2025-05-20", "2025-05-20", "day", True),
    # yesterday, last night
    ("Moscow sent a swarm of drones at Kharkiv late yesterday, wounding dozens.", "2025-05-03", "2025-05-02", "day", True),
    ("The two presidents spoke by phone yesterday.", "2025-05-20", "2025-05-19", "day", True),
    ("A fire broke out at the depot yesterday evening.", "2025-05-20", "2025-05-19", "day", True),
    ("Explosions were heard in Odesa last night.", "2025-05-20", "2025-05-19", "day", True),
    # nights
    ("Ukraine said it faced a barrage of drones and two missiles overnight.", "2025-05-25", "2025-05-25", "day", True),
    ("Air defences were active during the night over the capital.", "2025-05-25", "2025-05-25", "day", True),
    ("Russia struck the port overnight into Sunday.", "2025-05-26", "2025-05-25", "day", True),
    ("A warehouse burned after a strike on Saturday night.", "2025-05-25", "2025-05-24", "day", True),
    # weekdays
    ("The US president spoke with his Russian counterpart on Monday.", "2025-05-20", "2025-05-19", "day", True),
    ("Monday's call lasted longer than expected.", "2025-05-20", "2025-05-19", "day", True),
    ("The prime minister spoke on Wednesday at a ceremony near the border.", "2025-05-03", "2025-04-30", "day", True),
    ("Envoys arrived in Istanbul last Monday.", "2025-05-19", "2025-05-12", "day", True),
    ("Envoys arrived in Istanbul last Monday.", "2025-05-21", "2025-05-19", "day", True),
    ("Negotiators will meet again next Monday.", "2025-05-21", "2025-05-26", "day", True),
    ("Negotiators will meet on Friday in Geneva.", "2025-05-20", "2025-05-23", "day", True),
    ("Negotiators met on Friday in Geneva.", "2025-05-20", "2025-05-16", "day", True),
    # the day of what a relative clause tells, not of the news
    ("Sybiha said Kyiv was still waiting for Moscow to send the peace memorandum that Russian foreign minister "
     "Sergei Lavrov promised on Friday.", "2025-05-26", "2025-05-26", "day", False),
    ("Sybiha said that Russian foreign minister Sergei Lavrov promised on Friday to send a memorandum.",
     "2025-05-26", "2025-05-23", "day", True),
    # the future verb a long way before the day
    ("A delegation led by the defence minister will travel to Istanbul for a second round of direct talks with "
     "Russia on Monday.", "2025-06-01", "2025-06-02", "day", True),
    ("Leaders are due to meet in Rome on Friday.", "2025-05-20", "2025-05-23", "day", True),
    ("Trains were delayed due to shelling on Friday.", "2025-05-20", "2025-05-16", "day", True),
    ("Zelensky will travel to Rome, he said on Friday.", "2025-05-20", "2025-05-16", "day", True),
    ("The brigade withdrew on Thursday last week.", "2025-05-20", "2025-05-15", "day", True),
    ("The bridge was hit on Monday, 19 May, officials said.", "2025-05-21", "2025-05-19", "day", True),
    # n units ago
    ("The village was retaken two days ago.", "2025-05-20", "2025-05-18", "day", True),
    ("A ceasefire proposal was tabled a week ago.", "2025-05-20", "2025-05-12", "week", True),
    ("The brigade was redeployed three weeks ago.", "2025-05-20", "2025-04-28", "week", True),
    ("Talks collapsed two months ago.", "2025-05-20", "2025-03-01", "month", True),
    # weeks, months, years
    ("Drone attacks on the city intensified earlier this week.", "2025-05-22", "2025-05-19", "week", True),
    ("Kyiv was shelled heavily this week.", "2025-05-18", "2025-05-12", "week", True),
    ("Moscow rejected the plan last week.", "2025-05-20", "2025-05-12", "week", True),
    ("The mayor entered risky political territory last month.", "2025-05-03", "2025-04-01", "month", True),
    ("Exports fell sharply this month.", "2025-05-20", "2025-05-01", "month", True),
    ("Grain prices have fallen this year.", "2025-05-20", "2025-01-01", "year", True),
    ("The deal was first floated last year.", "2025-05-20", "2024-01-01", "year", True),
    ("Kyiv says it lost 1,000 troops over the past 24 hours.", "2025-05-20", "2025-05-20", "day", True),
    ("Some 40 clashes took place in the past day.", "2025-05-20", "2025-05-20", "day", True),
    # absolute dates
    ("Police detained the suspect on August 6 near the border.", "2025-08-10", "2025-08-06", "day", True),
    ("A fuel depot was struck on Nov. 28.", "2025-12-02", "2025-11-28", "day", True),
    ("The courier was seized on 16 May in Rzeszow.", "2025-05-25", "2025-05-16", "day", True),
    ("A trial opened on May 16, 2025 in Warsaw.", "2025-06-30", "2025-05-16", "day", True),
    ("The order was signed on 2025-05-16.", "2025-06-30", "2025-05-16", "day", True),
    ("The man was detained on 6th of August 2024.", "2025-06-30", "2024-08-06", "day", True),
    ("A Polish citizen was detained in April 2024 after a tip-off.", "2025-05-20", "2024-04-01", "month", True),
    ("Shelling of the town resumed in March.", "2025-05-20", "2025-03-01", "month", True),
    ("The plant was captured in 2023.", "2025-05-20", "2023-01-01", "year", True),
    ("A strike on Dec. 30 damaged the station.", "2026-01-03", "2025-12-30", "day", True),
    ("Russia will hold a parade on May 9 in Red Square.", "2025-05-03", "2025-05-09", "day", True),
    # times never change the date
    ("A drone hit a block of flats at 08:41 on Tuesday.", "2025-05-20", "2025-05-20", "day", True),
    ("Sirens sounded at 3am.", "2025-05-20", "2025-05-20", "day", False),
    # bounds and quotations are not the event's date
    ("Moscow has occupied Crimea since 2014.", "2025-05-20", "2025-05-20", "day", False),
    ("The deal should be signed by the end of this year.", "2025-05-20", "2025-05-20", "day", False),
    ("The ban runs until 2030.", "2025-05-20", "2025-05-20", "day", False),
    ("It was the worst attack since Monday's talks, officials said yesterday.", "2025-05-20", "2025-05-19", "day", True),
    ("Kallas said “the talks began two weeks ago” at a briefing on Tuesday.", "2025-05-22", "2025-05-20", "day", True),
    ("He told reporters: “We spoke yesterday.”", "2025-05-20", "2025-05-19", "day", True),
    ("A man was killed by Monday's strike on Kherson.", "2025-05-20", "2025-05-19", "day", True),
    # no date phrase
    ("A man died in the Kherson region after a drone he was moving exploded.", "2025-05-03", "2025-05-03", "day", False),
    # numbers that are not dates
    ("The war has entered its 86 days of renewed offensive.", "2025-05-20", "2025-05-20", "day", False),
    ("Trump claimed progress after a two-hour call with Putin.", "2025-05-20", "2025-05-20", "day", False),
    ("Russia attacked with 183 drones and two missiles.", "2025-05-20", "2025-05-20", "day", False),
    ("An 11-year-old child was among the injured.", "2025-05-20", "2025-05-20", "day", False),
    ("Day 1,000 of the war passed quietly.", "2025-05-20", "2025-05-20", "day", False),
    ("The EU adopted its 17th package of sanctions.", "2025-05-20", "2025-05-20", "day", False),
    ("In 2000 drones were counted by the monitors.", "2025-05-20", "2025-05-20", "day", False),
    ("A total of 2025 people were evacuated.", "2025-05-20", "2025-05-20", "day", False),
    ("Ukraine may strike back, officials warned.", "2025-05-20", "2025-05-20", "day", False),
    ("February 30 is not a date.", "2025-05-20", "2025-05-20", "day", False),
    ("Nothing happened on 31 April.", "2025-05-20", "2025-05-20", "day", False),
    # a time of day "of" a date is that date; a vaguer span gives way to the day named inside it
    ("The old record was set less than a week ago, in the early hours of 4 July.", "2025-07-09",
     "2025-07-04", "day", True),
    ("Drones struck Odesa on the night of June 5.", "2025-06-09", "2025-06-05", "day", True),
    ("Earlier this month, on 3 July, talks resumed.", "2025-07-20", "2025-07-03", "day", True),
    ("Last month the EU adopted a package.", "2025-07-20", "2025-06-01", "month", True),
]


@pytest.mark.parametrize("sentence, anchor, expected, precision, explicit", CASES)
def test_resolve_date(sentence, anchor, expected, precision, explicit):
    match = resolve_date(sentence, at(anchor))
    assert (match.date, match.precision, match.explicit) == (D(expected), precision, explicit), match


# (sentence, anchor date, expected window)
WINDOWS = [
    ("Russia attacked Kharkiv late yesterday.", "2025-05-03", 1),
    ("Explosions were heard last night.", "2025-05-03", 1),
    ("Russia launched 100 drones overnight.", "2025-05-25", 1),
    ("A warehouse burned on Saturday night.", "2025-05-25", 1),
    ("Russia struck the port overnight into Sunday.", "2025-05-25", 1),
    ("A fire broke out yesterday evening.", "2025-05-03", 0),
    ("The talks took place on Monday.", "2025-05-20", 0),
    ("Drones struck Odesa in the early hours of 5 June.", "2025-06-09", 1),
    ("Nothing to see.", "2025-05-20", 0),
]


@pytest.mark.parametrize("sentence, anchor, window", WINDOWS)
def test_window(sentence, anchor, window):
    assert resolve_date(sentence, at(anchor)).window == window


def test_overnight_is_the_morning_it_ended():
    match = resolve_date("Ukraine said Russia attacked it with 183 drones overnight.", at("2025-05-25"))
    assert (match.date, match.window, match.text) == (D("2025-05-25"), 1, "overnight")


# (anchor datetime, sentence, expected date): the anchor's own local date is used
ANCHORS = [
    (dt.datetime(2025, 5, 20, 22, 45, tzinfo=KYIV_SUMMER), "Strikes hit Odesa today.", "2025-05-20"),
    (dt.datetime(2025, 5, 20, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "It happened today.", "2025-05-20"),
    (dt.datetime(2025, 5, 20, 1, 30, tzinfo=KYIV_SUMMER), "The talks ended yesterday.", "2025-05-19"),
    (dt.datetime(2025, 5, 20, 21, 0, tzinfo=KYIV_SUMMER), "No date phrase here.", "2025-05-20"),
    (dt.datetime(2025, 5, 20, 1, 0, tzinfo=KYIV_SUMMER), "A drone hit two hours ago.", "2025-05-19"),
    (dt.datetime(2025, 5, 20, 9, 0), "Naive anchors work too, yesterday.", "2025-05-19"),
]


@pytest.mark.parametrize("anchor, sentence, expected", ANCHORS)
def test_anchor_local_date(anchor, sentence, expected):
    assert resolve_date(sentence, anchor).date == D(expected)


def test_no_phrase_returns_anchor_not_explicit():
    match = resolve_date("Four people were injured in Nikopol.", at("2025-05-03", "19:30", KYIV_SUMMER))
    assert match == DateMatch(D("2025-05-03"), "day", False, 0, None, None, None)


def test_match_offsets_and_text():
    text = "Russia launched a mass drone attack on Kharkiv late yesterday, injuring 46 people."
    match = resolve_date(text, at("2025-05-03"))
    assert match.text == "late yesterday"
    assert text[match.start:match.end] == match.text


def test_find_dates_in_order_with_roles():
    text = ("The heaviest shelling since 2014 came on Monday, Kallas said: "
            "“We warned about this two weeks ago”, adding talks would go on until Friday.")
    found = find_dates(text, at("2025-05-20"))
    assert [m.text for m in found] == ["since 2014", "on Monday", "two weeks ago", "Friday"]
    assert [m.role for m in found] == ["bound", "event", "quoted", "bound"]
    assert [m.start for m in found] == sorted(m.start for m in found)
    assert resolve_date(text, at("2025-05-20")).text == "on Monday"


def test_context_phrase_used_only_as_fallback():
    anchor = at("2025-05-20")
    assert resolve_date("The attack came a day after Monday's talks.", anchor).date == D("2025-05-19")
    assert resolve_date("Ahead of Friday's summit, Russia struck Sumy yesterday.", anchor).date == D("2025-05-19")


def test_a_date_in_an_aside_about_someone_is_context():
    anchor = at("2025-04-14")
    text = "Mr Merz, who takes office next month, called the strike a war crime on Sunday evening."
    assert resolve_date(text, anchor).date == D("2025-04-13")
    assert [m.role for m in find_dates(text, anchor)] == ["context", "event"]


def test_a_date_in_a_days_after_clause_is_the_earlier_events_and_never_the_sentences():
    anchor = at("2025-05-26")
    text = "The bloc is working on an 18th package, days after the 17th was adopted on Tuesday, 20 May."
    assert [m.role for m in find_dates(text, anchor)] == ["earlier"]
    assert resolve_date(text, anchor).date == D("2025-05-26")


def test_the_previous_night_is_the_night_before_the_anchor():
    found = resolve_date("The previous night, Russia had sent 84 drones.", at("2025-07-02"))
    assert (found.date, found.window) == (D("2025-07-01"), 1)


def test_longest_phrase_wins():
    found = find_dates("Explosions late yesterday evening shook the city.", at("2025-05-03"))
    assert [m.text for m in found] == ["late yesterday evening"]


def test_in_year_needs_context():
    anchor = at("2025-05-20")
    assert [m.text for m in find_dates("The plant was captured in 2023 and retaken.", anchor)] == ["in 2023"]
    assert find_dates("The unit lost 2023 drones and 1999 shells.", anchor) == []


def test_day_month_prefers_past_with_tolerance():
    anchor = at("2025-05-25")
    assert resolve_date("A strike on 27 May.", anchor).date == D("2025-05-27")          # within tolerance
    assert resolve_date("A strike on 20 June.", anchor).date == D("2024-06-20")         # past preferred
    assert resolve_date("Talks will resume on 20 June.", anchor).date == D("2025-06-20")  # future tense
    assert resolve_date("Born on 29 February.", at("2025-05-25")).date == D("2024-02-29")


def test_date_match_is_frozen():
    match = resolve_date("yesterday", at("2025-05-20"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.date = D("2000-01-01")  # type: ignore[misc]


def test_rules_compiled_once_and_valid():
    rules = dates.rules()
    assert rules is dates.rules()
    assert rules
    for rule in rules:
        assert rule.rule in dates.RULES
        assert rule.precision in dates.PRECISIONS + ("",)
        assert rule.window in (0, 1)


ODD = [
    "", " ", "\n\n", "“", "”", '"', "“unclosed quote yesterday", "yesterday”", "0 May", "32 May", "May 0",
    "99 days ago", "9999 years ago", "in 2099", "on 31 February 2024", "2025-13-45", "2025-02-30",
    "last last last week", "on on Monday", "ago ago", "Nov.", "Nov. 99", "😀 overnight 😀", "\x00yesterday",
    "a" * 5000, "1" * 500, "since by until before after", "in 1900", "May", "March on", "mid-", "late",
]


@pytest.mark.parametrize("text", ODD)
def test_odd_input_never_crashes(text):
    for anchor in (at("2025-05-20"), dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc),
                   dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone.utc)):
        match = resolve_date(text, anchor)
        assert isinstance(match, DateMatch)
        assert match.precision in dates.PRECISIONS
        for found in find_dates(text, anchor):
            assert text[found.start:found.end] == found.text


def test_random_text_never_crashes():
    rng = random.Random(7)
    words = ("on Monday yesterday overnight 16 May Nov. 28 in 2023 since until by “ ” \" ago two days "
             "weeks last next this month year 2025-05-16 April 2024 night late early mid- , . 183 drones").split()
    anchor = at("2025-05-20")
    for _ in range(300):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 25)))
        resolve_date(text, anchor)
        find_dates(text, anchor)


# dateparser reads absolute phrases from one base date (dates.PARSE_BASE), so that each phrase is parsed
# once a build. That is only right if the base changes nothing we read: these bases lie around leap days,
# the turn of a year and the years of the war.
BASES = (dt.date(2022, 2, 24), dt.date(2023, 2, 28), dt.date(2024, 2, 10), dt.date(2024, 2, 29),
         dt.date(2024, 3, 1), dt.date(2025, 12, 31), dt.date(2026, 1, 1))


def _month_day(day: dt.date | None):
    return None if day is None else (day.month, day.day)


@pytest.mark.parametrize("month", dates.MONTHS)
def test_the_day_and_month_dateparser_reads_in_a_phrase_without_a_year_do_not_depend_on_the_base(month):
    for day in range(1, 32):               # the {day} slot's numbers; "31 April" is no date from any base
        phrase = f"{day} {month}"
        want = _month_day(dates._parse_absolute(phrase, ("day", "month")))
        assert want in (None, (dates.MONTHS.index(month) + 1, day))
        assert [_month_day(dates._dateparser(phrase, ("day", "month"), base)) for base in BASES] == \
            [want] * len(BASES), phrase


@pytest.mark.parametrize("year", [1999, 2024, 2025, 2030])
def test_a_phrase_with_a_year_is_the_same_date_from_any_base(year):
    phrases = [(f"{month} {year}", ("month", "year")) for month in dates.MONTHS]
    phrases += [(f"{day} {month} {year}", ("day", "month", "year")) for month in dates.MONTHS for day in (1, 29, 30, 31)]
    phrases += [(f"{year}-{m:02d}-{day:02d}", ("day", "month", "year")) for m in range(1, 13) for day in (1, 29, 30, 31)]
    for phrase, parts in phrases:
        want = dates._parse_absolute(phrase, parts)
        assert [dates._dateparser(phrase, parts, base) for base in BASES] == [want] * len(BASES), phrase


def test_a_day_and_month_read_from_anchors_years_apart_is_dated_in_each_anchors_year():
    # one cached parse of "29 February" serves both anchors, and each still picks its own leap year
    first = resolve_date("Drones hit the port on 29 February.", dt.datetime(2024, 3, 2, 9, tzinfo=dt.timezone.utc))
    later = resolve_date("Drones hit the port on 29 February.", dt.datetime(2028, 3, 2, 9, tzinfo=dt.timezone.utc))
    assert (first.date, later.date) == (dt.date(2024, 2, 29), dt.date(2028, 2, 29))
    assert first.explicit and later.explicit
