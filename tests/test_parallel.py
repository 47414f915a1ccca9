"""`timeline build --jobs N` and `--partition`: the same bytes as a build in one process."""
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from timeline import parallel, pipeline
from timeline.cli import app
from timeline.extract import places

from conftest import SEEDS

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
GOLD_PAGES = ROOT / "tests" / "gold" / "pages"
INPUTS = [RAW, GOLD_PAGES, *([SEEDS] if SEEDS.is_dir() else [])]
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def files(out: Path) -> dict[str, bytes]:
    """Every file of a build (the .timeline/ state and events/ dataset included), by relative path."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_jobs_2_writes_the_same_bytes_as_jobs_1(tmp_path):
    for jobs in (1, 2):
        result = invoke("build", *INPUTS, "--out", tmp_path / f"jobs{jobs}", "--jobs", jobs, "--partition")
        assert result.exit_code == 0, result.output
    one, two = files(tmp_path / "jobs1"), files(tmp_path / "jobs2")
    assert {"events.parquet", "events.csv", "mentions.csv", "figures.csv", "items.parquet", "datapackage.json",
            ".timeline/items.parquet", ".timeline/links.parquet"} <= set(one)
    assert list(one) == list(two)
    for name in one:
        assert one[name] == two[name], name


def test_jobs_extract_in_worker_processes_in_input_order():
    items, _ = pipeline.read_items([RAW])
    seen = []
    found = parallel.extract(items, 2, progress=lambda stage, done, total: seen.append(done))
    assert found == pipeline.extract_each(items)
    # progress comes once per chunk that a worker sent back, so the pool did the work
    sizes = [len(c) for c in parallel.chunks(items, 2)]
    assert len(sizes) > 2 and seen == [sum(sizes[:n]) for n in range(1, len(sizes) + 1)]


def _index_loads(_):
    return os.getpid(), places.load_index.cache_info().misses


def test_each_worker_loads_the_gazetteer_index_once_as_it_starts():
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(2, initializer=parallel.start_worker) as pool:
        loads = dict(pool.map(_index_loads, range(16), chunksize=1))
    assert loads and set(loads.values()) == {1}


def test_chunks_keep_the_order_and_stay_small():
    items = list(range(10_000))
    parts = parallel.chunks(items, 2)
    assert [i for part in parts for i in part] == items
    assert max(map(len, parts)) == parallel.MAX_CHUNK
    assert parallel.chunks(list(range(5)), 4) == [[0], [1], [2], [3], [4]]
    assert parallel.chunks([], 2) == []


@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_jobs_below_one_is_one_clear_line_and_nothing_is_written(tmp_path, inputs, jobs):
    result = invoke("build", inputs, "--out", tmp_path / "out", "--jobs", jobs)
    assert result.exit_code == 1
    assert result.stderr == f"error: --jobs must be a whole number of 1 or more (got {jobs})\n"
    assert not (tmp_path / "out").exists()


def test_help_documents_jobs_scheduler_and_partition():
    result = invoke("build", "--help")
    assert result.exit_code == 0
    for option in ("--jobs N", "--scheduler ADDRESS", "'local'", "--partition", "events/month=YYYY-MM"):
        assert option in result.stdout, option


def test_partitioned_events_read_as_one_dataset_equal_events_parquet(tmp_path):
    out = tmp_path / "out"
    pipeline.build([RAW], out, partition=True)
    months = sorted(p.relative_to(out).as_posix() for p in (out / "events").rglob("*.parquet"))
    assert months == ["events/month=2025-04/part-0.parquet", "events/month=2025-05/part-0.parquet",
                      "events/month=2025-06/part-0.parquet"]
    flat = pd.read_parquet(out / "events.parquet")
    dataset = pd.read_parquet(out / "events")
    assert list(dataset.month.astype(str)) == list(pd.to_datetime(flat.event_date).dt.strftime("%Y-%m"))
    pd.testing.assert_frame_equal(dataset.drop(columns="month"), flat)
    may = pd.read_parquet(out / "events" / "month=2025-05" / "part-0.parquet")
    assert len(may) == (pd.to_datetime(flat.event_date).dt.month == 5).sum() and list(may.columns) == list(flat.columns)


def test_a_build_without_partition_removes_the_stale_dataset(tmp_path, inputs):
    out = tmp_path / "out"
    pipeline.build([RAW], out, partition=True)
    assert (out / "events" / "month=2025-06").is_dir()
    pipeline.build([inputs], out, rebuild=True)
    assert not (out / "events").exists()
    assert not list(out.glob(".tmp-*"))


def test_partition_replaces_the_earlier_dataset_whole(tmp_path, inputs):
    out = tmp_path / "out"
    pipeline.build([RAW], out, partition=True)
    pipeline.build([inputs], out, rebuild=True, partition=True)   # one event, on 2025-06-10
    assert sorted(p.name for p in (out / "events").iterdir()) == ["month=2025-06"]
    assert len(pd.read_parquet(out / "events")) == 1
    assert not list(out.glob(".tmp-*"))


def test_a_folder_named_events_that_timeline_did_not_write_is_left_alone(tmp_path, inputs):
    out = tmp_path / "out"
    (out / "events").mkdir(parents=True)
    (out / "events" / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = invoke("build", inputs, "--out", out, "--partition")
    assert result.exit_code == 1
    assert result.stderr == (f"error: {out / 'events'}: exists and is not a dataset timeline wrote; "
                             "move it away or use another --out\n")
    assert (out / "events" / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert not (out / "events.parquet").exists()
    assert invoke("build", inputs, "--out", out).exit_code == 0      # without --partition it is not ours to remove
    assert (out / "events" / "notes.txt").read_text(encoding="utf-8") == "mine\n"
