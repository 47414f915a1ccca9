"""The command line: a thin Typer app over the library.

Exit codes: 0 success; 1 error (nothing written); 2 finished, but some input
files were skipped (each named on stderr with the reason).
"""
from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import List, Optional

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import __version__, datapackage, pipeline, read, schema, split
from .errors import TimelineError
from .extract.mention import extract_item

PROGRESS_MIN_PAGES = 20  # builds smaller than this finish before a bar is worth drawing

app = typer.Typer(
    help="Turn saved live blogs about the Russia-Ukraine war into a deduplicated event dataset.",
    no_args_is_help=True, add_completion=True, rich_markup_mode=None,
)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def _err(message: str) -> None:
    """One plain line on stderr (never wrapped, never coloured), so scripts can parse it."""
    typer.echo(message, err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"timeline {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit.")) -> None:
    """timeline: live blogs in, event tables (Parquet + CSV) out."""


@app.command()
def build(
    inputs: Optional[List[Path]] = typer.Argument(None, help="Files and/or folders to read [default: data/raw]."),
    out_dir: Path = typer.Option(Path("data/out"), "--out", "-o", help="Folder the tables are written to."),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad input file and write nothing."),
    quiet: bool = typer.Option(False, "--quiet", "-q",
                               help="Print nothing on stdout: only errors and warnings, on stderr."),
    verbose: bool = typer.Option(False, "--verbose", "-v",
                                 help="Also print, on stderr, what each page gave and how long each stage took."),
    rebuild: bool = typer.Option(False, "--rebuild",
                                 help="Ignore the earlier build in --out and start from scratch."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", metavar="N",
                                       help="Extract in N processes (1 or more; the files written are the same "
                                            "as with one) [default: 1; with --scheduler local: one per core]."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="ADDRESS",
                                            help="Run read, split, extract and merge on a Dask cluster: the "
                                                 "scheduler's address (tcp://HOST:8786), or 'local' to start one "
                                                 "on this machine with --jobs workers. Needs timeline[dask]."),
    partition: bool = typer.Option(False, "--partition",
                                   help="Also write the events as a dataset partitioned by month: "
                                        "events/month=YYYY-MM/part-0.parquet."),
) -> None:
    """Build events, mentions, items and figures tables from saved live-blog pages.

    When --out already holds a build, the new pages are merged into it: events
    keep their ids, a page read again replaces its earlier items, and
    re-running with pages already seen changes nothing. Prints a one-line
    summary and a table of the files written; each skipped file gets one line
    on stderr. Exit status 0: every input used; 2: something was skipped;
    1: an error, nothing written.
    """
    if quiet and verbose:
        _err("error: --quiet and --verbose cannot be used together")
        raise typer.Exit(1)
    inputs = inputs or [Path("data/raw")]
    stages = pipeline.Stages() if verbose else None
    start = time.perf_counter()
    try:
        with _progress(quiet) as bar:
            report = pipeline.build(inputs, out_dir, strict=strict, progress=bar, rebuild=rebuild,
                                    jobs=jobs, scheduler=scheduler, partition=partition, stages=stages)
    except TimelineError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)
    for problem in report.skipped:
        _err(f"skipped {problem}")
    for warning in report.warnings:
        _err(f"warning: {warning}")
    if verbose:
        _show_pages(out_dir)
        if report.kept:
            _err(f"merge: {report.merged_as_before:,} of {report.mentions:,} mentions merged as the earlier build "
                 "merged them (those dated before the first day this build changes)")
        _err(f"time: {stages.summary()}; {time.perf_counter() - start:.2f} s in all")
    if not quiet:
        _summary(report, out_dir)
    raise typer.Exit(report.exit_code)


@contextmanager
def _progress(quiet: bool):
    """A progress bar on stderr for long builds, only when stderr is a terminal."""
    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if total < PROGRESS_MIN_PAGES:
                return
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        yield update


def _show_pages(out_dir: Path) -> None:
    """--verbose: what each page of the build gave (outlet, date, items and how it was split, mentions, events)."""
    import pandas as pd

    items = pd.read_parquet(out_dir / "items.parquet", columns=["source", "outlet", "published", "split_method"])
    mentions = pd.read_parquet(out_dir / "mentions.parquet", columns=["source", "event_id"])
    table = Table(title=f"pages in the build in {out_dir}", title_justify="left")
    for col, justify in (("page", "left"), ("outlet", "left"), ("published", "left"), ("items", "right"),
                         ("split by", "left"), ("mentions", "right"), ("events", "right")):
        table.add_column(col, justify=justify, overflow="fold")
    for source, grp in items.groupby("source", sort=True):
        said = mentions[mentions["source"] == source]
        methods = grp["split_method"].value_counts()
        split_by = ", ".join(f"{m} {n}" for m, n in sorted(methods.items()))
        first = grp.iloc[0]
        table.add_row(source, str(first["outlet"]) if _filled(first["outlet"]) else "", f"{first['published']:%Y-%m-%d}", str(len(grp)), split_by,
                      str(len(said)), str(said["event_id"].nunique()))
    _stderr().print(table)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 160)


def _summary(report: pipeline.BuildReport, out_dir: Path) -> None:
    """The one-line summary (scripts parse it), then a table of every file written with its rows."""
    kept = f"kept {report.kept} items of the earlier build; " if report.kept else ""
    typer.echo(
        f"read {report.files_read} file(s), skipped {len(report.skipped)}; {kept}"
        f"{report.items} items, {report.mentions} mentions, {report.events} events -> {out_dir}/"
    )
    out.print(_written_table(report.written, out_dir))


def _written_table(written: List[Path], out_dir: Path) -> Table:
    import pyarrow.parquet as pq

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("table", style="bold")
    table.add_column("rows", justify="right")
    table.add_column("written", overflow="fold")
    outputs = [p for p in written if p.parent == out_dir]
    for name in schema.tables():
        files = [p for p in outputs if p.stem == name]
        if files:
            rows = pq.ParquetFile(out_dir / f"{name}.parquet").metadata.num_rows
            table.add_row(name, f"{rows:,}", "\n".join(str(p) for p in files))
    for path in outputs:
        if path.stem not in schema.tables():
            table.add_row("", "", str(path))
    return table


@app.command()
def inspect(
    file: Optional[Path] = typer.Argument(None, help="One page (.txt, .html, .jsonl) to explain."),
    sentences: bool = typer.Option(False, "--all", help="Also list sentences that gave no mention."),
    event: Optional[str] = typer.Option(None, "--event", "-e", metavar="EVENT_ID",
                                        help="Explain one event of a build instead: its mentions, why each "
                                             "was merged, and the history of its figures (an id prefix will do)."),
    out_dir: Path = typer.Option(Path("data/out"), "--out", "-o", help="The build --event reads."),
) -> None:
    """Show how one page is split into items and which mentions each item gives,
    or (with --event) why the mentions of one event were merged."""
    if event is not None:
        _inspect_event(out_dir, event)
        return
    if file is None:
        _err("error: give a FILE to inspect, or --event EVENT_ID")
        raise typer.Exit(1)
    try:
        (doc,), _ = read.read_inputs([file], strict=True)
    except TimelineError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)
    items, warnings = split.split_document(doc)
    for w in (*doc.notes, *warnings):
        _err(f"warning: {doc.source}: {w}")
    out.print(f"{doc.source}: published {doc.published:%Y-%m-%d}, {len(items)} items")
    for item in items:
        _show_item(item, sentences)


def _inspect_event(out_dir: Path, event_id: str) -> None:
    from .explain import explain_event

    try:
        story = explain_event(out_dir, event_id)
    except TimelineError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)
    ev = story.event
    place = ", ".join(str(ev[c]) for c in ("location", "admin1", "country") if _filled(ev[c]) and
                      (c != "admin1" or ev["admin1"] != ev["location"]))
    mode = f" ({ev['event_mode']})" if _filled(ev["event_mode"]) else ""
    out.print(f"[bold]{ev['event_id']}[/bold]: {ev['event_type']}{mode} on {ev['event_date']} "
              f"({ev['date_precision']}) in {place or 'no place named'}")
    out.print(f"  actor {_who(ev['actor'], ev['actor_country']) or '-'}; target "
              f"{_who(ev['target'], ev['target_country']) or '-'}; claimed by {ev['claimed_by'] or '-'}", markup=False)
    figs = " ".join(f"{c}={ev[c]}" for c in schema.figure_categories() if _filled(ev[c]))
    out.print(f"  figures: {figs or '-'}; {ev['n_mentions']} mention(s) from {ev['n_sources']} source(s)")
    table = Table(title="mentions, in report order", title_justify="left", expand=True)
    for col in ("reported", "source", "sentence", "merged because"):
        table.add_column(col, overflow="fold")
    for m in story.mentions.itertuples():
        why = m.reason if not _filled(m.joined_to) else f"joined {m.joined_to}: {m.reason}"
        table.add_row(f"{m.reported:%Y-%m-%d %H:%M}", m.source, f"{m.mention_id}: {m.sentence}", why)
    out.print(table)
    if not story.figures.empty:
        history = Table(title="figures as reported (the event takes the latest)", title_justify="left")
        for col in ("category", "value", "qualifier", "reported", "mention", "as written"):
            history.add_column(col)
        for f in story.figures.itertuples():
            history.add_row(f.category, str(f.value), f.qualifier, f"{f.reported:%Y-%m-%d %H:%M}", f.mention_id,
                            f.text)
        out.print(history)


def _filled(value) -> bool:
    return value is not None and value == value


def _show_item(item, quiet_sentences: bool = False) -> None:
    when = f" {item.item_time:%Y-%m-%d %H:%M}" if item.item_time else ""
    head = f" — {item.headline}" if item.headline else ""
    out.rule(f"item {item.position} [{item.split_method}]{when}{head}", align="left")
    out.print(item.text if len(item.text) < 400 else item.text[:400] + " …", markup=False)
    mentions = extract_item(item)
    if quiet_sentences:
        _show_quiet_sentences(item, mentions)
    if not mentions:
        out.print("  (no mentions)")
        return
    table = Table(show_lines=False, expand=True)
    for col in ("date", "type", "mode", "actor", "target", "place", "figures", "claimed by", "from"):
        table.add_column(col, overflow="fold")
    for m in mentions:
        place = m.location if m.admin1 in (None, m.location) else f"{m.location}, {m.admin1}"
        figs = " ".join(f"{k}={v}" for k, v in m.figure_values().items())
        said = item.text[m.char_start:m.char_end]
        table.add_row(f"{m.event_date} ({m.date_precision})", m.event_type, m.event_mode or "",
                      _who(m.actor, m.actor_country), _who(m.target, m.target_country),
                      place or "", figs, m.claimed_by or "", said if len(said) <= 70 else said[:69] + "…")
    out.print(table)


def _show_quiet_sentences(item, mentions) -> None:
    """The sentences of an item that gave no mention (to see what extraction passed over)."""
    from .extract.sentences import split_sentences

    spans = [(m.char_start, m.char_end) for m in mentions]
    for sent in split_sentences(item.text):
        if not any(s < sent.end and sent.start < e for s, e in spans):
            out.print(f"  no event: {sent.text}", markup=False)


def _who(name, country) -> str:
    if not name:
        return ""
    return f"{name} ({country})" if country else name


@app.command()
def evaluate(
    gold: List[Path] = typer.Argument(..., help="Gold YAML files (format: docs/gold.md)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", "-o",
                                           help="Score the build in this folder [default: build the gold pages now]."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    misses: bool = typer.Option(False, "--misses", help="Also list every field the build got wrong, and every event holding two gold events."),
) -> None:
    """Score extraction against gold annotations: precision, recall and F1 per field, dedup, over-merges."""
    from . import evaluate as ev

    try:
        report = ev.evaluate(gold, out_dir)
    except TimelineError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2, sort_keys=True))
    else:
        _print_scores(report)
    if misses:
        for line in report.misses:
            typer.echo(line)


def _print_scores(report) -> None:
    typer.echo(f"{report.gold_events} gold events, {report.system_events} system events")
    typer.echo(f"{'field':<18} {'precision':>9} {'recall':>7} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}")
    for name, sc in report.scores.items():
        if sc.tp + sc.fp + sc.fn == 0:
            continue
        typer.echo(f"{name:<18} {sc.precision:>9.3f} {sc.recall:>7.3f} {sc.f1:>6.3f} {sc.tp:>5} {sc.fp:>5} {sc.fn:>5}")
    typer.echo(f"{'dedup (pairs)':<18} {report.dedup_precision:>9.3f} {report.dedup:>7.3f} "
               f"{report.dedup_f1:>6.3f}   {report.dedup_joined} of {report.dedup_pairs} "
               f"gold pairs merged, {report.merged_pairs} pairs merged")
    typer.echo(f"{'over-merges':<18} {report.over_merges:>9}")


@app.command()
def report(
    out_dir: Path = typer.Option(Path("data/out"), "--out", "-o",
                                 help="The build folder; report.html is written into it."),
) -> None:
    """Write report.html into a build folder: its events day by day, with filters and charts.

    One self-contained file (styles, script and plotly.js inlined) that opens
    from disk in any browser, with no network. Build the folder first with
    `timeline build PAGES --out DIR`.
    """
    from .report import write_report

    try:
        path = write_report(out_dir)
    except TimelineError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)
    typer.echo(f"wrote {path}")


@app.command(name="schema")
def schema_cmd(table: Optional[str] = typer.Argument(None, help="Only this table."),
               markdown: bool = typer.Option(False, "--markdown", help="As Markdown (docs/schema.md).")) -> None:
    """Print the output tables and their columns."""
    if table is not None and table not in schema.tables():
        _err(f"error: unknown table {table!r} (tables: {', '.join(schema.tables())})")
        raise typer.Exit(1)
    if markdown:
        typer.echo(datapackage.markdown([table] if table else None), nl=False)
        return
    for tbl in schema.tables().values():
        if table and tbl.name != table:
            continue
        out.print(f"[bold]{tbl.name}[/bold]: {tbl.description}")
        for col in tbl.columns:
            out.print(f"  {col.name:<22} {col.type:<10} {col.description}", markup=False)


def run() -> None:
    """Entry point of the `timeline` script."""
    app()


if __name__ == "__main__":
    sys.exit(run())
