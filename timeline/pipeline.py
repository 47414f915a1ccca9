"""The pipeline: read -> split -> extract -> merge -> write.

`build()` is what `timeline build` runs; every stage is also usable alone.

A build streams: it reads, splits and extracts its pages a batch at a time,
page by page in name order (the order of the tables), and keeps of each batch
only what the merge needs, in compact columns, and the rows of the tables, on
disk (timeline.tables). No stage holds every item or every mention as
objects, so memory grows with the number of mentions by a few hundred bytes
each, and the tables are written a row group at a time.
"""
from __future__ import annotations

import itertools
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import pandas as pd
import pyarrow as pa

from . import memory, merge, parallel, read, schema, split, state, write
from .columns import MentionColumns
from .errors import InputError, UsageError
from .extract.mention import extract_item
from .models import Item, Mention
from .tables import INTERNAL, BuildTables, figures_frame, items_frame, mentions_frame  # noqa: F401 (the library's)

Progress = Callable[[str, int, int], None]
BATCH_ITEMS = 2000      # items extracted at a time: whole pages, so a batch can be a little larger


@dataclass
class BuildReport:
    """What a build did: counts, skipped files with reasons, warnings."""

    files_read: int = 0
    skipped: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parts_skipped: int = 0      # JSONL lines and JSON-LD blocks left out of files that were read
    items: int = 0
    kept: int = 0            # items carried over from the previous build in the output folder
    extracted_again: int = 0  # ... of which were extracted again (another extractor made their mentions)
    merged_as_before: int = 0  # mentions merged as the earlier build merged them (those dated before any change)
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


class Stages:
    """The time each stage of a build took: `with stages("extract"): ...` around the work. Stages
    take turns (a build reads, splits and extracts a batch at a time), so a stage's time is the sum
    of its turns; a stage inside another counts for itself only. `current` is the stage running."""

    NAMES = ("read", "split", "extract", "frames", "merge", "write")

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(self.NAMES, 0.0)
        self.current: str | None = None

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        outer, self.current = self.current, stage
        start = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - start
            self.seconds[stage] = self.seconds.get(stage, 0.0) + spent
            if outer is not None:
                self.seconds[outer] -= spent
            self.current = outer

    def summary(self) -> str:
        return ", ".join(f"{name} {self.seconds[name]:.2f} s" for name in self.seconds)


def build(inputs: Sequence[str | Path], out_dir: str | Path, strict: bool = False,
          progress: Progress | None = None, rebuild: bool = False, jobs: int | None = None,
          scheduler: str | None = None, partition: bool = False, stages: Stages | None = None) -> BuildReport:
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
    `progress` is called with ("pages", pages done, pages to read) as batches
    are extracted; `stages` (a `Stages`) times each stage.
    """
    stages = stages or Stages()
    with _returning_memory(), engine_for(jobs, scheduler) as engine, BuildTables() as built:   # a scheduler is reached first
        engine.stages = stages
        with stages("read"):
            previous = state.Previous() if rebuild else state.load(out_dir)
        report = read_and_extract(inputs, previous, built, engine, strict, progress)
        columns = built.close()
        with stages("read"):
            earlier = previous.earlier(columns["mention_id"])
        del previous      # (its files' row groups)
        memory.give_back()
        with stages("merge"):
            clusters = engine.merge(columns, earlier)
        del earlier
        mention_ids = columns["mention_id"]
        del columns
        memory.give_back()
        report.items, report.mentions, report.events = built.n_items, built.n_mentions, len(clusters.events)
        report.merged_as_before = clusters.merged_as_before
        with stages("write"):
            frames, state_tables = built.tables(clusters, mention_ids)
            del clusters, mention_ids     # the tables keep what they need, and let it go when written
            report.written = write.write_tables(frames, out_dir, state_tables, partition=partition)
    return report


@contextmanager
def _returning_memory() -> Iterator[None]:
    """Arrow allocates with the system allocator while a build runs (see timeline/__init__.py: this
    covers Arrow's own calls when pyarrow was imported before timeline)."""
    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(before)


def read_and_extract(inputs: Sequence[str | Path], previous: state.Previous, built: BuildTables,
                     engine: "Engine", strict: bool = False, progress: Progress | None = None) -> BuildReport:
    """Read, split and extract every input into `built`, a batch of whole pages at a time, pages in name
    order. A page's items are those read now, else (in an incremental build) the earlier build's: a
    page read again replaces all of its earlier items. Returns the report of files read, skipped
    (in the order of the inputs) and kept."""
    report = BuildReport()
    plan = read.plan_inputs(inputs)
    if strict and any(isinstance(entry, InputError) for entry in plan):
        raise _first_error(plan, {})
    order = sorted((n for n, entry in enumerate(plan) if isinstance(entry, read.ReadTask)),
                   key=lambda n: plan[n].source)
    results = iter(engine.read_files([plan[n] for n in order]))
    got: dict[int, FileRead] = {}
    pages: dict[str, list[int]] = {}
    for n in order:
        pages.setdefault(plan[n].source, []).append(n)
    batch: list[Item | state.KeptPage] = []   # whole pages, in order: items to extract, or pages kept
    size = done = 0
    for source in sorted(pages.keys() | previous.sources()):
        fresh: list[Item] = []
        for n in pages.get(source, []):
            got[n] = next(results)
            if got[n].error is not None and strict:
                raise _first_error(plan, got)
            fresh.extend(got[n].items)
            got[n].items = []
        with engine.stages("read"):     # (an earlier page's items and mentions, from the state)
            kept = None if fresh else previous.page(source)
            if kept is None or kept.mentions is None:
                previous.replaced(source)     # (its earlier mentions go, if it had any)
        if kept is None:
            batch.extend(sorted(fresh, key=lambda i: (i.position, i.item_id)))
            size += len(fresh)
        else:
            report.kept += kept.items.num_rows
            if kept.mentions is None:
                report.extracted_again += kept.items.num_rows
                with engine.stages("read"):
                    batch.extend(state.item_objects(kept.items))
            else:
                batch.append(kept)
            size += kept.items.num_rows
        done += len(pages.get(source, []))
        if size >= BATCH_ITEMS:
            _add(batch, built, engine, previous, progress, done, len(order))
            batch, size = [], 0
    _add(batch, built, engine, previous, progress, done, len(order))
    if report.extracted_again:
        report.warnings.append(f"{report.extracted_again} items of the earlier build were extracted again: "
                               "another version of timeline or of its vocabularies built it")
    for n, entry in enumerate(plan):
        _report(report, entry if isinstance(entry, InputError) else got[n])
    return report


def _add(batch: list[Item | state.KeptPage], built: BuildTables, engine: "Engine", previous: state.Previous,
         progress: Progress | None, done: int, total: int) -> None:
    """Add a batch of whole pages to `built`, in order: runs of items extracted now, and pages whose
    mentions the earlier build has (from its rows, the pages of a run at once)."""
    for kept, run in itertools.groupby(batch, key=lambda entry: isinstance(entry, state.KeptPage)):
        if kept:
            with engine.stages("frames"):
                built.add_kept(state.KeptPage.joined(list(run)))
        else:
            previous.changes(_extract(list(run), built, engine))
    with engine.stages("frames"):
        memory.give_back()
    if progress is not None:
        progress("pages", done, total)


def _extract(items: list[Item], built: BuildTables, engine: "Engine") -> set[int]:
    """Extract `items` and add them to `built`. Returns the days (ordinals) of the mentions found."""
    with engine.stages("extract"):
        found = engine.extract(items)
        days = {m.event_date.toordinal() for each in found for m in each}
    with engine.stages("frames"):
        built.add(items, found)
    return days


def _report(report: BuildReport, got: "FileRead | InputError") -> None:
    if isinstance(got, InputError):
        report.skipped.append(got)
    elif got.error is not None:
        report.skipped.append(got.error)
    else:
        report.files_read += 1
        report.warnings.extend(got.warnings)
        report.parts_skipped += got.parts_skipped


def _first_error(plan: list, got: dict[int, "FileRead"]) -> InputError:
    """For a strict build: the first problem in the order of the inputs, reading (not extracting) the
    files before it that were not read yet."""
    for n, entry in enumerate(plan):
        if isinstance(entry, InputError):
            return entry
        result = got[n] if n in got else read_file(entry)
        if result.error is not None:
            return result.error
    raise AssertionError("no problem to report")


class Engine:
    """Runs the stages that can be spread out: in this process, or with `jobs` > 1 (and entered as a
    context manager), extraction and merge in that many worker processes. `timeline.distributed.DaskEngine`
    runs them on a cluster."""

    def __init__(self, jobs: int = 1):
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
            raise UsageError(f"--jobs must be a whole number of 1 or more (got {jobs})")
        self.jobs = jobs
        self.pool = None
        self.stages = Stages()

    def __enter__(self) -> "Engine":
        if self.jobs > 1:
            self.pool = parallel.start(self.jobs)   # workers start up while this process reads
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool = None

    def read_files(self, tasks: list[read.ReadTask]) -> Iterable[FileRead]:
        """`read_file` of every task, in order (lazily: a build reads a batch at a time, and a strict
        build stops at the first bad file)."""
        return (read_file(task, self.stages) for task in tasks)

    def extract(self, items: list[Item], progress: Progress | None = None) -> list[list[Mention]]:
        """The mentions of each item, in the order of `items`."""
        if self.jobs == 1:
            return extract_each(items, progress)
        return parallel.extract(items, self.jobs, progress, self.pool)

    def merge(self, mentions: MentionColumns, earlier: merge.Earlier) -> merge.Clusters:
        if self.pool is None:
            return merge.merge_columns(mentions, earlier)
        return parallel.merge(mentions, earlier, self.jobs, self.pool)


def engine_for(jobs: int | None = None, scheduler: str | None = None) -> Engine:
    """The engine a build runs on; with a scheduler, connected (raises ClusterError when it cannot be)."""
    if scheduler is None:
        return Engine(1 if jobs is None else jobs)
    from . import distributed
    return distributed.DaskEngine(scheduler, jobs)


@dataclass
class FileRead:
    """What reading and splitting one file gave: its items and warnings, or why it was skipped."""

    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parts_skipped: int = 0
    error: InputError | None = None


def read_file(task: read.ReadTask, stages: Stages | None = None) -> FileRead:
    """Read and split one file."""
    stages = stages or Stages()
    try:
        with stages("read"):
            doc = read.read_task(task)
    except InputError as exc:
        return FileRead(error=exc)
    with stages("split"):
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
    """Extract and merge, all in memory: items in, the four output tables out (for a few pages, as
    `timeline evaluate` scores them; `build` streams). `previous` maps mention ids of an earlier
    build to their event ids, which the events keep."""
    engine = engine or Engine()
    mentions = [m for found in engine.extract(items, progress) for m in found]
    mention_df = mentions_frame(mentions, items)
    merged = merge.merge_mentions(mention_df, previous or {})
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
