"""What a build leaves behind for the next one, in `OUT/.timeline/`.

An incremental build (`timeline build NEW_FILES --out OUT`) needs the items
of every earlier input, with their times in the zone the page gave (relative
dates such as "overnight" are resolved against local time, which the UTC
`items` table no longer carries), and the event each earlier mention landed
on, so that events keep their ids. Both are kept here as Parquet:

- `items.parquet`: the items, times written as ISO 8601 with offset and zone;
- `links.parquet`: mention_id, event_id, the mention it joined and why
  (read by `timeline inspect --event`);
- `state.json`: the state format and the version that wrote it.

Every earlier item is extracted again on an incremental build, so a build
from scratch over all inputs and the incremental path give the same events.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__, schema
from .errors import OutputError
from .merge import LINK_COLUMNS
from .models import Item

STATE_DIR = ".timeline"
FORMAT = 1
ITEM_COLUMNS = tuple(schema.table("items").names)  # the fields of an Item, as the items table has them


@dataclass
class Previous:
    """The state of an earlier build in an output folder (empty when there is none): its items, held
    as a table (sorted by page) and made into Items a page at a time, and its mention -> event links."""

    table: pa.Table | None = None
    event_of: dict[str, str] = field(default_factory=dict)   # mention_id -> event_id
    pages: dict[str, tuple[int, int]] = field(default_factory=dict)   # source -> its rows start:stop

    def __post_init__(self) -> None:
        if self.table is not None and not self.pages:
            sources = self.table.column("source").to_pylist()
            for n, source in enumerate(sources):
                start, _ = self.pages.get(source, (n, n))
                self.pages[source] = (start, n + 1)

    def sources(self) -> set[str]:
        return set(self.pages)

    def items_of(self, source: str) -> list[Item]:
        """The earlier build's items of one page, in its order."""
        if source not in self.pages:
            return []
        start, stop = self.pages[source]
        return [_item(row) for row in self.table.slice(start, stop - start).to_pandas().to_dict("records")]

    @property
    def items(self) -> list[Item]:
        return [item for source in sorted(self.pages) for item in self.items_of(source)]


def folder(out_dir: str | Path) -> Path:
    return Path(out_dir) / STATE_DIR


def load(out_dir: str | Path) -> Previous:
    """The previous build's items and mention->event links; empty when `out_dir` has none."""
    state = _opened(out_dir)
    if state is None:
        return Previous()
    items, links = _read(state, "items.parquet"), _table(state, "links.parquet")
    return Previous(items, dict(zip(links["mention_id"], links["event_id"])))


def links(out_dir: str | Path) -> pd.DataFrame | None:
    """How each mention of the previous build joined its event (`merge.LINK_COLUMNS`); None without a state."""
    state = _opened(out_dir)
    return None if state is None else _table(state, "links.parquet")


def _opened(out_dir: str | Path) -> Path | None:
    """The state folder of `out_dir`, checked to be in this format; None when there is no state."""
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
    return state


def _table(state: Path, name: str) -> pd.DataFrame:
    return _read(state, name).to_pandas()


def _read(state: Path, name: str) -> pa.Table:
    try:
        return pq.read_table(state / name)
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
    return json.dumps({"format": FORMAT, "timeline": __version__}, sort_keys=True) + "\n"


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


def _item(row: dict) -> Item:
    values = {c: (None if row[c] is None or row[c] != row[c] else row[c]) for c in ITEM_COLUMNS}
    values["published"] = _unstamp(values["published"])
    values["item_time"] = _unstamp(values["item_time"])
    values["position"] = int(values["position"])
    return Item(**values)
