"""Hostile input, as a user meets it through `timeline build`, and crash safety.

Every case: one line on stderr naming the file and the reason (the README's
"Hostile input" table quotes these lines), the other files still processed,
nothing already in --out lost, exit code 2 when something was skipped.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from timeline import read, split, write
from timeline.cli import app

ROOT = Path(__file__).resolve().parents[1]
from conftest import ODESA_PAGE as GOOD
UNDATED = "no publication date: add it to sources.csv or put YYYY-MM-DD in the file name"
HTML_POSTS = ('<div><time datetime="2025-06-10T06:10:00Z">06:10</time><p>A drone hit a school in Sumy.</p></div>'
              '<div><time datetime="2025-06-10T07:45:00Z">07:45</time><p>Two people were hurt in Kherson.</p></div>')


def sparse(path: Path, size: int) -> None:
    """A file of `size` bytes that takes no disk space and no time to make."""
    with path.open("wb") as handle:
        handle.truncate(size)


def jsonld_page(blob: str) -> str:
    return f'<html><head><script type="application/ld+json">{blob}</script></head><body>{HTML_POSTS}</body></html>'


def entity_bomb() -> str:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(9))
    return f"<!DOCTYPE html [{entities}]><html><body><p>A drone hit a school in Sumy. &j;</p></body></html>"


# name, content (bytes/str, or a callable that makes the file), the stderr line ({path}, {source}), exit code
CASES = [
    ("empty-2025-06-10.txt", b"", "skipped {path}: empty file", 2),
    ("photo-2025-06-10.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "skipped {path}: binary file (NUL bytes)", 2),
    ("nul-2025-06-10.html", GOOD.encode() + b"\x00" + GOOD.encode(), "skipped {path}: binary file (NUL bytes)", 2),
    ("noise-2025-06-10.txt", bytes(range(1, 9)) * 40, "skipped {path}: binary file (not text)", 2),
    ("huge-2025-06-10.txt", lambda p: sparse(p, 200 * 1024 * 1024), "skipped {path}: too large: 200 MB (limit 50 MB)", 2),
    ("odd-2025-06-10.txt", b"Plain start \x81\x8d\x90 then bytes cp1252 lacks", "skipped {path}: not UTF-8 or cp1252 text", 2),
    ("utf16-2025-06-10.txt", GOOD.replace("Odesa", "Kherson").encode("utf-16"), None, 0),
    ("cp1252-2025-06-10.txt", "Shelling hit a caf\u00e9 in Kherson \u2013 one man was killed.\n".encode("cp1252"),
     "warning: {source}: not UTF-8; decoded as cp1252", 0),
    ("deep-jsonld-2025-06-10.html", jsonld_page("[" * 100_000 + "]" * 100_000),
     "warning: {source}: JSON-LD block 1: nested too deeply, skipped", 2),
    ("broken-jsonld-2025-06-10.html", jsonld_page('{"@type": "LiveBlogPosting", "liveBlogUpdate": [{'),
     "warning: {source}: JSON-LD block 1: not valid JSON, skipped", 2),
    ("bomb-2025-06-10.html", entity_bomb(), None, 0),
    ("nested-2025-06-10.html", "<html><body>" + "<div>" * 100_000 + "<p>A drone hit Sumy.</p></body></html>",
     "skipped {path}: HTML nested too deeply: 100,002 levels (limit 512)", 2),
    ("wire-2025-06-10.jsonl", '{"published": "2025-06-10", "text": "A drone hit Sumy."}\n{"published": "2025-06-10", '
                              '"text": "broken\n', "warning: {source}: line 2: not valid JSON, skipped", 2),
    ("deep-2025-06-10.jsonl", '{"published": "2025-06-10", "text": ' + "[" * 50_000 + "]" * 50_000 + "}\n",
     "warning: {source}: line 1: nested too deeply, skipped", 2),
    ("notes.txt", GOOD, "skipped {path}: " + UNDATED, 2),
    ("scan-2025-06-10.pdf", b"%PDF-1.4", None, 0),          # inside a folder: not an input, not mentioned
]


def build(*args):
    return CliRunner().invoke(app, ["build", *map(str, args)])


def odesa_kept(out: Path) -> bool:
    events = pd.read_parquet(out / "events.parquet")
    return bool(((events.location == "Odesa") & (events.killed == 2) & (events.injured == 9)).any())


@pytest.mark.parametrize("name, content, line, code", CASES, ids=[c[0] for c in CASES])
def test_hostile_file(inputs, tmp_path, name, content, line, code):
    out = tmp_path / "out"
    assert build(inputs, "--out", out).exit_code == 0
    path = inputs / name
    if callable(content):
        content(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    started = time.perf_counter()
    result = build(inputs, "--out", out)
    assert time.perf_counter() - started < 10
    assert result.exit_code == code, result.output
    errors = result.stderr.splitlines()
    if line is None:
        assert errors == []
    else:
        assert line.format(path=path, source=name) in errors
        assert len(errors) == 1
    assert odesa_kept(out)                          # the other files' data is still there


def test_huge_file_is_refused_by_its_size_without_being_read(tmp_path, monkeypatch):
    path = tmp_path / "huge-2025-06-10.html"
    sparse(path, 200 * 1024 * 1024)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: pytest.fail(f"{self} was opened"))
    docs, errors = read.read_inputs([path])
    assert docs == [] and [e.reason for e in errors] == ["too large: 200 MB (limit 50 MB)"]


def test_huge_jsonld_is_read_in_linear_time(tmp_path):
    updates = [{"@type": "BlogPosting", "headline": f"Update {n}", "datePublished": "2025-06-10T06:00:00Z",
                "articleBody": f"<p>Post {n}.</p>"} for n in range(20_000)]
    filler = [{"@type": "Thing", "name": "x" * 40} for _ in range(100_000)]
    page = jsonld_page(json.dumps({"@graph": [{"@type": "LiveBlogPosting", "liveBlogUpdate": updates}, *filler]}))
    assert len(page) > 8_000_000
    path = tmp_path / "huge-jsonld-2025-06-10.html"
    path.write_text(page, encoding="utf-8")
    started = time.perf_counter()
    items, warnings = split.split_document(read.read_document(path))
    assert time.perf_counter() - started < 15
    assert warnings == [] and len(items) == 20_000 and items[-1].text == "Post 19999."


def test_manifest_problems_are_one_line_each_and_good_rows_are_used(inputs, tmp_path):
    (inputs / "kherson.txt").write_text(GOOD.replace("Odesa", "Kherson"), encoding="utf-8")
    (inputs / "bad-date.txt").write_text(GOOD.replace("Odesa", "Mykolaiv"), encoding="utf-8")
    (inputs / "sources.csv").write_text(
        "file,published,outlet,editor_notes,url\n"          # editor_notes: unknown column, ignored
        "kherson.txt,2025-06-09,Example Post,checked,\n"
        "bad-date.txt,09/06/2025,,,\n"
        "../../etc/passwd,2025-06-09,,,\n"
        "missing.txt,2025-06-09,,,\n"
        "placeholder.txt,0001-01-01,,,\n", encoding="utf-8")
    out = tmp_path / "out"
    result = build(inputs, "--out", out)
    assert result.exit_code == 2
    manifest = inputs / "sources.csv"
    assert result.stderr.splitlines() == [
        f"skipped {manifest}: row 3: bad published date '09/06/2025' (use YYYY-MM-DD or an ISO datetime, 1900-2100)",
        f"skipped {manifest}: row 4: path escapes the folder: ../../etc/passwd",
        f"skipped {manifest}: row 5: file not found: missing.txt",
        f"skipped {manifest}: row 6: file not found: placeholder.txt",
        f"skipped {inputs / 'bad-date.txt'}: {UNDATED}",
    ]
    assert "read 2 file(s), skipped 5;" in result.stdout
    events = pd.read_parquet(out / "events.parquet")
    assert {"Odesa", "Kherson"} <= set(events.location) and "Mykolaiv" not in set(events.location)


# ---------------------------------------------------------------- crash safety

# Loaded by the subprocess's interpreter at start-up (PYTHONPATH): the build pauses in the
# middle of writing its CSV for `events`, after the Parquet file was staged, and waits to be killed.
PAUSE_IN_WRITE = textwrap.dedent("""
    import os, pathlib, time
    import timeline.write as write

    _write_csv = write.write_csv

    def _slow_csv(path, *args):
        _write_csv(path, *args)
        data = pathlib.Path(path).read_bytes()
        pathlib.Path(path).write_bytes(data[: len(data) // 2])
        pathlib.Path(os.environ["PAUSED_MARKER"]).touch()
        time.sleep(60)

    write.write_csv = _slow_csv
""")


def test_a_build_killed_while_writing_leaves_the_previous_output_intact(inputs, tmp_path):
    out = tmp_path / "out"
    assert build(inputs, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    frames = write.read_tables(out)
    (inputs / "kherson-2025-06-11.txt").write_text(GOOD.replace("Odesa", "Kherson"), encoding="utf-8")

    hook, marker = tmp_path / "hook", tmp_path / "paused"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(PAUSE_IN_WRITE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(hook), "PAUSED_MARKER": str(marker)}
    proc = subprocess.Popen([sys.executable, "-m", "timeline", "build", str(inputs), "--out", str(out), "-q"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 8
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the build never reached the write"
            time.sleep(0.02)
        assert list(out.glob(".tmp-*")), "the build was killed before it wrote anything"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=5)
    assert proc.returncode == -signal.SIGKILL

    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and not p.name.startswith(".tmp-")}
    assert after == before                                          # every output file byte for byte
    assert len(pd.read_csv(out / "events.csv")) == len(pd.read_parquet(out / "events.parquet")) == 1
    again = write.read_tables(out)                                  # temp files are not output
    assert set(again) == set(frames) and all(again[n].equals(frames[n]) for n in frames)
    assert odesa_kept(out) and "Kherson" not in set(pd.read_parquet(out / "events.parquet").location)

    result = build(inputs, "--out", out)                            # the next build completes the job
    assert result.exit_code == 0
    assert {"Odesa", "Kherson"} <= set(pd.read_parquet(out / "events.parquet").location)
    assert not list(out.glob(".tmp-*"))                             # and sweeps up what the killed one left
