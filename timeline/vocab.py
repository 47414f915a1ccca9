"""Vocabularies are data files under `timeline/data/`; this module loads them.

Every loader is cached (read once per process) and returns immutable data, so
there is no module-level mutable state. `validate_all()` checks every file.
"""
from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources

from .errors import VocabularyError

DATA_PACKAGE = "timeline.data"


def read_text(name: str) -> str:
    """The text of a data file shipped in `timeline/data/`."""
    try:
        return resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise VocabularyError(f"missing vocabulary file: timeline/data/{name}") from exc


@lru_cache(maxsize=None)
def load_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a CSV data file, as dicts; lines starting with '#' are comments."""
    lines = [ln for ln in read_text(name).splitlines() if ln.strip() and not ln.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    rows = []
    for lineno, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise VocabularyError(f"timeline/data/{name}: row {lineno} has the wrong number of columns")
        rows.append({k: v.strip() for k, v in row.items()})
    return tuple(rows)


@lru_cache(maxsize=None)
def load_lines(name: str) -> tuple[str, ...]:
    """Non-empty, non-comment lines of a plain-text data file."""
    return tuple(
        ln.strip() for ln in read_text(name).splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    )


def split_aliases(value: str) -> list[str]:
    """A `;`-joined alias cell as a list (empty cell -> empty list)."""
    return [a.strip() for a in value.split(";") if a.strip()]
