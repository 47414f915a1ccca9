"""A build streams: it extracts a batch of pages at a time, keeps what merge needs in compact columns
and the table rows on disk, and writes the tables a row group at a time, with the bytes the tables
written whole would have."""
from __future__ import annotations

import gc
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from timeline import memory, parallel, pipeline, state, tables, write
from timeline.columns import MentionColumns
from timeline.extract.mention import extract_item
from timeline.models import Item, Mention

from conftest import SEEDS
from test_bench_corpus import corpus

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "data" / "raw", ROOT / "tests" / "gold" / "pages", *([SEEDS] if SEEDS.is_dir() else [])]
TABLES = [f"{t}.{ext}" for t in ("events", "mentions", "items", "figures") for ext in ("parquet", "csv")]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A corpus of 600 posts from the benchmark's generator (about 25 pages)."""
    folder = tmp_path_factory.mktemp("stream") / "in"
    corpus.write_corpus(folder, 600, seed=11)
    return folder


class Census(pipeline.Stages):
    """Stage times, and how many Items and Mentions are alive as each extract, merge and write starts."""

    def __init__(self):
        super().__init__()
        self.alive: dict[str, list[tuple[int, int]]] = {"extract": [], "merge": [], "write": []}

    @contextmanager
    def __call__(self, stage):
        if stage in self.alive:
            gc.collect()
            objects = gc.get_objects()
            items = sum(type(o) is Item and o is not parallel.WARM_UP for o in objects)   # not the workers' warm-up
            self.alive[stage].append((items, sum(type(o) is Mention for o in objects)))
            del objects
        with super().__call__(stage):
            yield


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_build_holds_one_batch_of_items_and_no_mention_objects_past_extraction(generated, tmp_path, monkeypatch):
    whole = pipeline.build([generated], tmp_path / "whole")
    monkeypatch.setattr(pipeline, "BATCH_ITEMS", 60)
    census = Census()
    report = pipeline.build([generated], tmp_path / "out", stages=census)
    assert report.items == whole.items == 600 and report.mentions > 900
    largest_page = max(pq.read_table(tmp_path / "out" / "items.parquet").column("source")
                       .value_counts().field("counts").to_pylist())
    batches = census.alive["extract"]
    assert len(batches) >= 600 // (60 + largest_page)
    # as a batch is extracted, only its own items are alive, and no mention of an earlier batch
    assert max(items for items, _ in batches) <= 60 + largest_page
    assert max(mentions for _, mentions in batches) == 0
    # merge reads columns and write reads them and the spill files: no Item or Mention is left by then
    assert census.alive["merge"] == [(0, 0)] and census.alive["write"] == [(0, 0)]
    # and the batch size changes nothing written
    assert files(tmp_path / "out") == files(tmp_path / "whole")


def test_merge_columns_hold_a_mention_in_a_few_hundred_bytes(generated):
    items, _ = pipeline.read_items([generated])
    frame = pipeline.mentions_frame(pipeline.extract_all(items), items)
    columns = MentionColumns.of(frame)
    assert len(columns) == len(frame) > 900
    per_mention = columns.nbytes / len(columns)
    sentence = frame["sentence"].str.len().mean()
    assert per_mention < sentence + 200      # the sentence and about 25 numbers; not a dict of 45 values


def test_streamed_tables_are_the_bytes_of_the_tables_written_whole(tmp_path, monkeypatch):
    """Many batches and many row groups (of 100 rows) against the tables built in memory and
    written as DataFrames."""
    monkeypatch.setattr(write, "ROW_GROUP_ROWS", 100)
    monkeypatch.setattr(pipeline, "BATCH_ITEMS", 25)
    report = pipeline.build(PAGES, tmp_path / "streamed")
    assert report.mentions > 300 and report.items > 200
    items, _ = pipeline.read_items(PAGES)
    tables = pipeline.process(sorted(items, key=lambda i: (i.source, i.position, i.item_id)))
    write.write_tables(tables.as_dict(), tmp_path / "whole")
    streamed, whole = files(tmp_path / "streamed"), files(tmp_path / "whole")
    for name in [*TABLES, "datapackage.json"]:
        assert streamed[name] == whole[name], name
    assert pq.ParquetFile(tmp_path / "streamed" / "mentions.parquet").metadata.num_row_groups == \
        -(-report.mentions // 100)


def test_the_state_keeps_items_and_mentions_in_row_groups_of_its_own_size_and_reads_pages_across_them(
        tmp_path, monkeypatch):
    """The state's items and mentions do not depend on the batches a build took, and a page whose
    rows straddle two row groups reads back whole (a later build reads them a row group at a time)."""
    monkeypatch.setattr(tables, "STATE_ROW_GROUP", 50)
    built = {}
    for batch in (25, 2000):
        monkeypatch.setattr(pipeline, "BATCH_ITEMS", batch)
        report = pipeline.build(PAGES, tmp_path / str(batch))
        built[batch] = [(tmp_path / str(batch) / state.STATE_DIR / name).read_bytes()
                        for name in ("items.parquet", "mentions.parquet")]
    assert built[25] == built[2000]
    for name, rows in (("items.parquet", report.items), ("mentions.parquet", report.mentions)):
        meta = pq.ParquetFile(tmp_path / "25" / state.STATE_DIR / name).metadata
        whole, rest = divmod(rows, 50)
        assert [meta.row_group(g).num_rows for g in range(meta.num_row_groups)] == [50] * whole + [rest] * (rest > 0)
    previous = state.load(tmp_path / "25")
    read, _ = pipeline.read_items(PAGES)
    assert previous.sources() == {i.source for i in read}
    for source in sorted(previous.sources()):
        items = previous.items_of(source)
        assert items == sorted((i for i in read if i.source == source), key=lambda i: (i.position, i.item_id))
        assert previous.mentions_of(source, items) == [extract_item(i) for i in items], source


@pytest.mark.parametrize("rows", [0, 99, 100, 350])
def test_a_table_written_column_by_column_is_the_table_written_at_once(tmp_path, monkeypatch, rows):
    monkeypatch.setattr(write, "ROW_GROUP_ROWS", 100)
    table = pa.table({"word": pa.array([None if n % 7 == 0 else "w" * (n % 13) for n in range(rows)], pa.string()),
                      "n": pa.array(range(rows), pa.int64())})
    pq.write_table(table, tmp_path / "once.parquet", compression="zstd", row_group_size=100)
    write.write_parquet_columns(tmp_path / "pieces.parquet", table.schema, rows,
                                lambda name, start, stop: table.column(name).slice(start, stop - start))
    assert (tmp_path / "pieces.parquet").read_bytes() == (tmp_path / "once.parquet").read_bytes()


@pytest.mark.parametrize("kind", [pa.string(), pa.int64(), pa.int8(), pa.float64(), pa.date32(),
                                  pa.timestamp("us", tz="UTC")])
def test_pieces_joined_in_place_are_the_pieces_concatenated(kind):
    values = [None if n % 5 == 0 else n for n in range(300)]
    if kind == pa.string():
        whole = pa.array([None if v is None else str(v) * (v % 4) for v in values], kind)
    else:
        whole = pa.array([None if v is None else v % 100 for v in values], pa.int64())
        whole = whole.cast(pa.int32()).view(kind) if kind == pa.date32() else whole.cast(kind)
    pieces = [whole.slice(0, 7), pa.chunked_array([whole.slice(7, 0), whole.slice(7, 100)]), whole.slice(107, 193)]
    joined = write.joined(iter(pieces), kind, 300)
    assert joined.equals(whole) and joined.null_count == 60
    if kind == pa.string():    # a bound of the characters' bytes above what they take: the same array
        bytes_ = sum(len(v.encode()) for v in whole.to_pylist() if v)
        for bound in (bytes_, bytes_ + 50):
            assert write.joined(iter(pieces), kind, 300, bound).equals(whole)
    assert write.joined(iter([whole.slice(10, 20).filter(pa.array([False] * 20))]), kind, 0).equals(whole.slice(0, 0))


def test_arrow_allocates_with_the_system_allocator_unless_told_otherwise():
    """mimalloc, Arrow's default, keeps what a large build frees (see timeline/__init__.py)."""
    code = "import timeline.pipeline, pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.strip() == "system"
    told = {**env, "ARROW_DEFAULT_MEMORY_POOL": "mimalloc"}
    assert subprocess.run([sys.executable, "-c", code], env=told, capture_output=True, text=True,
                          check=True).stdout.strip() == "mimalloc"
    memory.give_back()   # and giving freed memory back is safe to call at any time


def test_a_spill_reads_back_any_rows_of_a_text_column_as_written(tmp_path):
    """Rows across row groups (each group one batch), text with nulls and characters of several
    bytes: one read of each group, into a buffer sized from the bytes counted as they were written."""
    arrow = pa.schema([("sentence", pa.string()), ("n", pa.int64())])
    spill = tables.Spill(tmp_path / "spill.parquet", arrow)
    batches = [pa.table({"sentence": [None if k % 7 == 0 else f"Київ {k} – “{'x' * (k % 5)}”" for k in range(a, b)],
                         "n": list(range(a, b))}, schema=arrow) for a, b in ((0, 40), (40, 41), (41, 100))]
    for batch in batches:
        spill.add(batch)
    spill.close()
    whole = pa.concat_tables(batches).column("sentence").combine_chunks()
    for start, stop in ((0, 100), (3, 40), (39, 42), (40, 41), (55, 99), (7, 7)):
        assert spill.column("sentence", start, stop).equals(whole.slice(start, stop - start)), (start, stop)
