"""Write the tables as Parquet and CSV, atomically.

Each file is written to a temporary name in the output folder and renamed
over the old one, so an interrupted run leaves the previous output intact.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol, Sequence, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import datapackage, memory, schema
from .state import folder as state_folder, meta as state_meta, write_frame as write_state_frame
from .errors import OutputError


class Streamed(Protocol):
    """A table too large to hold as one DataFrame, which writes its own files (timeline.tables):
    the same bytes `write_tables` would write for it as a DataFrame."""

    def write_parquet(self, path: Path) -> None: ...

    def write_csv(self, path: Path) -> None: ...

    def frame(self) -> pd.DataFrame:
        """The whole table as one DataFrame (for the partitioned events)."""


Table = Union[pd.DataFrame, Streamed]


def write_tables(frames: dict[str, Table], out_dir: str | Path,
                 state: dict[str, Table] | None = None, partition: bool = False) -> list[Path]:
    """Write every table as `<name>.parquet` and `<name>.csv`; returns the paths written.

    A table is a DataFrame, or (for the large tables of a build) a `Streamed`
    table, already sorted, that writes itself a piece at a time.

    `datapackage.json` (timeline.datapackage) describes the CSVs written,
    with their sizes and hashes.

    `state` (see timeline.state) goes to `.timeline/` beside the tables, for
    the next incremental build. All files are first written under temporary
    names; only when every one of them is complete are they renamed into
    place, tables first, state last.

    `partition` also writes the events as a Hive-partitioned dataset,
    `events/month=YYYY-MM/part-0.parquet` (by the month of `event_date`),
    the same rows as events.parquet. A build without it removes such a folder
    left by an earlier build, which would no longer match events.parquet (a
    folder named `events` that holds anything else is never touched).
    """
    out = Path(out_dir)
    _mkdir(out)
    _sweep(out)
    dataset = out / PARTITIONED
    if partition and dataset.exists() and not is_partitioned_dataset(dataset):
        raise OutputError(f"{dataset}: exists and is not a dataset timeline wrote; move it away or use another --out")
    staged: list[tuple[Path, Path]] = []
    csvs: dict[str, Path] = {}
    parquets: dict[str, Path] = {}
    try:
        for name, table in frames.items():
            if isinstance(table, pd.DataFrame):
                table = _Frame(sort_table(schema.enforce(table, name), name), name)
            staged.append((_stage(out, table.write_parquet), out / f"{name}.parquet"))
            parquets[name] = staged[-1][0]
            csvs[name] = _stage(out, table.write_csv)
            staged.append((csvs[name], out / f"{name}.csv"))
            if partition and name == PARTITIONED:
                staged.append((_stage_folder(out, lambda d: _write_partitions(table.frame(), name, d)), dataset))
            _release(table)
        staged.append((_stage(out, lambda p: datapackage.write(p, list(frames), csvs)), out / "datapackage.json"))
        if state is not None:
            folder = _mkdir(state_folder(out))
            for name, table in state.items():
                write_state = (lambda p: write_state_frame(table, p)) if isinstance(table, pd.DataFrame) \
                    else table.write_parquet
                staged.append((_stage(folder, write_state), folder / f"{name}.parquet"))
                _release(table)
            if STATE_EVENTS in parquets:    # a copy, as written: the next build takes its older events from it
                staged.append((_stage(folder, lambda p: shutil.copyfile(parquets[STATE_EVENTS], p)),
                               folder / f"{STATE_EVENTS}.parquet"))
            staged.append((_stage(folder, lambda p: p.write_text(state_meta(), encoding="utf-8")),
                           folder / "state.json"))
    except BaseException:
        for tmp, _ in staged:
            _remove(tmp)
        raise
    for tmp, final in staged:
        if tmp.is_dir():
            _replace_folder(tmp, final)
        else:
            os.replace(tmp, final)
    if not partition and PARTITIONED in frames and is_partitioned_dataset(dataset):
        shutil.rmtree(dataset)
    return [final for _, final in staged]


def _release(table: Table) -> None:
    """A streamed table may let go of what it held once its files are written (timeline.tables)."""
    if hasattr(table, "release"):
        table.release()


class _Frame:
    """A table held as one DataFrame (enforced and sorted)."""

    def __init__(self, df: pd.DataFrame, name: str):
        self.df, self.name = df, name

    @cached_property
    def arrow(self) -> pa.Table:
        """The table as Arrow, made once for both its files."""
        return _arrow_table(self.df, self.name)

    def write_parquet(self, path: Path) -> None:
        _write_parquet(self.arrow, path)

    def write_csv(self, path: Path) -> None:
        write_csv(path, self.arrow.column_names, csv_pieces(self.arrow))

    def frame(self) -> pd.DataFrame:
        return self.df


PARTITIONED = "events"                  # the table also written as a partitioned dataset, and its folder
STATE_EVENTS = "events"                 # the table the state keeps a copy of (timeline.state)
PARTITION_KEY = "month"                 # events/month=2025-06/
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"   # what Hive, Arrow and DuckDB read as a null key
_PARTITION_DIR = re.compile(rf"{PARTITION_KEY}=(\d{{4}}-\d{{2}}|{NULL_PARTITION})")


def is_partitioned_dataset(folder: Path) -> bool:
    """Whether `folder` holds only what `write_tables(partition=True)` writes (so it may be replaced)."""
    if not folder.is_dir():
        return False
    for sub in folder.iterdir():
        if not (sub.is_dir() and _PARTITION_DIR.fullmatch(sub.name)):
            return False
        if any(f.name != "part-0.parquet" for f in sub.iterdir()):
            return False
    return True


def _write_partitions(df: pd.DataFrame, name: str, folder: Path) -> None:
    """One `month=YYYY-MM/part-0.parquet` per month of `event_date`; `df` is sorted, so each file is too."""
    months = pd.to_datetime(df["event_date"]).dt.strftime("%Y-%m").fillna(NULL_PARTITION)
    for month, part in df.groupby(months, sort=True):
        sub = folder / f"{PARTITION_KEY}={month}"
        sub.mkdir(mode=_DIR_MODE)
        _write_parquet(_arrow_table(part.reset_index(drop=True), name), sub / "part-0.parquet")
        _fsync(sub / "part-0.parquet")


def _replace_folder(tmp: Path, final: Path) -> None:
    """Put the folder `tmp` in place of `final`: the old one is renamed away first, then removed."""
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=".tmp-", dir=final.parent))
        os.rmdir(old)
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _sweep(out: Path) -> None:
    """Remove the temporary files and folders a killed build left behind (never read as output, but litter)."""
    for folder in (out, state_folder(out)):
        for tmp in folder.glob(".tmp-*"):
            _remove(tmp)


def _mkdir(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create output folder ({exc.strerror})") from exc
    return folder


def sort_table(df: pd.DataFrame, name: str) -> pd.DataFrame:
    keys = list(schema.table(name).sort)
    return df.sort_values(keys, kind="mergesort", na_position="last").reset_index(drop=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()
_DIR_MODE = 0o777 & ~_umask()


def _stage(out: Path, writer) -> Path:
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=out)
    os.fchmod(fd, _FILE_MODE)  # mkstemp makes files private; outputs are ordinary files
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        writer(tmp)
        _fsync(tmp)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{out}: cannot write ({exc.strerror})") from exc
    memory.give_back()   # what writing a large table used, before the next one
    return tmp


def write_atomic(path: Path, writer) -> Path:
    """Write one file (`writer(tmp_path)`) under a temporary name beside it, then rename it into place."""
    os.replace(_stage(path.parent, writer), path)
    return path


def _stage_folder(out: Path, writer) -> Path:
    """Like `_stage`, for a writer that fills a folder."""
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=out))
    os.chmod(tmp, _DIR_MODE)
    try:
        writer(tmp)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{out}: cannot write ({exc.strerror})") from exc
        raise
    return tmp


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _arrow_table(df: pd.DataFrame, name: str) -> pa.Table:
    """A table's (enforced) DataFrame as Arrow, with the table's schema."""
    return pa.Table.from_pandas(df, schema=schema.table(name).arrow_schema(), preserve_index=False)


def _write_parquet(arrow: pa.Table, path: Path) -> None:
    pq.write_table(arrow, path, compression="zstd", row_group_size=ROW_GROUP_ROWS)


def arrow_schema(df: pd.DataFrame, arrow: pa.Schema) -> pa.Schema:
    """The schema `pa.Table.from_pandas(df, schema=arrow)` gives (with its pandas metadata, which
    names the dtypes of `df`): a few rows with the same dtypes give the file of all the rows."""
    return pa.Table.from_pandas(df, schema=arrow, preserve_index=False).schema


ROW_GROUP_ROWS = 1024 * 1024   # rows in a row group of `pq.write_table` (pyarrow's default)


def write_parquet_columns(path: Path, arrow: pa.Schema, rows: int,
                          column: Callable[[str, int, int], pa.Array | pa.ChunkedArray],
                          row_group: int | None = None) -> None:
    """Write a table of `rows` rows column by column: `column(name, start, stop)` gives rows
    start:stop of a column. The bytes are those `pq.write_table` writes for the whole table at once
    (with `row_group_size=row_group`, by default ROW_GROUP_ROWS): it cuts the same row groups, each
    column of a row group is handed to the writer in one piece (a column in pieces is paged
    differently), and an empty table is one empty row group. Only one row group is held at a time,
    built a column at a time."""
    row_group = row_group or ROW_GROUP_ROWS
    with pq.ParquetWriter(path, arrow, compression="zstd") as writer:
        for start in range(0, max(rows, 1), row_group):
            stop = min(rows, start + row_group)
            arrays = [_one_piece(column(f.name, start, stop)) for f in arrow]
            writer.write_table(pa.Table.from_arrays(arrays, schema=arrow))
            del arrays


def _one_piece(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values


def joined(pieces: Iterable[pa.Array | pa.ChunkedArray], kind: pa.DataType, rows: int,
           bound: int | None = None) -> pa.Array:
    """One array of the `rows` values of `pieces`, read once. Built in place, so memory holds the
    result and one piece, where `pa.concat_arrays` would also hold every piece: for a large table's
    text column, the difference between its size and twice its size. Strings and fixed-width types
    (dates, times, numbers). For strings, `bound` is at least the bytes of their characters (a
    piece's bytes are known before it is read: `Spill` counts them as it writes)."""
    if not (pa.types.is_string(kind) or (kind.bit_width % 8 == 0 and not pa.types.is_boolean(kind))):
        chunks = list(_chunks(pieces))
        return pa.concat_arrays(chunks).cast(kind) if chunks else pa.array([], kind)
    if pa.types.is_string(kind) and bound is None:
        pieces = list(pieces)        # (sized first: held)
        bound = sum(hi - lo for lo, hi in map(_span, _chunks(pieces)))
    valid = np.ones(rows, dtype=bool)
    row = 0
    if pa.types.is_string(kind):
        data = np.empty(bound, dtype=np.uint8)
        offsets = np.zeros(rows + 1, dtype=np.int32)
        for chunk in _chunks(pieces):
            n, (lo, hi) = len(chunk), _span(chunk)
            bounds = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset:chunk.offset + n + 1]
            start = offsets[row]
            if hi > lo:
                data[start:start + hi - lo] = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[lo:hi]
            offsets[row + 1:row + n + 1] = bounds[1:] - lo + start
            row = _valid(chunk, valid, row)
        buffers = [pa.py_buffer(offsets), pa.py_buffer(data[:offsets[row]])]
    else:
        width = kind.bit_width // 8
        values = np.empty(rows * width, dtype=np.uint8)
        for chunk in _chunks(pieces):
            n = len(chunk)
            values[row * width:(row + n) * width] = \
                np.frombuffer(chunk.buffers()[1], dtype=np.uint8)[chunk.offset * width:(chunk.offset + n) * width]
            row = _valid(chunk, valid, row)
        buffers = [pa.py_buffer(values)]
    assert row == rows, f"{row} values for {rows} rows"
    nulls = rows - int(valid.sum())
    mask = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    return pa.Array.from_buffers(kind, rows, [mask, *buffers], null_count=nulls)


def _chunks(pieces: Iterable[pa.Array | pa.ChunkedArray]) -> Iterable[pa.Array]:
    for piece in pieces:
        yield from (piece.chunks if isinstance(piece, pa.ChunkedArray) else [piece])


def _span(chunk: pa.Array) -> tuple[int, int]:
    """Where a string array's characters start and end in its data buffer."""
    if len(chunk) == 0:
        return 0, 0
    bounds = np.frombuffer(chunk.buffers()[1], dtype=np.int32)
    return int(bounds[chunk.offset]), int(bounds[chunk.offset + len(chunk)])


def _valid(chunk: pa.Array, valid: np.ndarray, row: int) -> int:
    """Marks the nulls of `chunk`, which starts at `row`; returns the row after it."""
    if chunk.null_count:
        valid[row:row + len(chunk)] = chunk.is_valid().to_numpy(zero_copy_only=False)
    return row + len(chunk)


CSV_ROWS = 100_000     # rows of a table held in memory made into CSV lines at a time
_CSV_SPECIAL = '[,"\n\r]'  # a value holding one of these is quoted (its quotes doubled)


def write_csv(path: Path, names: Sequence[str], pieces: Iterable[pa.Table]) -> None:
    """Write a table as CSV: a header of its column `names`, then a line per row of each of the
    `pieces` (consecutive rows, with those columns at least), "\n"-terminated, its values separated
    by commas and written as `csv_text` writes them. Arrow makes the lines of a piece and they are
    written as one buffer: the whole table is never held."""
    with open(path, "wb") as fh:
        _write_lines(fh, [pa.array([name], pa.string()) for name in names])
        for piece in pieces:
            if piece.num_rows:
                _write_lines(fh, [csv_text(piece.column(name)) for name in names])


def csv_pieces(table: pa.Table, order: np.ndarray | None = None) -> Iterator[pa.Table]:
    """The rows of a table held in memory (in `order`, when given), CSV_ROWS at a time, for `write_csv`."""
    rows = table.num_rows if order is None else len(order)
    for start in range(0, rows, CSV_ROWS):
        if order is None:
            yield table.slice(start, CSV_ROWS)
        else:
            yield table.take(pa.array(order[start:start + CSV_ROWS], pa.int64()))


def csv_text(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A column's values as the CSVs write them (null: an empty field), the text pandas' `to_csv`
    writes for the table's dtypes (`schema.PANDAS_TYPES`): numbers as Python writes them (floats
    as NumPy's `astype(str)`: "50.45", "30.0", "1e-05"), dates as YYYY-MM-DD, timestamps as
    `schema.CSV_TIMESTAMP` in UTC (whole seconds), and strings quoted, as the csv module quotes
    them, when they hold a comma, a quote or a line break (Python 3.11's csv leaves a carriage
    return bare, which CSV readers take for the end of a row: here it is quoted too)."""
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        quote, nothing = pa.scalar('"', kind), pa.scalar("", kind)
        quoted = pc.binary_join_element_wise(quote, pc.replace_substring(values, '"', '""'), quote, nothing)
        return pc.if_else(pc.match_substring_regex(values, _CSV_SPECIAL), quoted, values)
    if pa.types.is_integer(kind) or pa.types.is_date(kind):
        return pc.cast(values, pa.string())
    if pa.types.is_floating(kind) or pa.types.is_timestamp(kind):
        codes = pc.dictionary_encode(_one_piece(values))   # (places and report times repeat: each value is
        return _distinct_text(codes.dictionary).take(codes.indices)   # formatted once)
    raise TypeError(f"no CSV text for a column of {kind}")


def _distinct_text(values: pa.Array) -> pa.Array:
    """`csv_text` of floats or timestamps."""
    if pa.types.is_floating(values.type):
        numbers = values.to_numpy(zero_copy_only=False)      # (nulls become NaN, written empty as NaN is)
        return pa.array(numbers.astype(str), pa.string(), mask=np.isnan(numbers))
    seconds = pc.cast(pc.floor_temporal(values, unit="second"), pa.timestamp("s", tz=values.type.tz))
    return pc.strftime(seconds, format=schema.CSV_TIMESTAMP)


def _write_lines(fh, texts: list[pa.Array | pa.ChunkedArray]) -> None:
    """Write the CSV lines of columns of text (`csv_text`), a buffer per chunk Arrow makes."""
    texts = [pc.cast(text, pa.large_string()) for text in texts]   # (a piece's text may pass 2 GB)
    comma, nothing, newline = (pa.scalar(s, pa.large_string()) for s in (",", "", "\n"))
    lines = pc.binary_join_element_wise(*texts, comma, null_handling="replace", null_replacement="")
    lines = pc.binary_join_element_wise(lines, nothing, newline)
    for chunk in lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]:
        if len(chunk):
            bounds = np.frombuffer(chunk.buffers()[1], dtype=np.int64)
            fh.write(memoryview(chunk.buffers()[2])[bounds[chunk.offset]:bounds[chunk.offset + len(chunk)]])


def read_tables(out_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The tables of a previous build (Parquet), for incremental merges and `inspect`."""
    out = Path(out_dir)
    frames = {}
    for name in schema.tables():
        path = out / f"{name}.parquet"
        if path.exists():
            try:
                frames[name] = pq.read_table(path).to_pandas()
            except (OSError, pa.ArrowException) as exc:
                raise OutputError(f"{path}: cannot read previous output ({exc})") from exc
    return frames
