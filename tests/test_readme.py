"""The README's query examples run, against a build of data/raw, and print what the README shows."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from timeline.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def examples(title: str) -> list[tuple[str, str | None]]:
    """(python code, the output shown right after it or None) for each Python block of a section."""
    blocks = BLOCK.findall(section(title))
    out = []
    for i, (lang, body) in enumerate(blocks):
        if lang == "python":
            follows = blocks[i + 1] if i + 1 < len(blocks) else None
            out.append((body, follows[1] if follows and follows[0] == "text" else None))
    return out


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder whose data/out is the build of data/raw, as after `make timeline`."""
    folder = tmp_path_factory.mktemp("readme")
    result = CliRunner().invoke(app, ["build", str(ROOT / "data" / "raw"), "--out", str(folder / "data" / "out"), "-q"])
    assert result.exit_code == 0, result.output
    return folder


QUERIES = examples("Query the data")


def test_the_query_section_has_pandas_and_duckdb_examples_with_their_output():
    assert len(QUERIES) == 3
    assert all(shown for _, shown in QUERIES)
    assert "import duckdb" in QUERIES[-1][0]
    assert "read_parquet(\"data/out/events.parquet\")" in section("Query the data").split("```r")[1]


@pytest.mark.parametrize("code, shown", QUERIES, ids=["pandas-drones-per-week", "pandas-by-oblast", "duckdb"])
def test_query_example_prints_what_the_readme_shows(workdir, code, shown):
    done = subprocess.run([sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    printed = [line.rstrip() for line in done.stdout.rstrip().splitlines()]
    assert printed == shown.rstrip().splitlines()
