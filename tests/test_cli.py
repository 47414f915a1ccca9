"""The command line as a user runs it: exit codes, exact error lines, help."""
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from timeline import __version__
from timeline.cli import app

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
runner = CliRunner()

from conftest import ODESA_PAGE as GOOD


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_build_writes_tables_and_summarises(inputs, tmp_path):
    result = invoke("build", inputs, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("read 1 file(s), skipped 0; 1 items, 1 mentions, 1 events")
    events = pd.read_parquet(tmp_path / "out" / "events.parquet")
    assert (events.loc[0, "location"], events.loc[0, "killed"], events.loc[0, "injured"]) == ("Odesa", 2, 9)


@pytest.mark.parametrize("name, content, reason", [
    ("empty-2025-06-10.txt", b"", "empty file"),
    ("blob-2025-06-10.txt", b"\x00\x01\x02PK\x03\x04" * 50, "binary file (NUL bytes)"),
    ("undated.txt", GOOD.encode(), "no publication date: add it to sources.csv or put YYYY-MM-DD in the file name"),
])
def test_bad_file_is_named_skipped_and_exit_code_is_2(inputs, tmp_path, name, content, reason):
    (inputs / name).write_bytes(content)
    result = invoke("build", inputs, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert f"skipped {inputs / name}: {reason}" in result.stderr.splitlines()
    assert "read 1 file(s), skipped 1;" in result.stdout
    assert len(pd.read_parquet(tmp_path / "out" / "events.parquet")) == 1


def test_cp1252_page_is_read_with_a_warning(inputs, tmp_path):
    (inputs / "kherson-2025-06-05.txt").write_bytes(
        "Russian shelling killed a man in Kherson, the city\u2019s administration said.\n".encode("cp1252"))
    result = invoke("build", inputs, "--out", tmp_path / "out")
    assert result.exit_code == 0
    assert "warning: kherson-2025-06-05.txt: not UTF-8; decoded as cp1252" in result.stderr
    assert "Kherson" in set(pd.read_parquet(tmp_path / "out" / "events.parquet").location)


def test_strict_stops_at_the_first_bad_file_and_writes_nothing(inputs, tmp_path):
    (inputs / "empty-2025-06-10.txt").write_bytes(b"")
    result = invoke("build", inputs, "--out", tmp_path / "out", "--strict")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {inputs / 'empty-2025-06-10.txt'}: empty file"
    assert not (tmp_path / "out").exists()


def test_previous_output_survives_a_failed_build(inputs, tmp_path):
    out = tmp_path / "out"
    assert invoke("build", inputs, "--out", out).exit_code == 0
    before = (out / "events.parquet").read_bytes()
    (inputs / "empty-2025-06-10.txt").write_bytes(b"")
    assert invoke("build", inputs, "--out", out, "--strict").exit_code == 1
    assert (out / "events.parquet").read_bytes() == before


def test_missing_input_is_reported(tmp_path):
    result = invoke("build", tmp_path / "nope", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert f"skipped {tmp_path / 'nope'}: no such file or folder" in result.stderr


def test_inspect_shows_items_and_mentions(inputs):
    result = invoke("inspect", inputs / "odesa-2025-06-10.txt")
    assert result.exit_code == 0, result.output
    assert "odesa-2025-06-10.txt: published 2025-06-10, 1 items" in result.stdout
    assert "ASSAULT" in result.stdout and "Odesa" in result.stdout and "killed=2" in result.stdout


def test_inspect_all_lists_the_sentences_that_gave_no_event(tmp_path):
    page = tmp_path / "kyiv-2025-06-10.txt"
    page.write_text("Russian drones struck Kyiv overnight, injuring four people.\n"
                    "The city has endured more than 1,000 days of war.\n", encoding="utf-8")
    result = invoke("inspect", page, "--all")
    assert result.exit_code == 0, result.output
    assert "no event: The city has endured more than 1,000 days of war." in result.stdout
    assert "no event: Russian drones" not in result.stdout
    assert "no event:" not in invoke("inspect", page).stdout


def test_inspect_of_a_bad_file_is_one_clean_line(tmp_path):
    bad = tmp_path / "x-2025-06-10.txt"
    bad.write_bytes(b"")
    result = invoke("inspect", bad)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {bad}: empty file"


@pytest.mark.parametrize("command", ["build", "inspect", "schema", "evaluate"])
def test_every_command_has_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.stdout


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert f"timeline {name}" in readme, name


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"timeline {__version__}"


def test_schema_lists_event_columns():
    result = invoke("schema", "events")
    assert result.exit_code == 0
    assert "event_id" in result.stdout and "drones_downed" in result.stdout and "mention_id" not in result.stdout


def test_python_dash_m(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "timeline", "build", str(RAW), "--out", str(tmp_path), "-q"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert (tmp_path / "events.csv").exists()
