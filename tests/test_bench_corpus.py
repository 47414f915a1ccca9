"""The benchmark's corpus generator (bench/corpus.py), run through the real pipeline.

The benchmark is only as good as its corpus: these checks fail when the generator
writes pages the reader skips, posts the splitter cuts or glues differently, or
sentences the extractor no longer reads, so the generator cannot rot unnoticed.
"""
from __future__ import annotations

import json
import string
from collections import defaultdict
from datetime import date, datetime, timezone

import pytest

from conftest import load_bench_module
from timeline import pipeline, split, write
from timeline.models import Document

ITEMS = 60

corpus = load_bench_module("corpus")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A 60-item corpus (with its truth file), built by the real pipeline."""
    root = tmp_path_factory.mktemp("bench-corpus")
    meta = corpus.write_corpus(root / "in", ITEMS, seed=7, truth=True)
    report = pipeline.build([root / "in"], root / "out")
    tables = write.read_tables(root / "out")
    truth = [json.loads(line) for line in (root / "in" / ".truth.jsonl").read_text(encoding="utf-8").splitlines()]
    return root, meta, report, tables, truth


def _mention_of(tables, truth_row):
    """The mention extracted from a truth sentence (same page, same item, same sentence), or None."""
    items = tables["items"]
    item = items[(items["source"] == truth_row["source"]) & (items["position"] == truth_row["position"])]
    if len(item) != 1:
        return None
    mentions = tables["mentions"]
    mine = mentions[(mentions["item_id"] == item["item_id"].iloc[0])
                    & mentions["sentence"].str.startswith(truth_row["sentence"][:60], na=False)]
    return None if mine.empty else mine.iloc[0]


def test_every_page_is_read_and_the_item_count_is_what_was_asked(built):
    root, meta, report, tables, _ = built
    assert report.skipped == [] and report.parts_skipped == 0 and report.warnings == []
    pages = [p for p in (root / "in").rglob("*") if p.is_file() and p.name[0] != "." and p.name != "sources.csv"]
    assert report.files_read == meta["pages"] == len(pages)
    assert report.items == ITEMS == sum(meta["items_by_layout"].values())
    # every layout the reader understands, each through its own split path
    assert set(meta["pages_by_layout"]) == {"scrape", "bullets", "timed", "jsonld", "markup", "jsonl"}
    assert set(tables["items"]["split_method"]) == {"text", "bullets", "timed", "jsonld", "markup", "jsonl"}


def test_most_event_sentences_give_a_mention_of_their_type(built):
    _, meta, _, tables, truth = built
    assert len(truth) == meta["event_sentences"] >= ITEMS * 0.8
    found = [(t, _mention_of(tables, t)) for t in truth]
    read = [(t, m) for t, m in found if m is not None]
    assert len(read) >= 0.9 * len(truth)
    assert sum(m["event_type"] == t["type"] for t, m in read) >= 0.95 * len(read)


def test_figures_come_out_as_written(built):
    _, _, _, tables, truth = built
    checked = 0
    for t in truth:
        mention = _mention_of(tables, t)
        if t["kind"] == "tally" and t["mode"] == "lead" and mention is not None:
            # "Russia launched 515 drones and 18 missiles ..., adding that 441 drones and 16 missiles were shot down"
            assert int(mention["drones"]) == t["figures"]["drones"], t["sentence"]
            checked += 1
    assert checked >= 2
    strikes = [(t, _mention_of(tables, t)) for t in truth if t["kind"] == "strike" and t["mode"] == "lead"]
    exact = [t for t, m in strikes if m is not None
             and all(int(m[k]) == v if m[k] == m[k] else False for k, v in t["figures"].items())]
    assert len(exact) >= 0.8 * len(strikes) > 0


def test_an_event_reported_by_several_pages_is_one_event(built):
    _, _, _, tables, truth = built
    by_event = defaultdict(list)
    for t in truth:
        by_event[(t["kind"], t["event"])].append(t)
    # the night's tally is reported by most outlets, in their own words and layouts
    tally = next(rows for (kind, _), rows in sorted(by_event.items()) if kind == "tally"
                 and len({r["source"] for r in rows}) >= 3)
    event_ids = {_mention_of(tables, t)["event_id"] for t in tally}
    assert len(event_ids) == 1
    event = tables["events"].set_index("event_id").loc[event_ids.pop()]
    assert event["n_sources"] >= 3
    assert event["drones"] == tally[0]["figures"]["drones"]
    assert event["event_date"] == date.fromisoformat(tally[0]["day"])


def test_the_same_seed_gives_the_same_files(built, tmp_path):
    root, meta, _, _, _ = built
    again = corpus.write_corpus(tmp_path, ITEMS, seed=7)
    assert again == meta
    for path in sorted((root / "in").rglob("*.*")):
        twin = tmp_path / path.relative_to(root / "in")
        if path.name != ".truth.jsonl":
            assert twin.read_bytes() == path.read_bytes(), path.name
    other = corpus.write_corpus(tmp_path / "other", ITEMS, seed=8)
    assert other != meta


class _Filled(dict):
    """Slot values for rendering a template without a generator: figures read "three people"."""

    def __missing__(self, key):
        return "three" if key.endswith("_n") else "three people"


def _render(template: str, slots: dict) -> str:
    text = string.Formatter().vformat(template, (), _Filled(slots, when="on Friday"))
    return text[0].upper() + text[1:]


def _scrape_items(paragraphs: list[str]) -> list:
    doc = Document(source="s.txt", path="/in/s.txt", kind="text", text="\n".join(paragraphs),
                   published=datetime(2025, 6, 6, tzinfo=timezone.utc))
    return split.split_document(doc)[0]


def test_each_template_sentence_starts_or_continues_a_post_as_meant():
    """In a text scrape (no separators) a post's lead must start an item and its other
    paragraphs must continue it; checked for every template, not just the ones drawn."""
    t = corpus.templates()
    gen = corpus.Generator(ITEMS)
    context = [*t["context"]["violent"], *t["context"]["political"]]
    leads = []
    for name, kind in t["kinds"].items():
        slots = gen.event(name, date(2025, 6, 6), set()).slots
        openers = [_render(x, slots) for key in ("leads", "recaps", "revisions") for x in kind.get(key, [])]
        follows = [_render(x, slots) for x in kind["follows"]] + context
        for lead in openers:
            items = _scrape_items([lead + " " + kind.get("details", [""])[0], *follows])
            assert len(items) == 1, (name, lead, [i.text[:60] for i in items])
        leads += openers
    assert len(_scrape_items(leads)) == len(leads)
