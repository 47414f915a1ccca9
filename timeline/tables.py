"""The tables of a build, built a batch of items at a time.

A build extracts its items a batch at a time (`pipeline.build`); what each
batch gives goes straight out of memory:

- the items, and the mentions and figures without their events (merge, which
  needs every mention, comes last), to spill files on disk, Parquet row
  groups that are read back a column at a time;
- what merge reads of each mention, to `MentionColumns`.

After the merge, the `mentions`, `items` and `figures` tables and the state's
items and links are written from these (`write.write_tables` takes them as
`Streamed` tables), a row group at a time, with the same bytes as when the
whole tables were DataFrames: `mentions` and `items` come sorted (a batch
holds whole pages, in page order, and is sorted within), `figures` and the
links are sorted on the way out.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, fields
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import schema, state, write
from .columns import MentionColumns
from .merge import LINK_COLUMNS, Clusters
from .models import Item, Mention

INTERNAL = ["_explicit", "_window", "_position"]   # the columns merge needs besides the table's
ROW = "_row"                                       # a mention's row in the MentionColumns
STAMPS = {"published": "_published", "item_time": "_item_time"}   # the state's times of an item
MENTION_FIELDS = frozenset(f.name for f in fields(Mention))
STATE_ROW_GROUP = 65_536   # rows in a row group of the state's items and mentions: a page is read back from one or two


# ---------------------------------------------------------------- frames of a list of records

def mentions_frame(mentions: list[Mention], items: list[Item]) -> pd.DataFrame:
    """One row per mention: the `mentions` columns plus the internal ones merge needs. Values are
    Python objects (figures Int64), as `schema.enforce` and `MentionColumns` read them: pandas
    would hold strings as Arrow and `enforce` turn them back into objects."""
    cats = schema.figure_categories()
    names = [c for c in schema.table("mentions").names if c not in cats]
    if not mentions:
        return pd.DataFrame(columns=[*schema.table("mentions").names, *INTERNAL])
    position = {i.item_id: i.position for i in items}
    attributes = [c for c in names if c in MENTION_FIELDS]     # the others (event_id) are None
    values, no_figures = attrgetter(*attributes), (None,) * len(cats)
    rows = []
    for m in mentions:
        figures = m.figure_values()
        rows.append((*values(m), *(tuple(map(figures.get, cats)) if figures else no_figures),
                     m.date_explicit, m.date_window, position.get(m.item_id, 0)))
    df = _objects(rows, [*attributes, *cats, *INTERNAL])
    for name in names:
        if name not in MENTION_FIELDS:
            df[name] = None
    for cat in cats:
        df[cat] = df[cat].astype("Int64")
    return df[[*names, *cats, *INTERNAL]]


def stored_mention_columns(rows: pa.Table, items: pa.Table,
                           figures: list[list] | None = None) -> tuple[dict[str, list], list[list]]:
    """What merge reads of mentions (the `mentions_frame` columns but event_id, as lists, missing
    values None), from their rows in the state (`rows`, of `state.MENTION_SCHEMA`: those of an earlier
    build's pages, or `state.mention_rows` of a batch) and their items' rows (`items`), without making
    a `Mention` of each or a frame of them. Also gives each mention's figures (lists of `Figure`'s
    fields): `figures` when given (`state.mention_rows` has them), else read from the rows' JSON."""
    if figures is None:
        figures = [[] if text == "[]" else json.loads(text) for text in rows.column("figures").to_pylist()]
    data = {c: rows.column(c).to_pylist() for c in schema.table("mentions").names if c in MENTION_FIELDS}
    data["reported"] = state.unstamped(data["reported"])
    counts = {cat: [None] * len(figures) for cat in schema.figure_categories()}
    for row, found in enumerate(figures):
        for f in reversed(found):     # the first figure of a category wins, as in Mention.figure_values()
            if f[0] in counts:
                counts[f[0]][row] = f[1]
    data.update(counts)
    data["_explicit"] = rows.column("date_explicit").to_pylist()
    data["_window"] = rows.column("date_window").to_pylist()
    position = dict(zip(items.column("item_id").to_pylist(), items.column("position").to_pylist()))
    data["_position"] = [position.get(i, 0) for i in data["item_id"]]
    return data, figures


def items_frame(items: list[Item]) -> pd.DataFrame:
    cols = schema.table("items").names
    values = attrgetter(*cols)
    return schema.enforce(_objects([values(i) for i in items], cols), "items")


def figures_frame(mentions: list[Mention], mention_df: pd.DataFrame) -> pd.DataFrame:
    event_of = dict(zip(mention_df["mention_id"], mention_df["event_id"]))
    cols = schema.table("figures").names    # the values of each row below, in this order
    rows = [(m.mention_id, event_of.get(m.mention_id), f.category, f.value, f.qualifier, f.unit, f.text,
             f.char_start, m.reported) for m in mentions for f in m.figures]
    return schema.enforce(_objects(rows, cols), "figures")


def _arrow_rows(arrow: pa.Schema, rows: pa.Table, values: dict) -> pa.Table:
    """A table of schema `arrow` (a spill's) with the columns of `rows` that it has, cast, `values`
    for others (lists or arrays), and none in the rest."""
    columns = []
    for field in arrow:
        if field.name in values:
            column = pa.array(values[field.name], field.type)
        elif field.name in rows.column_names:
            column = rows.column(field.name).cast(field.type)
        else:
            column = pa.nulls(rows.num_rows, field.type)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=arrow)


def _objects(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """A frame of Python objects (for `schema.enforce`: no strings held as Arrow on the way)."""
    return pd.DataFrame(rows, columns=columns, dtype=object)


# ---------------------------------------------------------------- spill files

class Spill:
    """Rows written to a Parquet file on disk as they come, one row group a batch (uncompressed:
    it is read back soon), to be read back in order or a column at a time."""

    def __init__(self, path: Path, arrow: pa.Schema):
        self.path, self.schema = path, arrow
        self.writer: pq.ParquetWriter | None = pq.ParquetWriter(
            path, arrow, compression="none", use_dictionary=False, write_statistics=False)
        self.starts = [0]     # the first row of each row group, and the number of rows
        # per text column, the bytes of its characters before each row group, and in all
        self.text = {f.name: [0] for f in arrow if pa.types.is_string(f.type)}
        self._reader: pq.ParquetFile | None = None

    @property
    def rows(self) -> int:
        return self.starts[-1]

    def add(self, rows: pa.Table) -> None:
        if len(rows):
            self.writer.write_table(rows)
            self.starts.append(self.starts[-1] + len(rows))
            for name, sizes in self.text.items():
                sizes.append(sizes[-1] + (pc.sum(pc.binary_length(rows.column(name))).as_py() or 0))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def pieces(self, name: str, start: int, stop: int) -> Iterator[pa.ChunkedArray]:
        """Rows start:stop of one column, a row group at a time."""
        if stop <= start:
            return
        if self._reader is None:
            self._reader = pq.ParquetFile(self.path)
        for group, offset, length in state.row_groups(self.starts, start, stop):
            yield self._reader.read_row_group(group, columns=[name]).column(0).slice(offset, length)

    def column(self, name: str, start: int = 0, stop: int | None = None) -> pa.Array:
        """Rows start:stop of one column, as one array."""
        stop = self.rows if stop is None else stop
        bound = None
        if name in self.text and stop > start:     # the characters of the row groups it reads
            groups = [group for group, _, _ in state.row_groups(self.starts, start, stop)]
            bound = self.text[name][groups[-1] + 1] - self.text[name][groups[0]]
        return write.joined(self.pieces(name, start, stop), self.schema.field(name).type, max(stop - start, 0), bound)

    def batches(self) -> Iterator[pa.Table]:
        """The rows, a row group at a time."""
        if self.rows:
            source = pq.ParquetFile(self.path)
            for n in range(source.num_row_groups):
                yield source.read_row_group(n)

    def write_parquet(self, path: Path) -> None:
        """The rows, compressed, in row groups of STATE_ROW_GROUP rows (whatever the batches were: the
        same rows give the same bytes); a `write.Streamed` table, Parquet only."""
        write.write_parquet_columns(path, self.schema, self.rows, self.column, STATE_ROW_GROUP)


def _spill_schema(name: str, extra: dict[str, pa.DataType]) -> pa.Schema:
    arrow = schema.table(name).arrow_schema()
    for column, kind in extra.items():
        arrow = arrow.append(pa.field(column, kind))
    return arrow


# ---------------------------------------------------------------- the tables of a build

class BuildTables:
    """What the batches of a build give, kept for the merge and the writing (see the module's doc).
    A context manager: the spill files live in a temporary folder, removed on exit."""

    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(tempfile.mkdtemp(prefix="timeline-build-", dir=folder))
        self.columns: MentionColumns | None = MentionColumns(self.folder / "merge.pickle")
        self.items = Spill(self.folder / "items.parquet", _spill_schema("items", dict.fromkeys(STAMPS.values(), pa.string())))
        self.mentions = Spill(self.folder / "mentions.parquet", _spill_schema("mentions", {ROW: pa.int64()}))
        self.figures = Spill(self.folder / "figures.parquet", _spill_schema("figures", {ROW: pa.int64()}))
        self.extracted = Spill(self.folder / "extracted.parquet", state.MENTION_SCHEMA)   # the state's mentions
        self.filled = dict.fromkeys(state.ITEM_COLUMNS, False)   # which state columns have a value
        self.n_mentions = 0

    def __enter__(self) -> "BuildTables":
        return self

    def __exit__(self, *exc) -> None:
        for spill in (self.items, self.mentions, self.figures, self.extracted):
            spill.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def n_items(self) -> int:
        return self.items.rows

    def add(self, items: list[Item], found: list[list[Mention]]) -> None:
        """One batch: whole pages, in page order (as the tables are sorted), each sorted by position, and
        the mentions of each item. They go in as the rows the state keeps of them (`state.item_rows`,
        `state.mention_rows`), by the path of pages taken from an earlier build (`add_kept`): one way to
        each table's rows, made as Arrow tables, with no object made of each value on the way."""
        self._add_rows(state.item_rows(items), *state.mention_rows(items, found), kept=False)

    def add_kept(self, page: "state.KeptPage") -> None:
        """Whole pages of the earlier build whose mentions are taken from it (in page order, after the
        batches before them), from their rows in the state."""
        self._add_rows(page.items, page.mentions, None, kept=True)

    def _add_rows(self, items: pa.Table, mentions: pa.Table, figures: list[list] | None, kept: bool) -> None:
        """Pages from their rows of the state's items and mentions (and the mentions' figures, when the
        caller has them as lists). `kept`: the rows were read from an earlier build's state, whose times
        are written again as this build writes them."""
        data, figures = stored_mention_columns(mentions, items, figures)
        self.columns.append(data)
        rows, reported = np.arange(self.n_mentions, self.n_mentions + mentions.num_rows, dtype=np.int64), data["reported"]
        spilled = _arrow_rows(self.mentions.schema, mentions, {
            ROW: rows, "reported": reported, **{cat: data[cat] for cat in schema.figure_categories()}})
        self.mentions.add(spilled.take(pc.sort_indices(spilled, [(k, "ascending") for k in schema.table("mentions").sort])))
        self._add_figures(figures, np.array(data["mention_id"], object), np.array(reported, object), rows)
        self._add_items(items, kept)
        if kept:
            restamped = state.restamped(mentions.column("reported").to_pylist())   # (as `add` writes them)
            mentions = _arrow_rows(state.MENTION_SCHEMA, mentions, {"reported": restamped})
        self.extracted.add(mentions)
        self.n_mentions += mentions.num_rows

    def _add_figures(self, figures: list[list], mention_ids: np.ndarray, reported: np.ndarray,
                     rows: np.ndarray) -> None:
        """The figures spill's rows, from the mentions' figures (lists of `Figure`'s fields) and each
        mention's id, report time and row."""
        counts = [len(each) for each in figures]
        found = [f for each in figures for f in each]
        arrow = self.figures.schema
        # a figure's fields the table has (not char_end), by their place in the lists
        columns = {name: [f[k] for f in found] for k, name in enumerate(state.FIGURE_FIELDS) if name in arrow.names}
        columns.update(mention_id=np.repeat(mention_ids, counts), reported=np.repeat(reported, counts),
                       **{ROW: np.repeat(rows, counts)})
        self.figures.add(pa.Table.from_arrays(
            [pa.array(columns[field.name], field.type) if field.name in columns else pa.nulls(len(found), field.type)
             for field in arrow], schema=arrow))

    def _add_items(self, rows: pa.Table, kept: bool) -> None:
        """The items spill's rows, from the items' rows in the state (their times as `state.stamp` writes
        them; `kept`: as an earlier build wrote them, written again as this build writes them)."""
        stamps = {column: rows.column(column).to_pylist() for column in STAMPS}
        items = _arrow_rows(self.items.schema, rows, {
            **{c: state.unstamped(v) for c, v in stamps.items()},
            **{STAMPS[c]: state.restamped(v) if kept else v for c, v in stamps.items()}})
        self._fill(lambda column: items.column(column).null_count < len(items))
        self.items.add(items)

    def _fill(self, has_value: Callable[[str], bool]) -> None:
        """Mark the state's item columns that a batch's items spill (`has_value` of a spill column) fills."""
        for column in self.filled:
            self.filled[column] = self.filled[column] or has_value(STAMPS.get(column, column))

    def close(self) -> MentionColumns:
        """Every batch is in: the mentions as merge reads them (the tables keep no hold on them)."""
        for spill in (self.items, self.mentions, self.figures, self.extracted):
            spill.close()
        columns, self.columns = self.columns.freeze(), None
        return columns

    def tables(self, clusters: Clusters, mention_ids: np.ndarray) -> tuple[dict, dict]:
        """The output tables (`write.write_tables`' frames) and the state's tables, given the merge of
        the build's mentions and their ids (`MentionColumns["mention_id"]`). The tables held in memory
        (events, figures, links) are made when their files are written and let go after: they keep
        only the arrays they need, not `clusters`."""
        events, ids = clusters.events, clusters.ids()
        event_ids = ids[clusters.event_of]               # of each mention
        links = _LinkRows(ids, clusters.event_of, clusters.joined, clusters.reason_of,
                          pa.array(clusters.reasons, pa.string()), clusters.order)

        def event_id(spill: Spill, start: int, stop: int) -> np.ndarray:
            return event_ids[spill.column(ROW, start, stop).to_numpy(zero_copy_only=False)]

        def stamp(column: str) -> Callable:
            return lambda spill, start, stop: spill.column(STAMPS[column], start, stop)

        frames = {"events": _Later(lambda: _events(events)),
                  "mentions": _SpilledTable(self.mentions, "mentions", {"event_id": event_id}),
                  "items": _SpilledTable(self.items, "items"),
                  "figures": _Later(lambda: _figures(self.figures, event_ids, mention_ids))}
        state_tables = {"items": _SpilledTable(self.items, "items", {c: stamp(c) for c in STAMPS},
                                               state.items_schema(self.filled), STATE_ROW_GROUP),
                        "mentions": self.extracted,
                        "links": _Later(lambda: _Links(links, mention_ids))}
        return frames, state_tables


class _Later:
    """A `write.Streamed` table made (by `make`) when its first file is written, and let go, with
    what `make` holds, when `write.write_tables` is done with it (`release`)."""

    def __init__(self, make: Callable):
        self.make, self.table = make, None

    def _made(self):
        if self.table is None:
            self.table = self.make()
        return self.table

    def write_parquet(self, path: Path) -> None:
        self._made().write_parquet(path)

    def write_csv(self, path: Path) -> None:
        self._made().write_csv(path)

    def frame(self) -> pd.DataFrame:
        return self._made().frame()

    def release(self) -> None:
        self.make = self.table = None


Derived = Callable[[Spill, int, int], "np.ndarray | pa.Array"]   # rows start:stop of a column


class _SpilledTable:
    """A table (`write.Streamed`) read back from a spill in order; `derived` works out the columns
    that are not in the spill (from others that are), and `arrow` is its schema when it is not the
    table's own (the state's items)."""

    def __init__(self, spill: Spill, name: str, derived: dict[str, Derived] | None = None,
                 arrow: pa.Schema | None = None, row_group: int | None = None):
        self.spill, self.name, self.derived = spill, name, derived or {}
        self.arrow = arrow or _arrow(name)
        self.row_group = row_group

    def column(self, column: str, start: int, stop: int) -> pa.Array:
        if column not in self.derived:
            return self.spill.column(column, start, stop)
        values = self.derived[column](self.spill, start, stop)
        return values if isinstance(values, pa.Array) else pa.array(values, self.arrow.field(column).type)

    def write_parquet(self, path: Path) -> None:
        write.write_parquet_columns(path, self.arrow, self.spill.rows, self.column, self.row_group)

    def write_csv(self, path: Path) -> None:
        write.write_csv(path, self.arrow.names, self._pieces())

    def _pieces(self) -> Iterator[pa.Table]:
        """The rows, a row group of the spill at a time, with the derived columns."""
        start = 0
        for piece in self.spill.batches():
            stop = start + piece.num_rows
            for column in self.derived:
                at, values = piece.schema.get_field_index(column), self.column(column, start, stop)
                piece = piece.append_column(column, values) if at < 0 else piece.set_column(at, column, values)
            yield piece
            start = stop


class _SortedTable:
    """A table (`write.Streamed`) held in memory as Arrow, written in the order `order` gives."""

    def __init__(self, name: str, table: pa.Table, order: np.ndarray):
        self.name, self.table, self.order, self.arrow = name, table, order, _arrow(name)

    def column(self, column: str, start: int, stop: int) -> pa.ChunkedArray:
        return self.table.column(column).take(pa.array(self.order[start:stop], pa.int64()))

    def write_parquet(self, path: Path) -> None:
        write.write_parquet_columns(path, self.arrow, len(self.order), self.column)

    def write_csv(self, path: Path) -> None:
        write.write_csv(path, self.arrow.names, write.csv_pieces(self.table, self.order))

    def frame(self) -> pd.DataFrame:
        """The whole table as one (enforced) DataFrame."""
        return schema.enforce(self.table.take(pa.array(self.order, pa.int64())).to_pandas(), self.name)


@lru_cache(maxsize=None)
def _arrow(name: str) -> pa.Schema:
    """The Arrow schema of a table as written from its (enforced) DataFrame, pandas metadata included."""
    return write.arrow_schema(schema.empty(name), schema.table(name).arrow_schema())


def _events(events: pa.Table) -> _SortedTable:
    """The events table, sorted by date and id (stably, as the DataFrame's)."""
    order = pc.sort_indices(events, sort_keys=[(k, "ascending") for k in schema.table("events").sort])
    return _SortedTable("events", events, order.to_numpy())


def _figures(spill: Spill, event_ids: np.ndarray, mention_ids: np.ndarray) -> _SortedTable:
    """The figures table: each figure with the event of its mention (of the last mention with its id,
    as a dict from mention ids to events gives it), sorted by mention_id, char_start and category
    (a stable sort, as the DataFrame's)."""
    names = schema.table("figures").names
    if spill.rows:
        table = pq.read_table(spill.path)
    else:
        table = spill.schema.empty_table()
    rows = _last_with_same_id(mention_ids)[table.column(ROW).to_numpy()]
    table = table.set_column(names.index("event_id"), "event_id", pa.array(event_ids[rows], pa.string()))
    table = table.select(names)
    order = pc.sort_indices(table, sort_keys=[(k, "ascending") for k in schema.table("figures").sort])
    return _SortedTable("figures", table, order.to_numpy())


def _last_with_same_id(ids: np.ndarray) -> np.ndarray:
    """For each row, the last row with the same id."""
    if not len(ids):
        return np.array([], dtype=np.int64)
    _, group = np.unique(ids, return_inverse=True)
    last = np.zeros(group.max() + 1, dtype=np.int64)
    np.maximum.at(last, group, np.arange(len(ids)))
    return last[group]


@dataclass
class _LinkRows:
    """What the links are made from: the merge's arrays (see `merge.Clusters`), reasons as Arrow."""

    ids: np.ndarray          # the event_id of each event
    event_of: np.ndarray
    joined: np.ndarray
    reason_of: np.ndarray
    reasons: pa.Array
    order: np.ndarray


class _Links:
    """The state's links (`merge.LINK_COLUMNS`) as a `write.Streamed` table (Parquet only), sorted by
    mention_id as `DataFrame.sort_values` sorts them (not stably: with a repeated id, its sort is used)."""

    def __init__(self, links: _LinkRows, mention_ids: np.ndarray):
        self.links, self.ids = links, mention_ids
        listed = mention_ids[links.order]          # the mentions as the links list them
        if len(np.unique(listed)) == len(listed):
            by_id = np.argsort(listed, kind="stable")
        else:
            by_id = pd.DataFrame({"mention_id": [b.decode("utf-8") for b in listed.tolist()]},
                                 dtype=object).sort_values("mention_id").index.to_numpy()
        self.rows = links.order[by_id]
        self.arrow = write.arrow_schema(pd.DataFrame(columns=LINK_COLUMNS, dtype=object), state.LINK_SCHEMA)

    def column(self, column: str, start: int, stop: int) -> pa.Array:
        rows, links = self.rows[start:stop], self.links
        if column == "mention_id":
            return _strings(self.ids[rows])
        if column == "joined_to":
            joined = links.joined[rows]
            return _strings(self.ids[joined], mask=joined < 0)
        if column == "event_id":
            return pa.array(links.ids[links.event_of[rows]], pa.string())
        return links.reasons.take(pa.array(links.reason_of[rows], pa.int64()))

    def write_parquet(self, path: Path) -> None:
        write.write_parquet_columns(path, self.arrow, len(self.rows), self.column)

    def write_csv(self, path: Path) -> None:
        raise NotImplementedError("the state's links have no CSV")


def _strings(utf8: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Strings from a numpy array of UTF-8 bytes."""
    return pa.array(utf8, pa.binary(), mask=mask).cast(pa.string())
