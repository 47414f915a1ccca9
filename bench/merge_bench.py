"""Merge benchmark: how merge time grows with the number of mentions.

    python bench/merge_bench.py                 # 10k, 100k and 1M mentions
    python bench/merge_bench.py 10000 50000     # other sizes

Each size runs in its own process (so peak memory is that size's own) over mentions
made without extraction from the synthetic corpus of bench/corpus.py (the generator
bench/bench.py builds end to end): every event sentence of its pages becomes the mention
extraction should read from it (type, actors, place with coordinates, figures, date and
date window, report time, page and position). Events are reported several times by
different outlets, on the same and the next days, with revised tolls and paraphrased
sentences. The archive grows by time at the corpus's density (750 posts a day), which is
how a real archive grows; merge blocks by date window, so its cost should grow about
linearly.
"""
from __future__ import annotations

import itertools
import json
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402  (the shared generator, next to this file)


def synthetic_mentions(n: int, seed: int = 7) -> pd.DataFrame:
    """The first `n` event sentences of the synthetic corpus, as the mentions frame merge takes."""
    from timeline import schema
    from timeline.extract.actors import country_name
    from timeline.pipeline import INTERNAL

    columns = [*schema.table("mentions").names, *INTERNAL]
    blank = dict.fromkeys(columns)
    rows = []
    for i, t in enumerate(itertools.islice(corpus.reports(seed), n)):
        published = datetime.fromisoformat(t["published"]).replace(tzinfo=timezone.utc)
        row = dict(blank)
        row.update(
            mention_id=f"m-{i:09d}", item_id=f"{t['source']}#{t['position']}", source=t["source"],
            sentence=t["sentence"], char_start=0, char_end=len(t["sentence"]),
            reported=datetime.fromisoformat(t["reported"]) if t["reported"] else published,
            event_date=date.fromisoformat(t["day"]), date_precision="day", event_type=t["type"],
            acled_event_type=t.get("acled_event_type"),
            actor=t.get("actor") or (t["actor_country"] and country_name(t["actor_country"])),
            actor_country=t["actor_country"], target_country=t["target_country"],
            target=t["target_country"] and country_name(t["target_country"]),
            **{k: t.get(k) for k in ("location", "admin1", "country", "latitude", "longitude", "geo_precision")},
            **t["figures"], _explicit=t["dated"], _window=t["window"], _position=t["position"],
        )
        rows.append(row)
    df = pd.DataFrame(rows, columns=columns)
    for cat in schema.figure_categories():
        df[cat] = df[cat].astype("Int64")
    return df


def run_one(n: int) -> dict:
    from timeline import merge

    t0 = time.perf_counter()
    df = synthetic_mentions(n)
    t1 = time.perf_counter()
    merged = merge.merge_mentions(df)
    t2 = time.perf_counter()
    return {"mentions": n, "events": len(merged.events), "generate_s": round(t1 - t0, 2),
            "merge_s": round(t2 - t1, 2), "mentions_per_s": round(n / (t2 - t1)),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(run_one(int(argv[1]))))
        return 0
    sizes = [int(a) for a in argv] or [10_000, 100_000, 1_000_000]
    print(f"{'mentions':>10} {'events':>9} {'merge s':>8} {'mentions/s':>11} {'peak RSS MB':>12} {'x time':>7}")
    previous = None
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        ratio = f"{r['merge_s'] / previous:.1f}" if previous else ""
        print(f"{r['mentions']:>10,} {r['events']:>9,} {r['merge_s']:>8.2f} {r['mentions_per_s']:>11,} "
              f"{r['peak_rss_mb']:>12,} {ratio:>7}", flush=True)
        previous = r["merge_s"]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
