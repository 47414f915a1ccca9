"""Typed errors. The CLI turns each into one clean line and an exit code."""
from __future__ import annotations

from pathlib import Path


class TimelineError(Exception):
    """Base class for every error `timeline` raises on purpose."""


class InputError(TimelineError):
    """One input file cannot be used. Carries the file and a one-line reason."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self):
        """Pickled as (path, reason), so it crosses to and from worker processes."""
        return type(self), (self.path, self.reason)


class VocabularyError(TimelineError):
    """A vocabulary data file is malformed (duplicate key, bad column, ...)."""


class SchemaError(TimelineError):
    """A table does not match the output schema (missing or unknown columns)."""


class OutputError(TimelineError):
    """The output folder cannot be read or written."""


class UsageError(TimelineError):
    """An option that cannot work as given (`--jobs 0`)."""


class ClusterError(TimelineError):
    """The Dask cluster cannot be reached or used."""
