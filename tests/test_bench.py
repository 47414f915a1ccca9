"""bench/bench.py: the extraction speed on real text it reports next to the synthetic corpus's.

The timings themselves are not asserted (speed is measured by `make bench`, not by tests): these
check that the measurement reads the whole sample, counts what it says it counts, and reports
the median of its runs.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import load_bench_module
from timeline import pipeline

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "fixtures" / "pages"


bench = load_bench_module("bench")


def test_the_real_text_sample_is_every_item_of_its_pages_extracted_once():
    got = bench.real_text_once([PAGES])
    items = pipeline.read_items([PAGES], strict=True)[0]
    assert got["items"] == len(items) > 10
    assert got["words"] == sum(len(item.text.split()) for item in items)
    assert got["mentions"] == len(pipeline.extract_all(items)) > 0
    assert got["seconds"] > 0


def test_the_real_text_figure_comes_from_a_new_process(tmp_path):
    got = bench.real_text(1, [PAGES, tmp_path / "not here"])
    assert got["folders"] == [str(PAGES)]            # a folder this checkout lacks is left out
    assert got["items"] == len(pipeline.read_items([PAGES], strict=True)[0])
    # (the median is rounded to 0.1 ms in the result; the rates are of the unrounded median)
    assert abs(got["words_per_s"] - got["words"] / got["median_s"]) <= 0.01 * got["words_per_s"]
    assert abs(got["items_per_s"] - got["items"] / got["median_s"]) <= 0.01 * got["items_per_s"]
    assert abs(got["posts_per_s"] - got["words_per_s"] / bench.POST_WORDS) <= 1


def test_the_real_text_figure_is_the_median_of_its_runs(monkeypatch):
    runs = iter([0.3, 0.1, 0.25])

    def child(command, **_):
        assert command[2:] == ["--real", str(PAGES)]
        seconds = next(runs)
        out = json.dumps({"items": 10, "words": 800, "mentions": 4, "seconds": seconds})
        return subprocess.CompletedProcess(command, 0, stdout=f"{out}\n", stderr="")

    monkeypatch.setattr(bench.subprocess, "run", child)
    got = bench.real_text(3, [PAGES])
    assert (got["median_s"], got["min_s"], got["max_s"]) == (0.25, 0.1, 0.3)
    assert (got["items_per_s"], got["words_per_s"], got["posts_per_s"]) == (40, 3_200, 40)


def test_a_failed_run_is_an_error_with_what_it_printed(monkeypatch):
    monkeypatch.setattr(bench.subprocess, "run", lambda command, **_: subprocess.CompletedProcess(
        command, 1, stdout="", stderr="InputError: pages/x.txt: not UTF-8"))
    with pytest.raises(RuntimeError, match="(?s)exit 1.*not UTF-8"):
        bench.real_text(1, [PAGES])


def test_without_any_folder_of_the_sample_nothing_is_measured(tmp_path):
    assert bench.real_text(2, [tmp_path / "none"]) is None
    assert bench.real_text(0, [PAGES]) is None


def test_the_line_compares_words_per_second_with_the_largest_synthetic_build():
    real = {"items": 254, "words": 9_629, "mentions": 310, "median_s": 0.16, "runs": 5, "items_per_s": 1_588,
            "words_per_s": 60_181, "posts_per_s": 752}
    sizes = [{"items": 10_000, "stage_s": {"extract": 5.0}, "corpus": {"words_per_item": 80.0}},
             {"items": 100_000, "stage_s": {"extract": 80.0}, "corpus": {"words_per_item": 79.0}}]
    line = bench.real_text_line(real, sizes)
    assert "752 posts of 80 words/s" in line
    assert line.endswith("(the synthetic 100,000: 98,750 words/s)")     # 100,000 x 79 / 80 s
    assert "synthetic" not in bench.real_text_line(real, [])


@pytest.mark.parametrize("folder", bench.REAL_TEXT[:1])
def test_the_sample_shipped_with_the_project_is_there(folder):
    assert folder.is_dir() and pipeline.read_items([folder], strict=True)[0]


def test_a_failed_real_text_run_does_not_stop_the_sizes(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(bench, "startup", lambda runs: {"runs": runs, "median_s": 1.0, "min_s": 1.0, "max_s": 1.0,
                                                       "exit_codes": [0]})
    monkeypatch.setattr(bench, "real_text", lambda runs: (_ for _ in ()).throw(RuntimeError("sample unreadable")))
    measured = []
    monkeypatch.setattr(bench, "measure", lambda n, seed, jobs: measured.append(n) or {
        "items": n, "skipped": 0, "wall_s": 2.0, "mentions": 1, "events": 1, "peak_rss_mb": 100,
        "other_s": 0.1, "stage_s": dict.fromkeys(bench.STAGES, 0.3), "add_a_page": {"wall_s": 0.5, "peak_rss_mb": 100}})
    out = tmp_path / "results.json"
    assert bench.main(["100", "--json", str(out)]) == 1
    assert measured == [100]
    report = json.loads(out.read_text())
    assert report["failed_real_text"] == "sample unreadable" and report["sizes"][0]["items"] == 100
    assert "sample unreadable" in capsys.readouterr().err
