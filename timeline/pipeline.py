"""The pipeline: read -> split -> extract -> merge -> write.

`build()` is what `timeline build` runs; every stage is also usable alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pandas as pd

from . import merge, parallel, read, schema, split, state, write
from .columns import MentionColumns
from .errors import InputError, UsageError
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
          progress: Progress | None = None, rebuild: bool = False, jobs: int | None = None,
          scheduler: str | None = None, partition: bool = False) -> BuildReport:
    """Read every input, extract and merge events, and write the tables to `out_dir`.

    When `out_dir` holds an earlier build, the new inputs are merged into it
    (a page read again replaces its earlier items) and events keep their ids;
    `rebuild` ignores the earlier build. Bad files are skipped and reported
    (or, with `strict`, the first one is raised and nothing is written).

    `jobs` > 1 extracts in that many processes (timeline.parallel); `scheduler`
    (an address, or "local" for a cluster of `jobs` processes, default one per
    core) runs read, split, extract and merge on a Dask cluster
    (timeline.distributed). Either way the files written are the same, byte
    for byte. `partition` also writes the events as `events/month=YYYY-MM/`.
    """
    with engine_for(jobs, scheduler) as engine:   # a scheduler is reached before anything is read
        previous = state.Previous() if rebuild else state.load(out_dir)
        items, report = read_items(inputs, strict=strict, engine=engine)
        items, report.kept = combine(previous.items, items)
        tables = process(items, progress, previous.event_of, engine)
    report.items, report.mentions, report.events = len(tables.items), len(tables.mentions), len(tables.events)
    report.written = write.write_tables(tables.as_dict(), out_dir, state.frames(items, tables.links),
                                        partition=partition)
    return report


class Engine:
    """Runs the stages that can be spread out: in this process, or with `jobs` > 1 (and entered as a
    context manager), extraction and merge in that many worker processes. `timeline.distributed.DaskEngine`
    runs them on a cluster."""

    def __init__(self, jobs: int = 1):
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
            raise UsageError(f"--jobs must be a whole number of 1 or more (got {jobs})")
        self.jobs = jobs
        self.pool = None

    def __enter__(self) -> "Engine":
        if self.jobs > 1:
            self.pool = parallel.start(self.jobs)   # workers start up while this process reads
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool = None

    def read_files(self, tasks: list[read.ReadTask]) -> Iterable[FileRead]:
        """`read_file` of every task, in order (lazily, so a strict build stops at the first bad file)."""
        return map(read_file, tasks)

    def extract(self, items: list[Item], progress: Progress | None = None) -> list[list[Mention]]:
        """The mentions of each item, in the order of `items`."""
        if self.jobs == 1:
            return extract_each(items, progress)
        return parallel.extract(items, self.jobs, progress, self.pool)

    def merge(self, mentions: MentionColumns, previous: dict[str, str]) -> merge.Clusters:
        if self.pool is None:
            return merge.merge_columns(mentions, previous)
        return parallel.merge(mentions, previous, self.jobs, self.pool)


def engine_for(jobs: int | None = None, scheduler: str | None = None) -> Engine:
    """The engine a build runs on; with a scheduler, connected (raises ClusterError when it cannot be)."""
    if scheduler is None:
        return Engine(1 if jobs is None else jobs)
    from . import distributed
    return distributed.DaskEngine(scheduler, jobs)


def combine(earlier: list[Item], new: list[Item]) -> tuple[list[Item], int]:
    """The items of an incremental build: every new item, and the earlier items of pages not read
    again (a page read again replaces all of its earlier items). Sorted, so the order of inputs
    never changes the output. Returns the items and how many were kept from `earlier`."""
    fresh = {i.source for i in new}
    kept = [i for i in earlier if i.source not in fresh]
    return sorted([*kept, *new], key=lambda i: (i.source, i.position, i.item_id)), len(kept)


@dataclass
class FileRead:
    """What reading and splitting one file gave: its items and warnings, or why it was skipped."""

    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parts_skipped: int = 0
    error: InputError | None = None


def read_file(task: read.ReadTask) -> FileRead:
    """Read and split one file."""
    try:
        doc = read.read_task(task)
    except InputError as exc:
        return FileRead(error=exc)
    items, warnings = split.split_document(doc)
    return FileRead(items, [f"{doc.source}: {w}" for w in (*doc.notes, *warnings)],
                    sum(isinstance(w, split.Skipped) for w in warnings))


def read_items(inputs: Sequence[str | Path], strict: bool = False,
               engine: Engine | None = None) -> tuple[list[Item], BuildReport]:
    """Read and split: the items of every input, and a report of files read, skipped and warnings."""
    report = BuildReport()
    plan = read.plan_inputs(inputs)
    results = iter((engine or Engine()).read_files([e for e in plan if isinstance(e, read.ReadTask)]))
    items: list[Item] = []
    for entry in plan:
        got = FileRead(error=entry) if isinstance(entry, InputError) else next(results)
        if got.error is not None:
            if strict:
                raise got.error
            report.skipped.append(got.error)
            continue
        report.files_read += 1
        report.warnings.extend(got.warnings)
        report.parts_skipped += got.parts_skipped
        items.extend(got.items)
    return items, report


def process(items: list[Item], progress: Progress | None = None,
            previous: dict[str, str] | None = None, engine: Engine | None = None) -> Tables:
    """Extract and merge: items in, the four output tables out. `previous` maps mention ids of an
    earlier build to their event ids, which the events keep."""
    engine = engine or Engine()
    mentions = [m for found in engine.extract(items, progress) for m in found]
    mention_df = mentions_frame(mentions, items)
    columns = MentionColumns.of(mention_df)
    merged = engine.merge(columns, previous or {}).merged(columns, mention_df.index)
    mention_df["event_id"] = merged.event_of
    return Tables(
        items=items_frame(items),
        mentions=schema.enforce(mention_df.drop(columns=INTERNAL), "mentions"),
        events=merged.events,
        figures=figures_frame(mentions, mention_df),
        links=merged.links,
    )


def extract_all(items: Iterable[Item], progress: Progress | None = None) -> list[Mention]:
    return [m for found in extract_each(list(items), progress) for m in found]


def extract_each(items: list[Item], progress: Progress | None = None) -> list[list[Mention]]:
    """The mentions of each item, in this process."""
    out: list[list[Mention]] = []
    for n, item in enumerate(items, start=1):
        out.append(extract_item(item))
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
