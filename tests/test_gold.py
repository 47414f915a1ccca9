"""The gold set: every annotation is valid, and extraction never drops below the recorded floors.

Floors live in tests/gold/baseline.json and only go up: `make gold-baseline`
raises each floor to the current score (rounded down) and never lowers one.
"""
import json
from pathlib import Path

import pytest

from timeline import read, split
from timeline.evaluate import _clean, evaluate, load_gold
from timeline.extract.sentences import split_sentences

GOLD_DIR = Path(__file__).parent / "gold"
BASELINE = json.loads((GOLD_DIR / "baseline.json").read_text(encoding="utf-8"))


def gold_files():
    """Gold files whose page is present (the seeds live beside the repo, not in it)."""
    return [p for p in sorted(GOLD_DIR.glob("*.yaml")) if load_gold(p).page.exists()]


def test_gold_set_is_present():
    assert len(gold_files()) >= 1


@pytest.mark.parametrize("path", sorted(GOLD_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_snippet_is_in_exactly_one_sentence(path):
    gold = load_gold(path)
    if not gold.page.exists():
        pytest.skip(f"{gold.page} not here (the seeds ship beside the repo)")
    (doc,), _ = read.read_inputs([gold.page], strict=True)
    items, _ = split.split_document(doc)
    sentences = [_clean(s.text) for it in items for s in split_sentences(it.text)]
    sentences += [_clean(it.headline) for it in items if it.headline]  # a post's headline may restate it
    for event in gold.events:
        for snippet in event.snippets:
            hits = sum(_clean(snippet) in s for s in sentences)
            assert hits >= 1, f"{path.name}:{event.id}: snippet {snippet!r} is in no sentence"
            assert hits == 1 or _headline_restated(snippet, items), \
                f"{path.name}:{event.id}: snippet {snippet!r} is in {hits} sentences"


def _headline_restated(snippet, items):
    """Bullet lists give every bullet its section heading as headline: a snippet there may repeat."""
    return sum(_clean(snippet) in _clean(it.headline or "") for it in items) > 1


@pytest.fixture(scope="module")
def report():
    missing = sorted(str(load_gold(p).page) for p in GOLD_DIR.glob("*.yaml") if not load_gold(p).page.exists())
    if missing:
        pytest.skip(f"floors are for the whole gold set; pages not here: {missing}")
    return evaluate(gold_files()).as_dict()


def test_fields_stay_above_their_floors(report):
    low = {name: (report["fields"][name]["f1"], floor) for name, floor in BASELINE["f1"].items()
           if name in report["fields"] and report["fields"][name]["f1"] < floor}
    assert not low, f"F1 below floor (score, floor): {low}"


def test_dedup_and_over_merges(report):
    assert report["dedup"]["pairwise_recall"] >= BASELINE["dedup"]
    assert report["dedup"]["pairwise_precision"] >= BASELINE["dedup_precision"]
    assert report["over_merges"] <= BASELINE["over_merges"]
