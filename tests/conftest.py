"""Shared fixtures for the read and split tests."""
from __future__ import annotations

import importlib.util
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from timeline.models import Document

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
BENCH = Path(__file__).resolve().parents[1] / "bench"


def load_bench_module(name: str):
    """bench/NAME.py imported as the module bench_NAME (bench/ holds scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module          # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fixtures_dir() -> Path:
    """Small hand-written inputs (tests/fixtures)."""
    return FIXTURES


@pytest.fixture
def seeds_dir() -> Path:
    """The real Independent scrapes shared by the project; skipped when absent."""
    if not SEEDS.is_dir():
        pytest.skip(f"real seeds not found at {SEEDS}")
    return SEEDS


@pytest.fixture
def make_doc():
    """Build a Document from text, dated 2025-05-14 (UTC) unless told otherwise."""
    def build(text: str, kind: str = "text", source: str = "page.txt", **fields) -> Document:
        fields.setdefault("published", datetime(2025, 5, 14, tzinfo=timezone.utc))
        return Document(source=source, path=f"/in/{source}", kind=kind, text=text, **fields)
    return build


# One short dated page that every CLI and hostile-input test can rely on being read.
ODESA_PAGE = ("Russian drones struck Odesa overnight, killing two people and injuring nine, "
              "the regional governor said.\n")


@pytest.fixture
def inputs(tmp_path) -> Path:
    """An input folder holding one good page, odesa-2025-06-10.txt."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "odesa-2025-06-10.txt").write_text(ODESA_PAGE, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's /usr/bin/chromium, installed by apt-get when missing; a failure to get it fails the test
    (never a skip: the report's browser test must run)."""
    from browser import BrowserUnavailable, ensure_chromium

    try:
        return ensure_chromium()
    except BrowserUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
