"""End-to-end benchmark: speed per stage, wall time and peak memory of `timeline build`.

    python bench/bench.py                        # 10k, 100k and 1M items (make bench)
    python bench/bench.py 10000 100000           # other sizes (make bench SIZES="10000 100000")
    python bench/bench.py --json out.json --seed 7 --startup-runs 5 --real-runs 5 [--jobs N]
    python bench/bench.py --real-only            # extraction on real text only (seconds)

For each size, a synthetic corpus (bench/corpus.py: all six page layouts, ~80 words an
item) is built by the real pipeline in a fresh process of its own, so the peak memory
reported is that size's alone. Generating a corpus is not timed: corpora are kept in
bench/.corpus/ (by size and seed, and regenerated when the generator changes), so reruns
only build.

pipeline.build() runs as `timeline build` does, with a `pipeline.Stages` that times each
stage where the pipeline does it (stages take turns, a batch of pages at a time, and each
stage's time is the sum of its turns; `timeline build --verbose` prints the same); "other"
is the wall time outside read, split, extract, merge and write: building the tables of each
batch ("frames" in the JSON, also a stage of its own) and the glue around. Peak RSS is the
child's ru_maxrss; a sampler thread also records each stage's peak.

"add a page" is the rebuild of a newsroom during a big night: after the build of the whole
corpus, one more page (its last text page, under its bare file name, so a page the build has not
seen) is built into the same output folder, as `timeline build PAGE --out OUT` does; the earlier
pages' mentions come from the state, so this times reading the state (the "read" stage, with the
page), extracting one page, and merging and writing everything. The table's "peak RSS MB" is the
corpus build's; "add a page MB" is the process's peak after the added page (in the JSON too).

Start-up is the wall time of `timeline build data/raw --out TMP` in a new process on a warm
venv (after one untimed run), the median of --startup-runs.

"Real text" is extraction alone on real live-blog text, which the synthetic posts only imitate:
the gold pages of tests/gold/pages and, when this checkout has ../shared/seeds beside it, the seed
scrapes. Each of --real-runs new processes first extracts data/raw (untimed: vocabularies,
gazetteer and dateparser loaded), then times extracting the sample's items once; the median is
reported in items/s, words/s and posts of ~80 words a second, which is what the synthetic
corpus's items are and what the extraction target counts.

Prints a markdown table and writes everything, with the machine it ran on, to --json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".corpus"
SIZES = (10_000, 100_000, 1_000_000)
STAGES = ("read", "split", "extract", "merge", "write")
REAL_WARMUP = ROOT / "data" / "raw"
REAL_TEXT = (ROOT / "tests" / "gold" / "pages", ROOT.parent / "shared" / "seeds")
POST_WORDS = 80            # an item of the synthetic corpus, and of the extraction target


# ---------------------------------------------------------------- corpora

def corpus_for(items: int, seed: int) -> Path:
    """The cached corpus of `items` items, generated (untimed) when missing or stale."""
    sys.path.insert(0, str(HERE))
    import corpus

    folder = CACHE / f"{items}-{seed}"
    meta = folder / ".corpus.json"
    if meta.is_file() and json.loads(meta.read_text())["fingerprint"] == corpus.fingerprint():
        return folder
    print(f"generating a corpus of {items:,} items in {folder} (not timed) ...", file=sys.stderr, flush=True)
    shutil.rmtree(folder, ignore_errors=True)
    partial = CACHE / f".{items}-{seed}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    corpus.write_corpus(partial, items, seed)
    partial.rename(folder)
    return folder


# ---------------------------------------------------------------- one size, in a child process

class StageSampler:
    """The peak RSS of each stage: a thread reads this process's RSS every `every` seconds and
    books it to the stage the build's `pipeline.Stages` says is running."""

    def __init__(self, stages):
        self.stages = stages
        self.peak_mb: dict[str, float] = {}
        self._stop = threading.Event()

    def start(self, every: float = 0.05) -> None:
        page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20

        def run():
            with open("/proc/self/statm") as statm:
                while not self._stop.wait(every):
                    statm.seek(0)
                    rss = int(statm.read().split()[1]) * page_mb
                    stage = self.stages.current
                    if stage is not None:
                        self.peak_mb[stage] = max(self.peak_mb.get(stage, 0.0), rss)

        threading.Thread(target=run, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()


def run_one(corpus_dir: Path, out_dir: Path, jobs: int | None = None) -> dict:
    """Build one corpus as `timeline build` does; the timings, counts and memory as a dict."""
    t0 = time.perf_counter()
    from timeline import pipeline
    imported = time.perf_counter() - t0
    stages = pipeline.Stages()
    sampler = StageSampler(stages)
    if Path("/proc/self/statm").exists():
        sampler.start()
    options = {"rebuild": True, "stages": stages, **({"jobs": jobs} if jobs else {})}
    start = time.perf_counter()
    report = pipeline.build([corpus_dir], out_dir, **options)
    wall = time.perf_counter() - start
    sampler.stop()
    peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    update = add_a_page(corpus_dir, out_dir, jobs)
    meta = json.loads((corpus_dir / ".corpus.json").read_text())
    return {
        "items_asked": meta["items"], "files": report.files_read, "skipped": len(report.skipped),
        "items": report.items, "mentions": report.mentions, "events": report.events,
        "import_s": round(imported, 3), "wall_s": round(wall, 3),
        "stage_s": {k: round(v, 3) for k, v in stages.seconds.items()},
        "other_s": round(wall - sum(stages.seconds[s] for s in STAGES), 3),     # frames included
        "peak_rss_mb": peak_mb,
        "add_a_page": update,
        "peak_rss_children_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),  # --jobs workers
        "jobs": jobs or 1,
        "stage_peak_rss_mb": {k: round(v) for k, v in sampler.peak_mb.items()},
        "corpus": {k: meta[k] for k in ("days", "pages", "bytes", "items_by_layout", "words_per_item")},
    }


def add_a_page(corpus_dir: Path, out_dir: Path, jobs: int | None = None) -> dict:
    """The newsroom's rebuild: one more page (the corpus's last text page, under its bare file name, so a
    page the build has not seen) built into the output folder of the whole corpus; wall time and the
    process's peak RSS after it (the larger of the two builds')."""
    from timeline import pipeline

    page = sorted(corpus_dir.rglob("*.txt"))[-1]
    stages = pipeline.Stages()
    start = time.perf_counter()
    report = pipeline.build([page], out_dir, stages=stages, **({"jobs": jobs} if jobs else {}))
    return {"page_items": report.items - report.kept, "kept": report.kept, "extracted_again": report.extracted_again,
            "wall_s": round(time.perf_counter() - start, 3), "stage_s": {k: round(v, 3) for k, v in stages.seconds.items()},
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def measure(items: int, seed: int, jobs: int | None = None) -> dict:
    folder = corpus_for(items, seed)
    CACHE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE, prefix=".out-") as out:
        proc = subprocess.run([sys.executable, __file__, "--one", str(folder), out, *([str(jobs)] if jobs else [])],
                              capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"the {items:,}-item build failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    result = json.loads(proc.stdout.splitlines()[-1])
    if result["items"] != items or result["skipped"]:
        print(f"warning: asked for {items:,} items, the build read {result['items']:,} "
              f"({result['skipped']} file(s) skipped)", file=sys.stderr)
    return result


# ---------------------------------------------------------------- start-up

def startup(runs: int) -> dict:
    """Median wall time of `timeline build data/raw --out TMP` in a new process, after a warm-up run."""
    exe = Path(sys.executable).with_name("timeline")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "timeline"]
    times, codes = [], set()
    for i in range(runs + 1):
        with tempfile.TemporaryDirectory(prefix="timeline-startup-") as out:
            start = time.perf_counter()
            proc = subprocess.run([*command, "build", str(ROOT / "data" / "raw"), "--out", out],
                                  capture_output=True, text=True)
            elapsed = time.perf_counter() - start
        codes.add(proc.returncode)
        if i:                                     # the first run warms caches and is not counted
            times.append(elapsed)
    return {"runs": runs, "median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "max_s": round(max(times), 3), "exit_codes": sorted(codes)}


# ---------------------------------------------------------------- extraction on real text

def real_text_once(sample: list[Path], warmup: Path = REAL_WARMUP) -> dict:
    """Extract `warmup`'s items (untimed), then time extracting the items of `sample` once."""
    from timeline import pipeline
    from timeline.extract.mention import extract_item

    for item in pipeline.read_items([warmup], strict=True)[0]:
        extract_item(item)
    items = pipeline.read_items(sample, strict=True)[0]
    start = time.perf_counter()
    mentions = sum(len(extract_item(item)) for item in items)
    seconds = time.perf_counter() - start
    return {"items": len(items), "words": sum(len(item.text.split()) for item in items), "mentions": mentions,
            "seconds": seconds}


def real_text(runs: int, sample: list[Path] | None = None) -> dict | None:
    """The median of `runs` new processes' `real_text_once` (None when the sample has no folder here)."""
    sample = [folder for folder in (REAL_TEXT if sample is None else sample) if folder.is_dir()]
    if not sample or runs < 1:
        return None
    done = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, __file__, "--real", *map(str, sample)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"extracting the real-text sample failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        done.append(json.loads(proc.stdout.splitlines()[-1]))
    seconds = statistics.median(d["seconds"] for d in done)
    first = done[0]
    return {"folders": [str(f) for f in sample], "runs": runs, "items": first["items"], "words": first["words"],
            "mentions": first["mentions"], "median_s": round(seconds, 4),
            "min_s": round(min(d["seconds"] for d in done), 4), "max_s": round(max(d["seconds"] for d in done), 4),
            "items_per_s": round(first["items"] / seconds), "words_per_s": round(first["words"] / seconds),
            "posts_per_s": round(first["words"] / seconds / POST_WORDS)}


def real_text_line(real: dict, results: list[dict]) -> str:
    """One sentence: extraction on real text, against the synthetic corpus's extraction per word."""
    line = (f"real text: extracting {real['items']:,} items ({real['words']:,} words, {real['mentions']:,} mentions) "
            f"took {real['median_s']:.3f} s (median of {real['runs']}): {real['items_per_s']:,} items/s, "
            f"{real['words_per_s']:,} words/s, {real['posts_per_s']:,} posts of {POST_WORDS} words/s")
    synthetic = [r for r in results if r["stage_s"].get("extract")]
    if synthetic:
        r = synthetic[-1]
        words = r["corpus"]["words_per_item"] * r["items"] / r["stage_s"]["extract"]
        line += f" (the synthetic {r['items']:,}: {words:,.0f} words/s)"
    return line


# ---------------------------------------------------------------- report

def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")), None)
    mem = next((int(line.split()[1]) // 1024 for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), None)
    commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True)
    return {"cpu": cpu or platform.processor(), "cores": os.cpu_count(), "memory_mb": mem,
            "python": platform.python_version(), "platform": platform.platform(),
            "commit": commit.stdout.strip() or None, "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def rate(items: int, seconds: float | None) -> str:
    return f"{items / seconds:,.0f}" if seconds else "-"


def table(results: list[dict]) -> str:
    """The markdown table: items per second per stage, wall time, peak RSS, time ratio to the previous size,
    and the wall time and peak RSS of adding one page to the build."""
    head = ["items", "read/s", "split/s", "extract/s", "merge/s", "write/s", "other s", "wall s", "items/s",
            "peak RSS MB", "x time", "add a page s", "add a page MB"]
    rows = ["| " + " | ".join(head) + " |", "|" + "|".join("---:" for _ in head) + "|"]
    for i, r in enumerate(results):
        n = r["items"]
        ratio = f"{r['wall_s'] / results[i - 1]['wall_s']:.1f}" if i else ""
        cells = [f"{n:,}", *(rate(n, r["stage_s"][s]) for s in STAGES), f"{r['other_s']:.1f}",
                 f"{r['wall_s']:.1f}", rate(n, r["wall_s"]), f"{r['peak_rss_mb']:,}", ratio,
                 f"{r['add_a_page']['wall_s']:.1f}", f"{r['add_a_page']['peak_rss_mb']:,}"]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(run_one(Path(argv[1]), Path(argv[2]), int(argv[3]) if len(argv) > 3 else None)))
        return 0
    if argv[:1] == ["--real"]:
        print(json.dumps(real_text_once([Path(a) for a in argv[1:]])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(SIZES), help="corpus sizes in items")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--real-runs", type=int, default=5,
                        help="processes timing extraction on the real-text sample (0: not measured)")
    parser.add_argument("--real-only", action="store_true", help="measure extraction on real text only")
    parser.add_argument("--jobs", type=int, help="pass --jobs to the builds (if the pipeline has it)")
    parser.add_argument("--json", type=Path, default=HERE / "results.json", help="where to write the results")
    args = parser.parse_args(argv)
    if args.real_only:
        real = real_text(max(args.real_runs, 1))
        print(real_text_line(real, []) if real else "real text: none of the sample's folders is here")
        return 0 if real else 1
    up = startup(args.startup_runs)
    print(f"start-up: `timeline build data/raw` median {up['median_s']:.2f} s wall over {up['runs']} runs "
          f"(min {up['min_s']:.2f}, max {up['max_s']:.2f}; exit {up['exit_codes']})", flush=True)
    report = {"machine": machine(), "seed": args.seed, "jobs": args.jobs or 1, "startup": up, "sizes": []}
    try:
        report["real_text"] = real_text(args.real_runs)
    except RuntimeError as exc:                 # the sizes are still measured
        print(exc, file=sys.stderr)
        report["real_text"], report["failed_real_text"] = None, str(exc)
    for n in args.sizes:
        try:
            r = measure(n, args.seed, args.jobs)
        except RuntimeError as exc:             # e.g. killed for memory: keep what the smaller sizes gave
            print(exc, file=sys.stderr)
            report["failed"] = {"items": n, "error": str(exc)}
            break
        report["sizes"].append(r)
        args.json.write_text(json.dumps(report, indent=1) + "\n")     # after each size: a long run keeps its results
        print(f"{n:,} items: {r['wall_s']:.1f} s, {r['mentions']:,} mentions, {r['events']:,} events, "
              f"peak {r['peak_rss_mb']:,} MB", file=sys.stderr, flush=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n")
    print(table(report["sizes"]))
    if report["real_text"] is not None:
        print("\n" + real_text_line(report["real_text"], report["sizes"]))
    print(f"\n(written to {args.json})")
    return 1 if "failed" in report or "failed_real_text" in report else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
