"""The merge in parts (timeline.distributed's merge): each group of blocks merged alone, anywhere,
gives the events of the merge in one piece."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from timeline import merge, pipeline, write
from timeline.columns import MentionColumns

from conftest import SEEDS

ROOT = Path(__file__).resolve().parents[1]
INPUTS = [ROOT / "data" / "raw", ROOT / "tests" / "gold" / "pages", *([SEEDS] if SEEDS.is_dir() else [])]


@pytest.fixture(scope="module")
def gold_mentions() -> pd.DataFrame:
    items, _ = pipeline.read_items(INPUTS)
    return pipeline.mentions_frame(pipeline.extract_all(items), items)


def in_process(parts):
    return [merge.merge_columns(columns, previous) for columns, previous in parts]


def in_parts(frame: pd.DataFrame, previous: dict | None, parts: int, run=in_process) -> merge.Merged:
    columns, earlier = MentionColumns.of(frame), merge.Earlier.of(previous, frame["mention_id"])
    return merge.merge_in_parts(columns, earlier, parts, run).merged(columns, frame.index)


def assert_same_merge(a: merge.Merged, b: merge.Merged) -> None:
    pd.testing.assert_frame_equal(write.sort_table(a.events, "events"), write.sort_table(b.events, "events"))
    pd.testing.assert_series_equal(a.event_of, b.event_of, check_names=False)
    pd.testing.assert_frame_equal(a.links.sort_values("mention_id", ignore_index=True),
                                  b.links.sort_values("mention_id", ignore_index=True))


def test_no_event_has_mentions_of_two_groups_and_only_calls_take_other_blocks(gold_mentions):
    merged = merge.merge_mentions(gold_mentions)
    groups = merge.merge_groups(MentionColumns.of(gold_mentions))
    blocks = pd.DataFrame({"event_id": merged.event_of, "block": merge.block_of(gold_mentions), "group": groups,
                           "type": gold_mentions["event_type"]})
    assert (blocks.groupby("event_id")["group"].nunique() == 1).all()
    # an event spans blocks only as a call with the requests of its readout
    spanning = blocks.groupby("event_id").filter(lambda g: g["block"].nunique() > 1)
    assert set(spanning["type"]) == {"CONSULT", "REQUEST"}
    assert blocks["block"].nunique() > 50 and (merged.events.n_mentions > 1).sum() > 30   # a real test of it


@pytest.mark.parametrize("parts", [1, 3, 16])
def test_merging_in_parts_gives_the_events_of_one_merge(gold_mentions, parts):
    assert_same_merge(in_parts(gold_mentions, None, parts), merge.merge_mentions(gold_mentions))


def test_earlier_ids_spanning_blocks_join_their_blocks_into_one_group(gold_mentions):
    whole = merge.merge_mentions(gold_mentions)
    previous = dict(zip(gold_mentions.mention_id, whole.event_of))
    ids = list(previous)
    for i in range(0, len(ids) - 5, 5):   # as if vocabularies changed: earlier events that span blocks now
        previous[ids[i]] = previous[ids[i + 5]]
    groups = merge.merge_groups(MentionColumns.of(gold_mentions), merge.Earlier.of(previous, gold_mentions["mention_id"]))
    assert len(np.unique(groups)) < merge.block_of(gold_mentions).nunique()
    assert_same_merge(in_parts(gold_mentions, previous, 8), merge.merge_mentions(gold_mentions, previous))


def test_an_id_salted_across_groups_falls_back_to_one_merge(gold_mentions):
    """An earlier id that is also the hash another block's new event gets: merged in one piece, the
    new event's id is salted; merged apart, both events would carry it."""
    whole = merge.merge_mentions(gold_mentions)
    block = dict(zip(gold_mentions.mention_id, merge.block_of(gold_mentions)))
    single = whole.events[whole.events.n_mentions == 1].event_id.iloc[0]   # its id: the hash of its one mention
    mention = gold_mentions.mention_id[whole.event_of == single].iloc[0]
    claimant = next(m for m in gold_mentions.mention_id if block[m] != block[mention])
    two_blocks = gold_mentions[gold_mentions.mention_id.map(block).isin([block[mention], block[claimant]])]
    previous = {claimant: single}
    one = merge.merge_mentions(two_blocks, previous)
    assert one.events.event_id.is_unique and one.event_of[two_blocks.mention_id == claimant].iloc[0] == single
    apart = []
    result = in_parts(two_blocks, previous, 2, lambda parts: apart.extend(in_process(parts)) or apart)
    ids = pd.Series([i for m in apart for i in m.events.column("event_id").to_pylist()])
    assert len(apart) == 2 and ids.duplicated().sum() == 1
    assert_same_merge(result, one)


@pytest.mark.parametrize("grouping", ["at random", "by report time", "all reported at once, twice"])
def test_the_first_report_of_events_taken_whole_is_the_one_the_scan_would_pick(gold_mentions, grouping):
    """`_first_reports` (events taken whole from an earlier build) picks, per event, the mention
    `_finished` picks: the least by report time, page, position, offset and id (the keys after the
    report time decide among mentions reported at once; the id among copies of one mention)."""
    frame = gold_mentions
    if grouping == "all reported at once, twice":
        frame = pd.concat([frame, frame.assign(mention_id=frame.mention_id + "-copy")], ignore_index=True)
        frame["reported"] = frame.reported.iloc[0]
    columns = MentionColumns.of(frame)
    rows = np.random.default_rng(7).permutation(len(columns))
    if grouping == "by report time":
        event = np.unique(columns["ts"][rows], return_inverse=True)[1]
    else:
        event = rows % 11
    n = int(event.max()) + 1
    records = columns.records(rows)
    expected = [min((r for r, e in zip(records, event) if e == k), key=merge._report_order)["mention_id"]
                for k in range(n)]
    assert merge._first_reports(columns, rows, event, n) == expected
