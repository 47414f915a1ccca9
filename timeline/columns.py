"""The mentions of a build as merge reads them, in compact columns.

A merge must see every mention of a build, so how each is held decides the
memory a large build needs. Here a mention is a row of arrays, not an object:
strings that repeat (place, actor, type, page, ...) are codes into a table of
their values, ids are bytes, sentences one Arrow string array, and figures a
sparse list beside them; about 300 bytes a mention instead of a few kilobytes
as a dict. `merge` turns the rows it is working on back into dicts (`records`),
a few days' worth at a time.

Rows come in the order they were appended, which breaks ties in the merge's
sort: the order of the mentions a build's batches give
(`tables.stored_mention_columns`), or of a mentions frame
(`pipeline.mentions_frame`, as `timeline evaluate` merges in memory).
"""
from __future__ import annotations

import pickle
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from . import schema

# Columns of few distinct values: held as codes (the smallest integers that hold them) into a list of the
# values (code 0 is None).
INTERNED = ("source", "url", "date_precision", "event_type", "event_mode", "acled_event_type",
            "acled_sub_event_type", "actor", "actor_country", "target", "target_country", "location",
            "admin1", "country", "claimed_by")
IDS = ("mention_id", "item_id")                 # UTF-8 bytes (sorting bytes sorts the strings)
INTS = {"char_start": np.int32, "_position": np.int32, "_window": np.int32}
FLOATS = ("latitude", "longitude")              # NaN where missing
NO_PRECISION = -1                               # geo_precision where missing


class MentionColumns:
    """Mentions in columns (see the module's doc). Fill with `append` (the columns of mentions as
    lists, as `tables.stored_mention_columns` gives them, or a frame, as `pipeline.mentions_frame`
    does), then `freeze` before reading.

    With `spill` (a file path), the appended parts wait on disk, not in memory, and `freeze` reads
    them back into arrays of their final size: a build appends a part a batch, and hundreds of
    small arrays kept among the garbage of extraction, then joined, would leave memory holding
    more than the columns (the allocator cannot give back the holes they leave)."""

    def __init__(self, spill: str | Path | None = None) -> None:
        self._codes: dict[str, dict] = {name: {None: 0} for name in INTERNED}
        self.values: dict[str, list] = {name: [None] for name in INTERNED}
        self._spill = Path(spill) if spill is not None else None
        self._parts: list[dict[str, object]] = []   # without a spill file
        self._sizes = {"rows": 0, "figures": 0, **{name: 1 for name in IDS}}   # ... and the bytes of an id
        self.columns: dict[str, object] = {}
        self._objects: dict[str, np.ndarray] = {}   # the values of each interned column, as an array
        self._n = 0

    # ------------------------------------------------------------- filling

    @classmethod
    def of(cls, frame: pd.DataFrame) -> "MentionColumns":
        cols = cls()
        cols.append(frame)
        return cols.freeze()

    def append(self, mentions: pd.DataFrame | dict[str, list]) -> None:
        """Add mentions: the rows of a mentions frame (the `mentions` columns and merge's internal
        ones), or the same columns as lists with missing values None (`tables.stored_mention_columns`)."""
        data = mentions if isinstance(mentions, dict) else _lists(mentions)
        n = len(data["mention_id"])
        if not n:
            return
        part: dict[str, object] = {}
        for name in INTERNED:
            part[name] = self._intern(name, data[name])
        for name in IDS:
            part[name] = np.array([str(v).encode("utf-8") for v in data[name]], dtype=bytes)
        part["sentence"] = pa.array(data["sentence"], pa.string()).dictionary_encode()  # a sentence
        # of several clauses gives several mentions, and pages repeat sentences: each held once a batch
        for name, dtype in INTS.items():
            part[name] = np.array(data[name], dtype=dtype)
        part["_explicit"] = np.array(data["_explicit"], dtype=bool)
        for name in FLOATS:
            part[name] = np.array([np.nan if v is None else v for v in data[name]], dtype=np.float64)
        part["geo_precision"] = np.array([NO_PRECISION if v is None else v for v in data["geo_precision"]],
                                         dtype=np.int16)
        part["day"] = np.array([d.toordinal() for d in data["event_date"]], dtype=np.int32)
        part["ts"], part["us"] = _times(data["reported"])
        part["fig_count"], part["fig_cat"], part["fig_value"] = _figures(data, n)
        self._n += n
        self._sizes["figures"] += len(part["fig_cat"])
        for name in IDS:
            self._sizes[name] = max(self._sizes[name], part[name].itemsize)
        if self._spill is None:
            self._parts.append(part)
        else:
            with open(self._spill, "ab") as fh:
                pickle.dump(part, fh, protocol=pickle.HIGHEST_PROTOCOL)

    def _intern(self, name: str, values: list) -> np.ndarray:
        codes, uniques = pd.factorize(_objects(values), use_na_sentinel=True)
        known, interned = self._codes[name], self.values[name]
        table = np.empty(len(uniques) + 1, dtype=np.int32)
        table[-1] = 0                                    # factorize's -1 (missing) -> code 0 (None)
        for n, value in enumerate(uniques):
            code = known.get(value)
            if code is None:
                code = known[value] = len(interned)
                interned.append(value)
            table[n] = code
        return table[codes]

    def freeze(self) -> "MentionColumns":
        """Put the appended parts together, into arrays of their final size (filled a part at a time)."""
        if self.columns:
            return self
        n, figures = self._n, self._sizes["figures"]
        empty = _empty_part()
        for name, column in empty.items():
            if isinstance(column, np.ndarray):
                kind = _code_type(len(self.values[name])) if name in INTERNED else column.dtype
                size = figures if name in ("fig_cat", "fig_value") else n
                self.columns[name] = np.empty(size, dtype=f"S{self._sizes[name]}" if name in IDS else kind)
        sentences, row, figure = [], 0, 0
        for part in self._stored_parts():
            rows, found = len(part["day"]), len(part["fig_cat"])
            for name, column in part.items():
                if name == "sentence":
                    sentences.append(column)
                elif name in ("fig_cat", "fig_value"):
                    self.columns[name][figure:figure + found] = column
                else:
                    self.columns[name][row:row + rows] = column
            row, figure = row + rows, figure + found
        self.columns["sentence"] = pa.chunked_array(sentences or [empty["sentence"]], empty["sentence"].type)
        counts = self.columns.pop("fig_count")
        self.columns["fig_start"] = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        self._codes = {}
        return self

    def _stored_parts(self) -> Iterator[dict[str, object]]:
        """The appended parts, in order, each let go once read."""
        if self._spill is None:
            parts, self._parts = self._parts, []
            while parts:
                yield parts.pop(0)
        elif self._spill.exists():
            with open(self._spill, "rb") as fh:
                while True:
                    try:
                        yield pickle.load(fh)
                    except EOFError:
                        break
            self._spill.unlink()

    # ------------------------------------------------------------- reading

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, name: str):
        return self.columns[name]

    @property
    def nbytes(self) -> int:
        """The bytes of the columns (not counting the tables of interned values, shared by all rows)."""
        return sum(column.nbytes for column in self.columns.values())

    def take(self, rows: np.ndarray) -> "MentionColumns":
        """The mentions at `rows`, in that order, as columns of their own (e.g. to merge elsewhere)."""
        out = MentionColumns()
        out.values, out._codes, out._n = self.values, {}, len(rows)
        starts, fig_start = self.columns["fig_start"][rows], self.columns["fig_start"]
        counts = fig_start[rows + 1] - starts
        picks = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts) + np.arange(counts.sum())
        for name, column in self.columns.items():
            if name == "fig_start":
                out.columns[name] = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
            elif name in ("fig_cat", "fig_value"):
                out.columns[name] = column[picks]
            elif isinstance(column, pa.ChunkedArray):
                out.columns[name] = _take(column, rows)
            else:
                out.columns[name] = column[rows]
        return out

    def sentences(self, rows: np.ndarray) -> list[str]:
        """The sentences of `rows`."""
        return _pylist(self.columns["sentence"], rows)

    def strings(self, name: str, rows: np.ndarray | None = None) -> list:
        """The values of a string column (interned or an id), for `rows` or every row."""
        column = self.columns[name]
        picked = column if rows is None else column[rows]
        if name in IDS:
            return [b.decode("utf-8") for b in picked.tolist()]
        if name not in self._objects:
            self._objects[name] = np.array(self.values[name], dtype=object)
        return self._objects[name][picked].tolist()

    def merge_order(self) -> np.ndarray:
        """The rows in the order merge reads them: by event date, reports counting drones or missiles
        launched first, then report time, page, position on the page, offset and mention id; ties in
        the order appended (a stable sort, as `sorted` is). A launch tally read first lets a shoot-down
        claim reported earlier in the day be checked against it ("162 drones destroyed" is not the
        attack of 117 drones)."""
        if not self._n:
            return np.array([], dtype=np.int64)
        c = self.columns
        source_rank = string_ranks(self.values["source"])[c["source"]]
        _, mention_rank = np.unique(c["mention_id"], return_inverse=True)
        launched = [n for n, name in enumerate(schema.figure_categories()) if name in schema.downed_weapons()]
        tally = np.zeros(self._n, dtype=bool)
        tally[np.repeat(np.arange(self._n), np.diff(c["fig_start"]))[np.isin(c["fig_cat"], launched)]] = True
        return np.lexsort((mention_rank, c["char_start"], c["_position"], source_rank, c["ts"], ~tally, c["day"]))

    def records(self, rows: np.ndarray) -> list[dict]:
        """The mentions at `rows` as dicts of the mentions frame's values (missing values as None), the
        way merge reads them."""
        c = self.columns
        values: dict[str, list] = {name: self.strings(name, rows) for name in (*INTERNED, *IDS)}
        values["sentence"] = _pylist(c["sentence"], rows)
        for name in (*INTS, "_explicit"):
            values[name] = c[name][rows].tolist()
        for name in FLOATS:
            values[name] = [None if v != v else v for v in c[name][rows].tolist()]
        values["geo_precision"] = [None if v == NO_PRECISION else v for v in c["geo_precision"][rows].tolist()]
        values["event_date"] = [_date(d) for d in c["day"][rows].tolist()]
        values["_ts"] = c["ts"][rows].tolist()
        values["reported"] = list(pd.to_datetime(c["us"][rows], unit="us", utc=True))
        keys = list(values)
        out = [dict(zip(keys, row)) for row in zip(*values.values())]
        cats, blank = schema.figure_categories(), dict.fromkeys(schema.figure_categories())
        start, cat, value = c["fig_start"], c["fig_cat"], c["fig_value"]
        for rec, row in zip(out, rows.tolist()):
            rec.update(blank)
            for n in range(start[row], start[row + 1]):
                rec[cats[cat[n]]] = int(value[n])
        return out


def _by_chunk(column: pa.ChunkedArray, rows: np.ndarray) -> tuple[list[pa.Array], np.ndarray]:
    """The values at `rows`, taken chunk by chunk: pieces in chunk order, and the positions in
    `rows` of their values. (Arrow's own take of a chunked array joins all its chunks first, which,
    for a day of mentions out of a large build, copies the whole column every day.)"""
    if not len(rows):
        return [], np.array([], dtype=np.int64)
    starts = np.cumsum([0, *(len(chunk) for chunk in column.chunks)])
    chunk = np.searchsorted(starts, rows, side="right") - 1
    order = np.argsort(chunk, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(chunk[order])) + 1)
    pieces = [column.chunk(int(chunk[g[0]])).take(pa.array(rows[g] - starts[chunk[g[0]]], pa.int64())) for g in groups]
    return pieces, order


def _take(column: pa.ChunkedArray, rows: np.ndarray) -> pa.ChunkedArray:
    """`column.take(rows)`, chunk by chunk (see `_by_chunk`)."""
    pieces, order = _by_chunk(column, rows)
    taken = pa.chunked_array(pieces, column.type)
    if np.array_equal(order, np.arange(len(rows))):
        return taken
    back = np.empty(len(rows), dtype=np.int64)
    back[order] = np.arange(len(rows))
    return taken.take(pa.array(back, pa.int64()))


def _pylist(column: pa.ChunkedArray, rows: np.ndarray) -> list:
    """The values at `rows` as Python objects."""
    pieces, order = _by_chunk(column, rows)
    out = [None] * len(rows)
    for at, value in zip(order.tolist(), (v for piece in pieces for v in piece.to_pylist())):
        out[at] = value
    return out


def _objects(values: list) -> np.ndarray:
    """`values` as a 1-d array of objects (whatever they are)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _lists(frame: pd.DataFrame) -> dict[str, list]:
    """The columns of a mentions frame as `MentionColumns.append` takes them: lists, missing values
    (None, NaN, NA, NaT) as None."""
    return {name: [None if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v) else v
                   for v in frame[name].tolist()] for name in frame.columns}


def _times(reported: list) -> tuple[np.ndarray, np.ndarray]:
    """Each report time as merge compares it (pandas' POSIX timestamp, a float) and as microseconds
    since the epoch, UTC (what the tables hold), worked out once per distinct time."""
    from .merge import _ts

    codes, uniques = pd.factorize(_objects(reported))
    ts = np.array([_ts(u) for u in uniques], dtype=np.float64)[codes]
    us = pd.to_datetime(pd.Series(uniques, dtype=object), utc=True).astype("datetime64[us, UTC]").array.asi8
    return ts, np.asarray(us, dtype=np.int64)[codes]


def _figures(data: dict[str, list], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The figure columns, sparse: how many each row has, then their category numbers and values,
    row by row in category order."""
    rows, cats, values = [], [], []
    for k, name in enumerate(schema.figure_categories()):
        present = [(row, v) for row, v in enumerate(data[name]) if v is not None]
        if present:
            at, found = zip(*present)
            rows.append(np.array(at, dtype=np.int64))
            cats.append(np.full(len(at), k, dtype=np.int8))
            values.append(np.array(found, dtype=np.int64))
    if not rows:
        return np.zeros(n, dtype=np.int64), np.array([], dtype=np.int8), np.array([], dtype=np.int64)
    row, cat, value = np.concatenate(rows), np.concatenate(cats), np.concatenate(values)
    order = np.lexsort((cat, row))
    return np.bincount(row, minlength=n), cat[order], value[order]


def _empty_part() -> dict[str, object]:
    part: dict[str, object] = {name: np.array([], dtype=np.int32) for name in INTERNED}
    part.update({name: np.array([], dtype=bytes) for name in IDS})
    part["sentence"] = pa.array([], pa.string()).dictionary_encode()
    part.update({name: np.array([], dtype=dtype) for name, dtype in INTS.items()})
    part["_explicit"] = np.array([], dtype=bool)
    part.update({name: np.array([], dtype=np.float64) for name in FLOATS})
    part["geo_precision"] = np.array([], dtype=np.int16)
    part["day"] = np.array([], dtype=np.int32)
    part["ts"], part["us"] = np.array([], dtype=np.float64), np.array([], dtype=np.int64)
    part["fig_count"] = np.array([], dtype=np.int64)
    part["fig_cat"], part["fig_value"] = np.array([], dtype=np.int8), np.array([], dtype=np.int64)
    return part


def _code_type(n: int) -> type:
    """The smallest integer type for codes below `n`."""
    return np.int8 if n <= 2**7 else np.int16 if n <= 2**15 else np.int32


def string_ranks(values: list) -> np.ndarray:
    """The rank of each value in string order (None first)."""
    order = sorted(range(1, len(values)), key=values.__getitem__)
    ranks = np.zeros(len(values), dtype=np.int64)
    ranks[order] = np.arange(1, len(values))
    return ranks


@lru_cache(maxsize=8192)
def _date(ordinal: int) -> date:
    return date.fromordinal(ordinal)
