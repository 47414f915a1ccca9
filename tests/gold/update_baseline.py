"""Raise the floors in baseline.json to the current scores (rounded down); never lower one.

Run through `make gold-baseline` after an improvement, and commit baseline.json.
`--rebase` sets every floor to the current score, up or down: only for a commit
that changes the gold set itself (new pages, corrected annotations), which
must say so.
"""
import json
import math
import sys
from pathlib import Path

from timeline.evaluate import evaluate, load_gold

HERE = Path(__file__).parent


def main() -> int:
    path = HERE / "baseline.json"
    base = json.loads(path.read_text(encoding="utf-8"))
    files = [p for p in sorted(HERE.glob("*.yaml")) if load_gold(p).page.exists()]
    report = evaluate(files).as_dict()
    if "--rebase" in sys.argv[1:]:
        base = {"f1": {}, "dedup": 0.0, "dedup_precision": 0.0, "over_merges": report["over_merges"]}
    for name, sc in report["fields"].items():
        base["f1"][name] = max(base["f1"].get(name, 0.0), math.floor(sc["f1"] * 100) / 100)
    base["dedup"] = max(base["dedup"], math.floor(report["dedup"]["pairwise_recall"] * 100) / 100)
    base["dedup_precision"] = max(base.get("dedup_precision", 0.0),
                                  math.floor(report["dedup"]["pairwise_precision"] * 100) / 100)
    base["over_merges"] = min(base["over_merges"], report["over_merges"])
    path.write_text(json.dumps(base, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(files)} gold files, {report['gold_events']} gold events; floors written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
