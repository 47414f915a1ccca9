"""Property-based tests: random bytes, text, HTML and JSON(L) through read, split and extract.

Whatever comes in, the only exceptions allowed out are the project's own
(timeline.errors), and whatever comes out is valid: items with text and aware
times, mentions whose dates are dates, whose counts are non-negative integers
and whose offsets point into the item text.

Deterministic (derandomize=True: the same cases on every run and in CI); about
3,500 cases in all, well under a minute on two cores.
"""
from __future__ import annotations

import json
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline import pipeline, read, split
from timeline.errors import TimelineError
from timeline.extract.mention import extract_item
from timeline.models import Document, Item

FUZZ = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples)
PRECISIONS = {"day", "week", "month", "year"}
SPLIT_METHODS = {"jsonld", "markup", "bullets", "timed", "text", "jsonl"}

# Words that make extraction work hard: figures, places, weapons, verbs, date phrases, punctuation.
NEWS_WORDS = (
    "Russia Ukraine Russian Ukrainian Kyiv Kharkiv Sumy Odesa Kherson Zaporizhzhia Donetsk Belgorod Moscow "
    "Lviv Pokrovsk Crimea Kursk region Oblast the capital city village near in at over on of from by "
    "killed injured wounded dead hurt missing evacuated detained captured launched fired struck hit attacked "
    "shelled shot down intercepted destroyed downed said says claimed reported told sanctions agreed met called "
    "condemned accused exchanged prisoners troops soldiers civilians people children drones Shahed missiles "
    "ballistic cruise bombs glide combat clashes air force governor mayor president Zelensky Putin Trump NATO EU "
    "at least more than about up to nearly dozens hundreds a an one two three four five ten 12 46 90 183 1,000 "
    "2,500 0 11-year-old 17th 2024 2025 $1bn €50m £3m years sentenced day 1,000 two-hour "
    "yesterday today overnight late last night on Monday on Friday this morning earlier week month "
    "on 16 May 31 July Nov. 28 in March since since 2022 "
    ", . ; : - – ( ) “ ” \" ' ’s \n \n\n"
).split(" ")
HEADERS = ("Published at 08:41 BST", "30 Dec 9999 22:10", "14 May 08:41", "08:41 GMT", "- ", "Photo: AP")
news_line = st.lists(st.sampled_from(NEWS_WORDS) | st.text(max_size=8), max_size=25).map(" ".join)
news_text = st.lists(news_line | st.sampled_from(HEADERS), max_size=6).map("\n".join)
any_text = st.text(max_size=400) | news_text

# ---------------------------------------------------------------- random HTML

TAGS = ("div", "p", "li", "ul", "article", "section", "time", "h2", "h3", "span", "b", "blockquote",
        "figure", "figcaption", "aside", "nav", "header", "footer", "script", "style", "br", "table", "td")
DATETIMES = ("2025-05-14T08:41:00Z", "2025-05-14", "2025-05-14T08:41:00+03:00", "not a date", "",
             "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "Wed, 14 May 2025 08:41:00 GMT")
ZONES = st.sampled_from([None, timezone.utc, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))])
date_strings = st.sampled_from(DATETIMES) | st.datetimes(timezones=ZONES).map(datetime.isoformat) \
    | st.dates().map(date.isoformat)
# Page dates as `read` gives them: whatever parse_datetime accepts.
page_dates = date_strings.map(read.parse_datetime).filter(lambda d: d is not None)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    attrs = st.sampled_from(["", ' class="post"', ' datetime="{}"', ' type="application/ld+json"', ' id="x'])
    return st.builds(
        lambda tag, attr, when, inner, closed: f"<{tag}{attr.format(when)}>{inner}" + (f"</{tag}>" if closed else ""),
        st.sampled_from(TAGS), attrs, date_strings, children, st.booleans())


html_fragments = st.recursive(news_text | st.sampled_from(["&amp;", "&lol;", "<!-- c -->", "<!--", "<", ">", "]]>"]),
                              lambda inner: _element(st.lists(inner, max_size=4).map("".join)), max_leaves=25)

# ---------------------------------------------------------------- random JSON

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text | date_strings
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)
UPDATE_KEYS = ("@type", "headline", "articleBody", "text", "description", "datePublished", "dateCreated", "url")
updates = st.dictionaries(st.sampled_from(UPDATE_KEYS), json_values | any_text | html_fragments, max_size=6)
live_blogs = st.fixed_dictionaries({
    "@type": st.sampled_from(["LiveBlogPosting", ["LiveBlogPosting", "NewsArticle"], "schema:LiveBlogPosting", 7]),
    "liveBlogUpdate": st.lists(updates, max_size=5) | updates | json_values,
}, optional={"datePublished": date_strings | json_values, "@graph": st.lists(json_values, max_size=3),
             "publisher": json_values, "headline": json_values})


def jsonld_page(blog: dict, extra: str) -> str:
    return (f'<html><head><script type="application/ld+json">{json.dumps(blog)}</script></head>'
            f"<body>{extra}</body></html>")


jsonl_records = st.fixed_dictionaries({}, optional={
    "published": date_strings | json_values, "text": any_text | json_values,
    "headline": any_text | json_values, "url": json_values, "outlet": json_values, "id": json_values})
jsonl_texts = st.lists(st.builds(json.dumps, jsonl_records) | json_values.map(json.dumps) | st.text(max_size=40),
                       max_size=6).map("\n".join)


# ---------------------------------------------------------------- checks

def check_items(items: list[Item], doc: Document) -> None:
    assert [i.position for i in items] == list(range(len(items)))
    for item in items:
        assert item.text.strip() and item.split_method in SPLIT_METHODS
        assert item.published.tzinfo is not None
        assert item.item_time is None or item.item_time.tzinfo is not None
        assert item.source == doc.source and len(item.item_id) == 16


def check_mentions(item: Item) -> None:
    for m in extract_item(item):
        assert type(m.event_date) is date and m.date_precision in PRECISIONS
        assert 0 <= m.char_start < m.char_end <= len(item.text)
        assert item.text[m.char_start:m.char_end] in m.sentence
        for category, value in m.figure_values().items():
            assert type(value) is int and value >= 0, (category, value)
        for figure in m.figures:
            assert item.text[figure.char_start:figure.char_end] == figure.text


def split_and_extract(doc: Document) -> None:
    try:
        items, warnings = split.split_document(doc)
    except TimelineError:
        return
    assert all(isinstance(w, str) and "\n" not in w for w in warnings)
    check_items(items, doc)
    for item in items:
        check_mentions(item)


def make_doc(text: str, kind: str, published: datetime | None = datetime(2025, 5, 14, tzinfo=timezone.utc),
             title: str | None = None) -> Document:
    return Document(source=f"page.{kind}", path=f"/in/page.{kind}", kind=kind, text=text, published=published,
                    title=title)


# ---------------------------------------------------------------- read

@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


@fuzz(300)
@given(data=st.binary(max_size=300) | any_text.map(lambda t: t.encode("utf-8"))
       | any_text.map(lambda t: t.encode("utf-16")) | html_fragments.map(lambda t: t.encode("cp1252", "replace")),
       suffix=st.sampled_from([".txt", ".html", ".jsonl", ".htm", ".pdf"]))
def test_read_any_bytes(scratch, data, suffix):
    path = scratch / f"page-2025-05-14{suffix}"
    path.write_bytes(data)
    try:
        doc = read.read_document(path)
    except TimelineError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(path))
        return
    assert doc.text.strip() and doc.published.tzinfo is not None
    split_and_extract(doc)


@fuzz(200)
@given(rows=st.lists(st.lists(st.text(max_size=12) | st.sampled_from(["page.txt", "../x", "2025-05-14", "/etc/x"]),
                              max_size=6), max_size=5),
       header=st.lists(st.sampled_from(["file", "published", "outlet", "url", "title", "notes", "File", ""]),
                       max_size=6))
def test_read_any_manifest(scratch, rows, header):
    folder = scratch / "manifest"
    folder.mkdir(exist_ok=True)
    (folder / "page.txt").write_text("Two people were hurt in Kherson.\n", encoding="utf-8")
    lines = [",".join(header)] + [",".join(row) for row in rows]
    (folder / "sources.csv").write_text("\n".join(lines), encoding="utf-8")
    docs, errors = read.read_inputs([folder])
    assert all(isinstance(e, TimelineError) and "\n" not in e.reason for e in errors)
    assert all(d.source == "page.txt" for d in docs)


@fuzz(300)
@given(value=any_text)
def test_parse_datetime_any_text(value):
    parsed = read.parse_datetime(value)
    assert parsed is None or parsed.tzinfo is not None


# ---------------------------------------------------------------- split and extract

@fuzz(700)
@given(text=any_text, published=page_dates, title=st.none() | news_text)
def test_split_and_extract_any_text(text, published, title):
    split_and_extract(make_doc(text, "text", published, title))


@fuzz(500)
@given(body=html_fragments, published=page_dates)
def test_split_and_extract_any_html(body, published):
    split_and_extract(make_doc(f"<html><body>{body}</body></html>", "html", published))


@fuzz(500)
@given(blog=live_blogs, extra=html_fragments)
def test_split_and_extract_any_jsonld(blog, extra):
    page = jsonld_page(blog, extra)
    split_and_extract(make_doc(page, "html"))


@fuzz(400)
@given(text=jsonl_texts)
def test_split_and_extract_any_jsonl(text):
    split_and_extract(make_doc(text, "jsonl", published=None))


@fuzz(600)
@given(text=news_text, anchor=page_dates, timed=st.booleans())
def test_extract_any_news_like_item(text, anchor, timed):
    if not text.strip():
        return
    item = Item(item_id="0" * 16, source="page.txt", url=None, outlet=None, published=anchor,
                item_time=anchor if timed else None, position=0, headline=None, text=text)
    check_mentions(item)


# ---------------------------------------------------------------- a whole build

@fuzz(60)
@given(jsonl=jsonl_texts, text=news_text, html=html_fragments, published=date_strings)
def test_build_any_folder(scratch, jsonl, text, html, published):
    """Read, split, extract, merge and write a folder of random pages: only typed errors, tables written."""
    folder, out = scratch / "build", scratch / "out"
    folder.mkdir(exist_ok=True)
    (folder / "wire.jsonl").write_text(jsonl, encoding="utf-8")
    (folder / "page.txt").write_text(text, encoding="utf-8")
    (folder / "page.html").write_text(html, encoding="utf-8")
    (folder / "sources.csv").write_text(f"file,published\npage.txt,{published}\npage.html,{published}\n",
                                        encoding="utf-8")
    report = pipeline.build([folder], out)
    assert all(isinstance(e, TimelineError) and "\n" not in e.reason for e in report.skipped)
    assert {p.name for p in report.written} >= {"events.parquet", "items.csv"}
