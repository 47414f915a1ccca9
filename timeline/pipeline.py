"""The pipeline: read -> split -> extract -> merge -> write.

`build()` is what `timeline build` runs; every stage is also usable alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pandas as pd

from . import merge, read, schema, split, state, write
from .errors import InputError
from .extract.mention import extract_item
from .models import Item, Mention

Progress = Callable[[str, int, int], None]


@dataclass
class BuildReport:
    """What a build did: counts, skipped files with reasons, warnings."""

    files_read: int = 0
    skipped: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parts_skipped: int = 0      # JSONL lines and JSON-LD blocks left out of files that were read
    items: int = 0
    kept: int = 0            # items carried over from the previous build in the output folder
    mentions: int = 0
    events: int = 0
    written: list[Path] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every input was used, 2 when something was skipped (a file, a JSONL line, ...)."""
        return 2 if self.skipped or self.parts_skipped else 0


@dataclass
class Tables:
    items: pd.DataFrame
    mentions: pd.DataFrame
    events: pd.DataFrame
    figures: pd.DataFrame
    links: pd.DataFrame | None = None   # mention_id -> event_id, joined_to, reason (for the state)

    def as_dict(self) -> dict[str, pd.DataFrame]:
        return {"events": self.events, "mentions": self.mentions, "items": self.items, "figures": self.figures}


def build(inputs: Sequence[str | Path], out_dir: str | Path, strict: bool = False,
          progress: Progress | None = None, rebuild: bool = False) -> BuildReport:
    """Read every input, extract and merge events, and write the tables to `out_dir`.

    When `out_dir` holds an earlier build, the new inputs are merged into it
    (a page read again replaces its earlier items) and events keep their ids;
    `rebuild` ignores the earlier build. Bad files are skipped and reported
    (or, with `strict`, the first one is raised and nothing is written).
    """
    previous = state.Previous() if rebuild else state.load(out_dir)
    items, report = read_items(inputs, strict=strict)
    items, report.kept = combine(previous.items, items)
    tables = process(items, progress, previous.event_of)
    report.items, report.mentions, report.events = len(tables.items), len(tables.mentions), len(tables.events)
    report.written = write.write_tables(tables.as_dict(), out_dir, state.frames(items, tables.links))
    return report


def combine(earlier: list[Item], new: list[Item]) -> tuple[list[Item], int]:
    """The items of an incremental build: every new item, and the earlier items of pages not read
    again (a page read again replaces all of its earlier items). Sorted, so the order of inputs
    never changes the output. Returns the items and how many were kept from `earlier`."""
    fresh = {i.source for i in new}
    kept = [i for i in earlier if i.source not in fresh]
    return sorted([*kept, *new], key=lambda i: (i.source, i.position, i.item_id)), len(kept)


def read_items(inputs: Sequence[str | Path], strict: bool = False) -> tuple[list[Item], BuildReport]:
    """Read and split: the items of every input, and a report of files read, skipped and warnings."""
    report = BuildReport()
    docs, errors = read.read_inputs(inputs, strict=strict)
    report.skipped.extend(errors)
    report.files_read = len(docs)
    items: list[Item] = []
    for doc in docs:
        doc_items, warnings = split.split_document(doc)
        report.warnings.extend(f"{doc.source}: {w}" for w in (*doc.notes, *warnings))
        report.parts_skipped += sum(isinstance(w, split.Skipped) for w in warnings)
        items.extend(doc_items)
    return items, report


def process(items: list[Item], progress: Progress | None = None,
            previous: dict[str, str] | None = None) -> Tables:
    """Extract and merge: items in, the four output tables out. `previous` maps mention ids of an
    earlier build to their event ids, which the events keep."""
    mentions = extract_all(items, progress)
    mention_df = mentions_frame(mentions, items)
    merged = merge.merge_mentions(mention_df, previous)
    mention_df["event_id"] = merged.event_of
    return Tables(
        items=items_frame(items),
        mentions=schema.enforce(mention_df.drop(columns=INTERNAL), "mentions"),
        events=merged.events,
        figures=figures_frame(mentions, mention_df),
        links=merged.links,
    )


def extract_all(items: Iterable[Item], progress: Progress | None = None) -> list[Mention]:
    items = list(items)
    out: list[Mention] = []
    for n, item in enumerate(items, start=1):
        out.extend(extract_item(item))
        if progress is not None:
            progress("extract", n, len(items))
    return out


INTERNAL = ["_explicit", "_window", "_position"]


def mentions_frame(mentions: list[Mention], items: list[Item]) -> pd.DataFrame:
    """One row per mention: the `mentions` columns plus the internal ones merge needs."""
    position = {i.item_id: i.position for i in items}
    cols = [c for c in schema.table("mentions").names if c not in schema.figure_categories()]
    rows = []
    for m in mentions:
        row = {c: getattr(m, c, None) for c in cols}
        row.update({cat: None for cat in schema.figure_categories()})
        row.update(m.figure_values())
        row.update(_explicit=m.date_explicit, _window=m.date_window, _position=position.get(m.item_id, 0))
        rows.append(row)
    if not rows:
        return pd.DataFrame(columns=[*schema.table("mentions").names, *INTERNAL])
    df = pd.DataFrame(rows)
    for cat in schema.figure_categories():
        df[cat] = df[cat].astype("Int64")
    return df


def items_frame(items: list[Item]) -> pd.DataFrame:
    cols = schema.table("items").names
    rows = [{c: getattr(i, c) for c in cols} for i in items]
    return schema.enforce(pd.DataFrame(rows, columns=cols), "items")


def figures_frame(mentions: list[Mention], mention_df: pd.DataFrame) -> pd.DataFrame:
    event_of = dict(zip(mention_df["mention_id"], mention_df["event_id"]))
    rows = [
        {"mention_id": m.mention_id, "event_id": event_of.get(m.mention_id), "category": f.category,
         "value": f.value, "qualifier": f.qualifier, "unit": f.unit, "text": f.text,
         "char_start": f.char_start, "reported": m.reported}
        for m in mentions for f in m.figures
    ]
    return schema.enforce(pd.DataFrame(rows, columns=schema.table("figures").names), "figures")
