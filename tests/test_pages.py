"""Saved HTML pages in the shape of four outlets, end to end: read -> split -> extract -> merge.

The pages (tests/fixtures/pages/*.html) are written for these tests, in our own words,
about real events of the war, with the furniture real saved pages carry: cookie
banners, scripts, comments, adverts, newsletters, captions, share buttons.
Each takes a different path through split: JSON-LD (Independent), per-post
<article> markup (Guardian), per-post <time> containers (BBC), the page's main
text (Al Jazeera key events).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from timeline import pipeline
from timeline.cli import app
from timeline.read import read_document
from timeline.split import split_document

UTC = timezone.utc
BST = timezone(timedelta(hours=1))

# Text that is on the pages but is never news: none of it may reach an item.
FURNITURE = (
    "cookies", "Accept all", "Advertisement", "Share", "Updated at", "Sign up", "Subscribe", "newsletter",
    "Donate", "Most viewed", "Skip to content", "Log in", "Sign in", "Copyright", "\u00a9", "Photograph:",
    "Rescuers work beside a burnt-out trolleybus", "Firefighters work at the ruins",
    "The bus was hit on the road out of Bilopillia", "Delegations from Ukraine and Russia at the talks",
    "dataLayer", "analytics", "INITIAL_DATA", "Breaking: 500 drones", "Read more",
    "Ukraine strikes bombers deep inside Russia", "Source: Al Jazeera", "enable JavaScript",
)


PAGES = Path(__file__).parent / "fixtures" / "pages"


@pytest.fixture(scope="module")
def pages():
    return PAGES


def split_page(path):
    items, warnings = split_document(read_document(path))
    assert warnings == []
    return items


def all_text(items) -> str:
    return "\n".join(f"{i.headline or ''}\n{i.text}" for i in items)


@pytest.mark.parametrize("name", ["independent-sumy.html", "guardian-kyiv.html", "bbc-bilopillia.html",
                                  "aljazeera-key-events.html"])
def test_page_furniture_never_reaches_an_item(pages, name):
    text = all_text(split_page(pages / name))
    assert [f for f in FURNITURE if f in text] == []


def test_independent_jsonld_updates_win_over_the_same_posts_in_markup(pages):
    doc = read_document(pages / "independent-sumy.html")
    assert (doc.published, doc.outlet) == (datetime(2025, 4, 13, 7, 30, tzinfo=BST), "The Independent")
    items = split_page(pages / "independent-sumy.html")
    assert [i.split_method for i in items] == ["jsonld"] * 4              # not 8: markup copies unused
    assert [i.item_time for i in items] == [datetime(2025, 4, 13, h, m, tzinfo=BST)
                                            for h, m in ((21, 10), (17, 10), (12, 5), (10, 45))]
    assert items[1].headline == "Sumy death toll rises to 34"
    assert items[1].text == (
        "The number of people killed by the two ballistic missiles that hit the centre of Sumy on Sunday "
        "morning has risen to 34, including two children, and 117 people were injured, Ukraine\u2019s State "
        "Emergency Service said.")                                           # caption and advert dropped


def test_guardian_posts_come_from_article_markup_when_jsonld_has_no_updates(pages):
    items = split_page(pages / "guardian-kyiv.html")
    assert [i.split_method for i in items] == ["markup"] * 5
    assert [i.item_time for i in items] == [datetime(2025, 6, 17, h, m, tzinfo=UTC)
                                            for h, m in ((19, 55), (16, 30), (13, 10), (7, 15), (6, 5))]
    assert [i.headline for i in items][:2] == ["Death toll in Kyiv rises to 28", "Canada pledges C$2bn in military aid"]
    assert items[0].text.split("\n") == [
        "The number of people killed in the overnight Russian attack on Kyiv has risen to 28, the head of the "
        "city\u2019s military administration, Tymur Tkachenko, said.",
        "Most of the victims died when a missile destroyed part of an apartment block in the Solomianskyi district."]
    assert items[3].text.endswith("\u201cSuch attacks are pure terrorism,\u201d he wrote on Telegram.")


def test_bbc_posts_are_the_containers_of_their_times(pages):
    items = split_page(pages / "bbc-bilopillia.html")
    assert [(i.split_method, i.item_time, i.headline) for i in items] == [
        ("markup", datetime(2025, 5, 17, 13, 5, tzinfo=UTC), "Zelensky: A deliberate killing of civilians"),
        ("markup", datetime(2025, 5, 17, 8, 40, tzinfo=UTC), "Nine killed as drone hits bus in Bilopillia"),
        ("markup", datetime(2025, 5, 17, 7, 15, tzinfo=UTC), "Prisoner exchange agreed in Istanbul"),
    ]
    assert items[1].text.split("\n")[1] == (
        "The bus was carrying civilians out of the town, which lies about 10km from the Russian border.")
    assert "Summary" not in all_text(items)                # the summary box restates the posts


def test_aljazeera_key_events_fall_back_to_the_main_text(pages):
    doc = read_document(pages / "aljazeera-key-events.html")
    assert doc.published == datetime(2025, 6, 2, 7, 20, tzinfo=UTC)
    items = split_page(pages / "aljazeera-key-events.html")
    bullets = [i for i in items if i.split_method == "bullets"]
    assert [i.headline for i in bullets] == ["Fighting"] * 4 + ["Diplomacy"] * 2
    assert all(i.item_time is None for i in items)
    assert bullets[3].text == ("In Russia\u2019s Bryansk region, a road bridge collapsed onto a passenger train "
                               "late on Saturday, killing seven people, Russian officials said.")


# ---------------------------------------------------------------- the events that must come out

@pytest.fixture(scope="module")
def events(pages):
    items, report = pipeline.read_items([pages])
    assert report.skipped == [] and report.warnings == []
    return pipeline.process(items).events


def one_event(events, **where):
    mask = pd.Series(True, index=events.index)
    for column, value in where.items():
        mask &= events[column] == value
    rows = events[mask]
    assert len(rows) == 1, f"{len(rows)} events match {where}"
    return rows.iloc[0]


def test_sumy_missile_strike_is_one_event_with_the_latest_toll(events):
    sumy = one_event(events, event_type="ASSAULT", location="Sumy", event_date=date(2025, 4, 13), killed=34)
    assert (sumy.injured, sumy.missiles, sumy.country) == (117, 2, "UA")
    assert sumy.n_mentions >= 2                         # first report and the toll update, one row


def test_kyiv_attack_takes_the_most_recent_death_toll(events):
    kyiv = events[(events.location == "Kyiv") & (events.event_type == "ASSAULT")]
    assert list(kyiv.killed) == [28]                   # the 07:05 report said 14, the 20:55 one 28
    assert kyiv.iloc[0].event_date == date(2025, 6, 17)
    barrage = one_event(events, drones=440)
    assert (barrage.missiles, barrage.event_date) == (32, date(2025, 6, 17))


def test_bus_strike_prisoner_swap_and_bridge_collapse(events):
    bus = one_event(events, location="Bilopillia", event_type="ASSAULT")
    assert (bus.killed, bus.injured, bus.event_date, bus.admin1) == (9, 7, date(2025, 5, 17), "Sumy Oblast")
    swap = one_event(events, event_type="AGREE", prisoners=1000)
    assert (swap.location, swap.event_date) == ("Istanbul", date(2025, 5, 16))      # "on Friday"
    bridge = one_event(events, location="Bryansk Oblast")
    assert (bridge.killed, bridge.event_date, bridge.country) == (7, date(2025, 5, 31), "RU")   # "late on Saturday"
    barrage = one_event(events, drones=472)
    assert (barrage.missiles, barrage.event_date) == (7, date(2025, 6, 1))


def test_statements_and_sanctions_are_events_too(events):
    assert set(events[events.event_date == date(2025, 6, 17)].event_type) >= {"ASSAULT", "SANCTION", "AID"}
    talks = one_event(events, event_type="CONSULT", location="Istanbul")
    assert talks.event_date == date(2025, 6, 2)


def test_timeline_build_over_the_pages(pages, tmp_path):
    result = CliRunner().invoke(app, ["build", str(pages), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("read 4 file(s), skipped 0; 19 items,")
    items = pd.read_parquet(tmp_path / "items.parquet")
    assert items.item_time.notna().sum() == 12         # every JSON-LD and markup post keeps its time
    events = pd.read_parquet(tmp_path / "events.parquet")
    assert ((events.location == "Sumy") & (events.killed == 34)).sum() == 1
