"""SPLIT stage: boilerplate, plain-text posts, bullets, timed posts, JSON-LD, markup, JSONL."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from timeline.errors import InputError
from timeline.read import read_document, read_inputs
from timeline.pipeline import process
from timeline.split import (
    boilerplate_patterns, is_boilerplate, item_id, prefix_patterns, split_document, strip_prefix,
)
from timeline.vocab import load_lines

UTC = timezone.utc
LONDON = ZoneInfo("Europe/London")
BOILERPLATE_SNIPPETS = ("Please refresh", "emailed about offers", "Join thought-provoking")


def split_file(path: Path, source: str | None = None):
    return split_document(read_document(path, source=source))


def paragraphs(item) -> list[str]:
    return item.text.split("\n")


# ---------------------------------------------------------------- boilerplate vocabulary

def test_every_boilerplate_pattern_compiles_and_is_unique():
    sources = load_lines("boilerplate.txt")
    assert len(boilerplate_patterns()) == len(sources) >= 40
    assert len(set(sources)) == len(sources)


@pytest.mark.parametrize("line", [
    "Notifications can be managed in browser preferences.",
    "Please refresh the page or navigate to another page on the site to be automatically logged in",
    "Refresh this page, or open another page of the site, and you will be signed in automatically.",
    "I would like to be emailed about offers, events and updates from Example Times. Read our Privacy notice",
    "Join thought-provoking conversations, follow other readers and see their replies",
    "Read the full report here",
    "Read more",
    "Sign up to our free morning briefing newsletter",
    "Subscribe",
    "Your donation allows us to keep reporters in the field.",
    "We use cookies to improve your experience",
    "Advertisement",
    "Comments (12)",
    "Share",
    "Ukraine war live: Kyiv under attack \u2013 The Independent",
    "Source: https://example.org/live/ukraine",
    "Scraped at: 2025-05-03 10:00",
    "=====",
    "independent-ukraine-live-2025-05-03.txt",
])
def test_boilerplate_lines_are_recognised(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "Russia launched 90 drones and two missiles at Ukraine overnight, the air force said.",
    "Ukraine\u2019s president said the sanctions package would be read closely in Moscow.",
    "The minister told The Independent that talks would resume on Monday.",
    "Officials said the newsletter of the occupation authorities had stopped printing.",
    "Two people were killed and five injured in Kharkiv, the mayor said.",
    "\u201cWe will not give up,\u201d she said.",
    "Read-outs of the call were published by both governments.",
    "Donations of air defence systems from Germany arrived in Kyiv.",
    "Zelensky said he would sign the deal if Washington agreed.",
    "Putin will attend the parade in Moscow on 9 May.",
])
def test_news_sentences_are_not_boilerplate(line):
    assert not is_boilerplate(line)


# ---------------------------------------------------------------- plain text (Independent style)

def test_independent_style_scrape(fixtures_dir):
    items, warnings = split_file(fixtures_dir / "independent_style.txt", "odesa-live-2025-05-14.txt")
    assert warnings == []
    assert [len(paragraphs(i)) for i in items] == [3, 2, 3, 1]
    assert {i.split_method for i in items} == {"text"}
    assert [i.position for i in items] == [0, 1, 2, 3]
    first, poland, finland, last = items
    assert first.headline == "Drone barrage hits the south as European ministers meet in Warsaw"
    assert first.text.startswith("Russian drones struck a grain terminal")
    assert paragraphs(first)[2] == "\u201cThe enemy is trying to choke our exports once again,\u201d he wrote on Telegram."
    assert paragraphs(poland)[1].startswith("The package will be delivered")
    assert paragraphs(finland)[1].startswith("Speaking at a press conference in Helsinki, Mr Stubb said:")
    assert paragraphs(finland)[2] == "\u201cWe cannot ask them to wait any longer.\u201d"
    assert poland.headline is finland.headline is last.headline is None
    assert all(i.published == datetime(2025, 5, 14, tzinfo=UTC) and i.item_time is None for i in items)


def test_boilerplate_never_reaches_items(fixtures_dir):
    items, _ = split_file(fixtures_dir / "independent_style.txt", "odesa-live-2025-05-14.txt")
    text = "\n".join(i.text + "\n" + (i.headline or "") for i in items)
    for snippet in (*BOILERPLATE_SNIPPETS, "Read the full report", "Notifications", "The Independent"):
        assert snippet not in text


@pytest.mark.parametrize("follower", [
    "\u201cWe will rebuild,\u201d the mayor said.",                     # opens with a quote
    "He added that repairs would take weeks.",                         # pronoun
    "Mr Sadovyi said the fire was out by morning.",                    # honorific second reference
    "The mayor said the fire was out by morning.",                     # The + role + said
    "The attack damaged a school.",                                    # The + lower-case noun
    "Speaking on television, the mayor said the fire was out.",        # participle opening
    "After inspecting the site, he said the fire was out.",            # clause, then pronoun
    "Elsewhere, a substation in Rivne was hit.",                       # connective
    "Officials also said a substation in Rivne was hit.",              # "also" early
    "Andriy Sadovyi condemned the attack, writing: \u201cThis is terror.\u201d",  # speech verb + colon + quote
    "and the clean-up continued into the evening.",                    # lower-case start
    "Air defences downed two of the missiles in that attack, the air force said.",  # refers back
    "The EU package bans imports of Russian steel.",                   # The + abbreviation + measure
])
def test_continuation_paragraphs_join_their_lead(make_doc, follower):
    lead = "Russian missiles hit an industrial site in Lviv overnight, city officials said."
    items, _ = split_document(make_doc(f"{lead}\n{follower}"))
    assert len(items) == 1 and paragraphs(items[0]) == [lead, follower]


@pytest.mark.parametrize("follower", [
    "Poland\u2019s foreign minister Radoslaw Sikorski has called for tougher sanctions.",
    "The Kremlin said it was ready to discuss a prisoner exchange.",
    "A drone hit a power line in Sumy, regional authorities said.",
    "The UN said it was alarmed by the strike.",
])
def test_new_leads_start_new_items(make_doc, follower):
    lead = "Russian missiles hit an industrial site in Lviv overnight, city officials said."
    items, _ = split_document(make_doc(f"{lead}\n{follower}"))
    assert [i.text for i in items] == [lead, follower]


def test_paragraph_after_colon_or_open_quote_continues(make_doc):
    text = ("Ukraine\u2019s foreign minister wrote on X:\n"
            "Peace needs pressure on Moscow, not concessions\n"
            "Germany\u2019s chancellor Friedrich Merz promised more air defence. \u201cWe stand with Kyiv, and\n"
            "Europe will not look away.\u201d")
    items, _ = split_document(make_doc(text))
    assert [len(paragraphs(i)) for i in items] == [2, 2]


def test_title_line_and_hard_wraps(make_doc):
    text = ("Kyiv live: power cuts spread | Example Post\n"
            "Russian strikes on the energy grid left parts of Kyiv without\n"
            "power for six hours, the grid operator said.\n")
    items, _ = split_document(make_doc(text, title="Kyiv live: power cuts spread"))
    assert [i.text for i in items] == [
        "Russian strikes on the energy grid left parts of Kyiv without power for six hours, the grid operator said."]


def test_trailing_heading_without_item_is_dropped(make_doc):
    items, _ = split_document(make_doc("Two people were hurt in Kherson.\nMore to follow"))
    assert [i.text for i in items] == ["Two people were hurt in Kherson."]


# ---------------------------------------------------------------- bylines, captions, export prefixes, standfirsts

CAPTION_SNIPPETS = ("Photo:", "(Photo", "Rescue workers search the rubble", "Mourners lay flowers",
                    "Smoke over Kyiv", "Daria Example", "August 1, 2025", "Read also", "funded by our readers",
                    "Become a member")


def test_kyiv_independent_style_bylines_and_captions_are_not_text(fixtures_dir):
    items, _ = split_file(fixtures_dir / "kyiv_independent_style.txt", "kyiv-independent-2025-08-01.txt")
    text = "\n".join(f"{i.headline}\n{i.text}" for i in items)
    assert [s for s in CAPTION_SNIPPETS if s in text] == []
    assert items[0].headline == "Kyiv death toll climbs to 31 as rescuers finish search of collapsed apartment block"
    assert items[0].text.startswith("The number of people killed in Russia's overnight attack on Kyiv")
    assert [i.headline for i in items if i.headline] == [items[0].headline, "Hundreds of drones", "Trump's deadline"]
    assert len(items) == 6


def test_captions_give_no_events(fixtures_dir):
    items, _ = split_file(fixtures_dir / "kyiv_independent_style.txt", "kyiv-independent-2025-08-01.txt")
    events = process(items).events
    kyiv = events[events.location == "Kyiv"]
    assert list(kyiv.killed) == [31]              # the caption's "killed dozens" is no second attack
    assert list(events.drones.dropna()) == [309] and list(events.drones_downed.dropna()) == [288]
    assert len(events) == 3


@pytest.mark.parametrize("line", [
    "Photo: Firefighters at the site of a strike in Odesa on May 3, 2025, where two people were killed by a drone.",
    "Rescuers clear debris in Kharkiv on June 7, 2025. (Photo: Example Agency)",
    "Firefighters at a burning warehouse in Lviv Photograph: Example/AFP/Getty Images",
    "by Daria Example",
    "By Daria Example and Ivan Example",
    "Edited by an Example Editor, with reporting from Kyiv",
    "August 1, 2025 8:05 PM",
    "Monday, 26 May 2025",
    "Read also: How interceptor drones changed the air war",
    "This reporting is funded by our readers. Become a member today.",
    "corpus=liveblogs; doc=12; url=https://example.test/a",
    "Doc ID: EL-2025-05-17-0412",
])
def test_captions_bylines_datelines_and_export_lines_are_boilerplate(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "Russia launched 309 drones and eight missiles at Ukraine overnight, the Air Force said.",
    "By Monday evening, rescuers had pulled 12 people from the rubble in Kyiv.",
    "The photo showed a destroyed bridge in Kherson, officials said.",
    "Ukraine hopes to become a member of NATO, Zelensky said.",
    "14 May 2025 08:41",
    "Published at 30 Dec 22:10",
])
def test_news_lines_and_timed_headers_are_not_captions(line):
    assert not is_boilerplate(line)


def test_export_prefix_lines_and_tags_are_removed(fixtures_dir):
    items, _ = split_file(fixtures_dir / "export_prefixed.txt", "example-live-2025-05-17.txt")
    assert [i.text for i in items] == [
        "A Russian drone struck a passenger bus in Bilopillia in the Sumy region on Saturday morning, "
        "killing nine people and injuring seven, regional officials said.",
        "Zelensky called the strike a deliberate killing of civilians.",
        "Russian and Ukrainian delegations agreed in Istanbul on Friday to exchange 1,000 prisoners of war each.",
    ]


@pytest.mark.parametrize("line, kept", [
    ("page-2025-05-17.txt: A drone hit Sumy.", "A drone hit Sumy."),
    ("https://example.test/live#p2 | A drone hit Sumy.", "A drone hit Sumy."),
    ("[doc 12] A drone hit Sumy.", "A drone hit Sumy."),
    ("<<kyiv.html>> A drone hit Sumy.", "A drone hit Sumy."),
    ("A drone hit Sumy, officials said: two were hurt.", "A drone hit Sumy, officials said: two were hurt."),
    ("Kyiv: a drone hit a school.", "Kyiv: a drone hit a school."),
])
def test_strip_prefix(line, kept):
    assert strip_prefix(line) == kept


def test_every_prefix_pattern_compiles_and_is_unique():
    sources = load_lines("line_prefixes.txt")
    assert len(prefix_patterns()) == len(sources) >= 3 and len(set(sources)) == len(sources)


def test_a_standfirst_or_headline_restating_a_post_does_not_double_its_event(fixtures_dir):
    items, _ = split_file(fixtures_dir / "standfirst_restated.txt", "sumy-2025-04-13.txt")
    assert items[0].headline == "Sumy strike: death toll rises to 34"
    events = process(items).events
    sumy = events[events.location == "Sumy"]
    assert len(sumy) == 1
    assert (sumy.iloc[0].killed, sumy.iloc[0].injured, sumy.iloc[0].n_mentions) == (34, 117, 3)


# ---------------------------------------------------------------- bullets

def test_bullets_are_one_item_each_with_section_headings(fixtures_dir):
    items, _ = split_file(fixtures_dir / "bullets.txt", "key-points-2025-05-14.txt")
    assert [i.split_method for i in items] == ["bullets"] * 4
    assert [i.headline for i in items] == ["What we know so far"] * 3 + ["Diplomacy"]
    assert items[0].text == "Four people were killed in a missile strike on a supermarket in Zaporizhzhia, officials said."
    assert items[2].text.startswith("The EU agreed")          # "• " marker removed
    assert items[3].text.startswith("Foreign ministers")      # "* " marker removed
    assert not any("Advertisement" in i.text for i in items)


# ---------------------------------------------------------------- timed (BBC style)

def test_timed_posts_get_london_times(fixtures_dir):
    items, _ = split_file(fixtures_dir / "bbc_timed.txt", "bbc-live-2025-05-14.txt")
    assert [i.split_method for i in items] == ["timed"] * 4
    assert [i.item_time for i in items] == [
        datetime(2025, 5, 14, 8, 41, tzinfo=LONDON),
        datetime(2025, 5, 14, 9, 15, tzinfo=LONDON),
        datetime(2025, 5, 14, 10, 2, tzinfo=LONDON),
        datetime(2025, 5, 14, 12, 30, tzinfo=LONDON),
    ]
    assert items[0].item_time.utcoffset() == timedelta(hours=1)         # BST
    assert items[0].item_time == datetime(2025, 5, 14, 7, 41, tzinfo=UTC)
    assert [i.headline for i in items] == [
        "Air raid alerts across the east", "Talks set for Istanbul",
        "Kyiv reports 90 drones overnight", "Short update"]
    assert paragraphs(items[0]) == [
        "Sirens sounded in Kharkiv and Sumy regions shortly after dawn, the Ukrainian air force said.",
        "Residents were urged to stay in shelters until the all-clear."]          # "Share" dropped
    assert all(i.published == datetime(2025, 5, 14, tzinfo=UTC) for i in items)
    assert all(i.anchor == i.item_time for i in items)


def test_timed_posts_in_winter_are_gmt_and_explicit_days_win(make_doc):
    text = ("Published at 08:41 GMT\nCold snap\nHeating failed in parts of Odesa.\n"
            "Published at 30 Dec 22:10\nLate post\nA drone was downed near Izmail.\n")
    items, _ = split_document(make_doc(text, published=datetime(2026, 1, 2, tzinfo=UTC)))
    assert items[0].item_time == datetime(2026, 1, 2, 8, 41, tzinfo=UTC)
    assert items[1].item_time == datetime(2025, 12, 30, 22, 10, tzinfo=UTC)   # previous year


def test_timed_header_with_a_placeholder_year_is_not_a_time(make_doc):
    text = "Published at 30 Dec 9999 22:10\nLate post\nA drone was downed near Izmail.\n"
    items, _ = split_document(make_doc(text, published=datetime(2100, 12, 31, 23, tzinfo=timezone(timedelta(hours=-12)))))
    assert [i.item_time for i in items] == [None]
    assert items[0].text.endswith("A drone was downed near Izmail.")


# ---------------------------------------------------------------- html

def test_jsonld_live_blog_updates_in_a_graph(fixtures_dir):
    items, warnings = split_file(fixtures_dir / "liveblog_graph.html")
    assert warnings == []
    assert [i.split_method for i in items] == ["jsonld", "jsonld"]
    assert [i.headline for i in items] == ["Delegations arrive", "Overnight attack on Kharkiv"]
    bst = timezone(timedelta(hours=1))
    assert [i.item_time for i in items] == [datetime(2025, 6, 2, 11, 5, tzinfo=bst),
                                             datetime(2025, 6, 2, 7, 40, tzinfo=bst)]
    assert paragraphs(items[1]) == ["Russia launched 40 drones at Kharkiv overnight, the mayor said.",
                                    "Two people were injured."]          # HTML body parsed
    assert items[0].url == "https://news.example.org/world/ukraine-live-talks#p2"
    assert items[1].url == "https://news.example.org/world/ukraine-live-talks"
    assert {i.outlet for i in items} == {"Example News"}


def test_jsonld_in_several_script_tags_with_one_malformed(fixtures_dir):
    items, warnings = split_file(fixtures_dir / "liveblog_two_scripts.html")
    assert warnings == ["JSON-LD block 1: not valid JSON, skipped"]
    assert [(i.headline, i.item_time) for i in items] == [
        ("Tanker struck", datetime(2025, 7, 14, 9, 20, tzinfo=UTC)),
        ("Port closed", datetime(2025, 7, 14, 10, 45, tzinfo=UTC)),
    ]
    assert {i.split_method for i in items} == {"jsonld"}


def test_markup_posts_when_there_is_no_jsonld(fixtures_dir):
    items, _ = split_file(fixtures_dir / "markup_posts.html")
    assert [i.split_method for i in items] == ["markup", "markup"]
    assert [i.headline for i in items] == ["Strike on Sumy", "Grain corridor"]
    assert [i.item_time for i in items] == [datetime(2025, 4, 8, 8, 10, tzinfo=UTC),
                                             datetime(2025, 4, 8, 9, 30, tzinfo=UTC)]
    assert paragraphs(items[0]) == ["A missile hit the centre of Sumy, the regional administration said.",
                                    "Rescuers are searching the rubble."]


def test_main_text_when_there_are_no_posts(fixtures_dir):
    items, _ = split_file(fixtures_dir / "plain_page.html", "round-up-2025-02-21.html")
    assert [(i.split_method, i.text) for i in items] == [
        ("text", "Ukraine said it struck an oil depot in the Bryansk region overnight.\n"
                 "The depot burned for several hours, according to a local official."),
        ("text", "Moldova expelled a Russian diplomat on Friday."),
        ("bullets", "Power cuts were reported in Chernihiv."),
        ("bullets", "Schools in Kharkiv moved online."),
        ("text", "Rescue teams stayed at the scene into the evening."),
    ]
    assert items[0].headline == "What happened today"
    joined = " ".join(i.text for i in items)
    for absent in ("tracker", "color", "Home | World", "Most read", "Copyright", "newsletter"):
        assert absent not in joined


def test_jsonld_nested_100k_deep_is_skipped_and_the_markup_used(make_doc):
    page = ('<html><head><script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
            '<script type="application/ld+json">{"@type": "LiveBlogPosting", "liveBlogUpdate": '
            + '{"x": ' * 150 + "1" + "}" * 150 + "}</script></head><body>"
            '<div><time datetime="2025-05-14T06:10:00Z">06:10</time><p>A drone hit a school in Sumy.</p></div>'
            '<div><time datetime="2025-05-14T07:45:00Z">07:45</time><p>Two people were hurt in Kherson.</p></div>'
            "</body></html>")
    items, warnings = split_document(make_doc(page, kind="html", source="deep.html"))
    assert warnings == ["JSON-LD block 1: nested too deeply, skipped", "JSON-LD block 2: nested too deeply, skipped"]
    assert [(i.split_method, i.text, i.item_time) for i in items] == [
        ("markup", "A drone hit a school in Sumy.", datetime(2025, 5, 14, 6, 10, tzinfo=UTC)),
        ("markup", "Two people were hurt in Kherson.", datetime(2025, 5, 14, 7, 45, tzinfo=UTC)),
    ]


def test_jsonld_body_nested_too_deeply_is_read_as_text(make_doc):
    body = "<div>" * 5000 + "<p>Two people were hurt in Kherson.</p>" + "</div>" * 5000
    page = ('<script type="application/ld+json">{"@type": "LiveBlogPosting", "liveBlogUpdate": '
            '[{"headline": "Kherson", "articleBody": "' + body.replace("/", "\\/") + '"}]}</script>')
    items, warnings = split_document(make_doc(page, kind="html", source="deep-body.html"))
    assert warnings == []
    assert [(i.split_method, i.headline, i.text) for i in items] == [
        ("jsonld", "Kherson", "Two people were hurt in Kherson.")]


def test_markup_posts_inside_nested_articles_use_the_innermost(make_doc):
    posts = "".join(f'<article><time datetime="2025-05-14T0{n}:00:00Z">0{n}:00</time><p>Post {n}.</p></article>'
                    for n in range(1, 4))
    page = f"<body><article><h1>Live</h1>{posts}</article></body>"
    items, _ = split_document(make_doc(page, kind="html", source="nested.html"))
    assert [(i.text, i.item_time.hour) for i in items] == [("Post 1.", 1), ("Post 2.", 2), ("Post 3.", 3)]


# ---------------------------------------------------------------- jsonl

def test_jsonl_bad_lines_warn_and_the_rest_are_kept(fixtures_dir):
    items, warnings = split_file(fixtures_dir / "items.jsonl")
    assert warnings == [
        "line 3: not valid JSON, skipped",
        "line 4: missing 'published', skipped",
        "line 5: not a JSON object, skipped",
    ]
    assert [i.split_method for i in items] == ["jsonl"] * 3
    first, second, third = items
    assert first.headline == "Hospital hit in Kherson"
    assert first.url == "https://example.org/live#post-1"
    assert first.published == first.item_time == datetime(2025, 3, 10, 7, 15, tzinfo=UTC)
    assert second.published == datetime(2025, 3, 10, tzinfo=UTC) and second.item_time is None
    assert second.outlet == "Example Wire"
    assert third.position == 2
    assert first.item_id == hashlib.sha1("items.jsonl\x1fid\x1fpost-1".encode()).hexdigest()[:16]
    assert second.item_id == item_id("items.jsonl", 1, "Ukraine's parliament approved a new mobilisation bill.")


def test_jsonl_bad_date_and_missing_text(make_doc):
    text = ('{"published": "last Tuesday", "text": "A bridge was hit."}\n'
            '{"published": "2025-03-10", "text": ""}\n')
    items, warnings = split_document(make_doc(text, kind="jsonl", source="x.jsonl"))
    assert items == []
    assert warnings == ["line 1: bad 'published' date 'last Tuesday', skipped",
                        "line 2: missing 'text', skipped"]


# ---------------------------------------------------------------- ids and errors

def test_item_ids_are_stable_and_unique(fixtures_dir):
    path = fixtures_dir / "independent_style.txt"
    first, _ = split_file(path, "odesa-live-2025-05-14.txt")
    again, _ = split_file(path, "odesa-live-2025-05-14.txt")
    assert [i.item_id for i in first] == [i.item_id for i in again]
    assert len({i.item_id for i in first}) == len(first)
    assert all(re.fullmatch(r"[0-9a-f]{16}", i.item_id) for i in first)
    expected = hashlib.sha1(f"odesa-live-2025-05-14.txt\x1f0\x1f{first[0].text}".encode()).hexdigest()[:16]
    assert first[0].item_id == expected


def test_undated_document_cannot_be_split(make_doc):
    with pytest.raises(InputError) as exc:
        split_document(make_doc("Kyiv was quiet overnight.", published=None))
    assert exc.value.reason.startswith("no publication date")


# ---------------------------------------------------------------- the real seeds

def test_real_seeds(seeds_dir):
    docs, errors = read_inputs([seeds_dir])
    assert errors == []
    by_date = {d.published: d for d in docs}
    assert set(by_date) == {datetime(2025, 5, 3, tzinfo=UTC), datetime(2025, 5, 20, tzinfo=UTC)}
    for doc in docs:
        items, warnings = split_document(doc)
        assert warnings == [] and items
        for item in items:
            assert not any(s in item.text for s in BOILERPLATE_SNIPPETS)
            assert item.outlet == "The Independent"
    may3, _ = split_document(by_date[datetime(2025, 5, 3, tzinfo=UTC)])
    assert 10 <= len(may3) <= 20
    (kharkiv,) = [i for i in may3 if "drone attack on Ukraine" in i.text and "Kharkiv" in i.text]
    lead, quote = paragraphs(kharkiv)[:2]
    assert lead.startswith("Russia launched a mass drone attack")
    assert "Zelensky" in quote and "Telegram" in quote
    assert kharkiv.position == 0
