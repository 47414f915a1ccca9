"""The command line as a user runs it: exit codes, exact error lines, help."""
import re
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
TIMELINE = Path(sys.executable).parent / "timeline"  # the installed script, as a user runs it
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


@pytest.mark.parametrize("command", ["build", "inspect", "schema", "evaluate", "report"])
def test_every_command_has_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.stdout


def test_main_help_lists_every_command():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert re.search(rf"^\s*{name}\s+\S", result.stdout, re.M), name  # listed with its one-line help


def test_build_ends_with_a_table_of_what_it_wrote(inputs, tmp_path):
    out = tmp_path / "out"
    result = invoke("build", inputs, "--out", out)
    assert result.exit_code == 0
    lines = [line.split() for line in result.stdout.splitlines()]
    assert result.stdout.splitlines()[0] == f"read 1 file(s), skipped 0; 1 items, 1 mentions, 1 events -> {out}/"
    assert lines[1] == ["table", "rows", "written"]
    figures = len(pd.read_parquet(out / "figures.parquet"))
    assert figures == 2  # killed and injured
    for name, rows in (("events", 1), ("mentions", 1), ("items", 1), ("figures", figures)):
        at = lines.index([name, str(rows), str(out / f"{name}.parquet")])
        assert lines[at + 1] == [str(out / f"{name}.csv")]
    assert lines[-1] == [str(out / "datapackage.json")]
    assert "\x1b[" not in result.stdout  # no colour codes when stdout is not a terminal


def test_verbose_says_what_each_page_gave_and_how_long_each_stage_took(inputs, tmp_path):
    (inputs / "kherson-2025-06-05.txt").write_text(
        "Russian shelling killed a man in Kherson, the city's administration said. "
        "Russian shelling killed a man in Kherson on Thursday, the governor said.\n", encoding="utf-8")
    result = invoke("build", inputs, "--out", tmp_path / "out", "--verbose")
    assert result.exit_code == 0
    assert result.stdout.startswith("read 2 file(s), skipped 0; 2 items, 3 mentions, 2 events")
    pages = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
             for line in result.stderr.splitlines() if line.startswith("│")}
    assert pages == {"kherson-2025-06-05.txt": ["", "2025-06-05", "1", "text 1", "2", "1"],
                     "odesa-2025-06-10.txt": ["", "2025-06-10", "1", "text 1", "1", "1"]}
    line = re.search(r"^time: read (\S+) s, split (\S+) s, extract (\S+) s, frames (\S+) s, merge (\S+) s, "
                     r"write (\S+) s; (\S+) s in all$", result.stderr, re.M)
    assert line
    *stages, whole = [float(t) for t in line.groups()]
    assert sum(stages) <= whole + 0.01   # each stage timed by the pipeline itself, none counted twice


def test_quiet_prints_nothing_but_problems(inputs, tmp_path):
    (inputs / "empty-2025-06-10.txt").write_bytes(b"")
    result = invoke("build", inputs, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"skipped {inputs / 'empty-2025-06-10.txt'}: empty file\n"


def test_quiet_and_verbose_together_is_an_error(inputs, tmp_path):
    result = invoke("build", inputs, "--out", tmp_path / "out", "-q", "-v")
    assert result.exit_code == 1
    assert result.stderr == "error: --quiet and --verbose cannot be used together\n"
    assert not (tmp_path / "out").exists()


def _from_bash(command: str, home) -> subprocess.CompletedProcess:
    """`command` run by bash, as a user types it at a bash prompt. Typer asks shellingham which shell
    to complete for, and shellingham names the nearest shell among the process's parents (a `--show-completion
    bash` argument is ignored): run from pytest, that would be whatever shell started pytest (`sh` under
    `nohup sh -c` or a CI runner). The trailing `; true` keeps bash from replacing itself by the command."""
    return subprocess.run(["bash", "-c", f"{command}; true"], capture_output=True, text=True, cwd=ROOT,
                          env={"PATH": f"{TIMELINE.parent}:/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/bash"})


def test_shell_completion_completes_commands_and_options(tmp_path):
    shown = _from_bash("timeline --show-completion", tmp_path)
    script = shown.stdout
    assert "_timeline_completion()" in script, shown.stdout + shown.stderr
    (tmp_path / "timeline.sh").write_text(script, encoding="utf-8")
    probe = (f"source {tmp_path / 'timeline.sh'}; "
             "COMP_WORDS=(timeline re); COMP_CWORD=1; _timeline_completion timeline; echo ${COMPREPLY[@]}; "
             "COMP_WORDS=(timeline build --reb); COMP_CWORD=2; _timeline_completion timeline; echo ${COMPREPLY[@]}")
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True,
                          env={"PATH": f"{TIMELINE.parent}:/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.stdout.splitlines() == ["report", "--rebuild"], done.stderr


def test_install_completion_writes_the_script_for_the_shell(tmp_path):
    done = _from_bash("timeline --install-completion", tmp_path)
    assert "bash completion installed" in done.stdout, done.stdout + done.stderr
    assert "_timeline_completion" in (tmp_path / ".bash_completions" / "timeline.sh").read_text(encoding="utf-8")
    assert ".bash_completions/timeline.sh" in (tmp_path / ".bashrc").read_text(encoding="utf-8")


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
