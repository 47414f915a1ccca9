"""Score a build against gold annotations (format: docs/gold.md).

A gold event is found when a system mention's sentence contains one of its
snippets; it is then paired with the system event most of those mentions
landed on. Each field is scored as slot filling: a system value equal to the
gold value is a true positive; a wrong value is a false positive and a false
negative; a value where gold says none (or on a system event no gold event
matches) is a false positive; a gold value the system missed is a false
negative. Dedup is scored over pairs of matched mentions: recall over pairs
that report one gold event (across pages when gold events share a `cluster`),
precision over pairs the build put in one event; over-merges count system
events that two different gold events landed on.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Sequence

import pandas as pd
import yaml

from . import pipeline, schema, write
from .errors import TimelineError

FIELDS = ("event_date", "date_precision", "event_type", "actor_country", "target_country",
          "location", "admin1", "country")


class GoldError(TimelineError):
    """A gold file is malformed."""


@dataclass(frozen=True)
class GoldEvent:
    id: str
    snippets: tuple[str, ...]
    fields: dict           # field -> gold value (None = "none"); absent fields are not scored
    figures: dict          # category -> value; absent categories mean "none reported"
    cluster: str | None = None  # gold events of any page with one cluster are one real-world event


@dataclass(frozen=True)
class GoldPage:
    path: Path             # the gold YAML
    page: Path             # the input file it annotates
    events: tuple[GoldEvent, ...]
    published: str = ""    # the page date (ISO), which orders reports of one cluster


def f1(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Report:
    scores: dict[str, Score] = field(default_factory=dict)
    dedup_pairs: int = 0      # pairs of mentions of one gold event
    dedup_joined: int = 0     # ... that the build put in one event
    merged_pairs: int = 0     # pairs of matched mentions the build put in one event
    over_merges: int = 0
    gold_events: int = 0
    system_events: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def dedup(self) -> float:
        """Pairwise recall: of the pairs of mentions of one gold event, the share merged."""
        return self.dedup_joined / self.dedup_pairs if self.dedup_pairs else 1.0

    @property
    def dedup_precision(self) -> float:
        """Pairwise precision: of the pairs of matched mentions merged, the share that are one gold event."""
        return self.dedup_joined / self.merged_pairs if self.merged_pairs else 1.0

    @property
    def dedup_f1(self) -> float:
        return f1(self.dedup_precision, self.dedup)

    def as_dict(self) -> dict:
        return {
            "gold_events": self.gold_events, "system_events": self.system_events,
            "fields": {k: v.as_dict() for k, v in self.scores.items()},
            "dedup": {"pairwise_recall": round(self.dedup, 4), "pairwise_precision": round(self.dedup_precision, 4),
                      "pairs": self.dedup_pairs, "joined": self.dedup_joined, "merged": self.merged_pairs},
            "over_merges": self.over_merges,
        }


# --- gold files ---------------------------------------------------------------------------

def load_gold(path: str | Path) -> GoldPage:
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GoldError(f"{path}: cannot read gold file ({exc})") from exc
    if not isinstance(doc, dict) or "page" not in doc or not isinstance(doc.get("events"), list):
        raise GoldError(f"{path}: a gold file needs 'page' and a list of 'events'")
    events = tuple(_gold_event(path, i, e) for i, e in enumerate(doc["events"]))
    ids = [e.id for e in events]
    if len(set(ids)) != len(ids):
        raise GoldError(f"{path}: duplicate event ids {sorted({i for i in ids if ids.count(i) > 1})}")
    return GoldPage(path, (path.parent / doc["page"]).resolve(), events, _norm(doc.get("published")) or "")


def _gold_event(path: Path, i: int, e: dict) -> GoldEvent:
    if not isinstance(e, dict) or not e.get("snippets"):
        raise GoldError(f"{path}: event {i + 1} needs at least one snippet")
    unknown = set(e) - {"id", "snippets", "figures", "cluster", *FIELDS}
    if unknown:
        raise GoldError(f"{path}: event {e.get('id', i + 1)} has unknown fields {sorted(unknown)}")
    figures = e.get("figures") or {}
    bad = set(figures) - set(schema.figure_categories())
    if bad:
        raise GoldError(f"{path}: event {e.get('id', i + 1)} has unknown figure categories {sorted(bad)}")
    fields = {k: _norm(e[k]) for k in FIELDS if k in e}
    if "event_type" in fields and "date_precision" not in fields and "event_date" in fields:
        fields["date_precision"] = "day"
    cluster = e.get("cluster")
    return GoldEvent(str(e.get("id", i + 1)), tuple(str(s) for s in e["snippets"]), fields,
                     {k: int(v) for k, v in figures.items()}, None if cluster is None else str(cluster))


def _norm(value):
    if isinstance(value, date):
        return value.isoformat()
    return None if value is None else str(value)


# --- scoring ------------------------------------------------------------------------------

def evaluate(gold_paths: Sequence[str | Path], out_dir: str | Path | None = None) -> Report:
    """Score the build in `out_dir` (or a fresh in-memory build of the gold pages) against the gold files."""
    pages = [load_gold(p) for p in gold_paths]
    tables = _system_tables(pages, out_dir)
    return score(pages, tables["mentions"], tables["events"], tables.get("items"))


def _system_tables(pages: list[GoldPage], out_dir) -> dict[str, pd.DataFrame]:
    if out_dir is not None:
        frames = write.read_tables(out_dir)
        if "events" not in frames or "mentions" not in frames:
            raise GoldError(f"{out_dir}: no events/mentions tables to score (run timeline build first)")
        return frames
    items, _ = pipeline.read_items(sorted({p.page for p in pages}), strict=True)
    return pipeline.process(items).as_dict()


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("‘", "'")).strip()


def _mention_texts(mentions: pd.DataFrame, texts: dict[str, str]) -> list[tuple[str, str | None, str]]:
    """(sentence, clause or None, event_id) per mention. A sentence split into clause mentions is
    matched clause by clause, so a snippet finds the clause that reports its event."""
    shared = mentions.groupby(["item_id", "sentence"])["mention_id"].transform("size") > 1
    out = []
    for row, split_up in zip(mentions.itertuples(), shared):
        clause = texts.get(row.item_id, "")[row.char_start:row.char_end] if split_up else None
        out.append((_clean(row.sentence), _clean(clause) if clause else None, row.event_id))
    return out


def score(pages: list[GoldPage], mentions: pd.DataFrame, events: pd.DataFrame,
          items: pd.DataFrame | None = None) -> Report:
    report = Report()
    texts = dict(zip(items["item_id"], items["text"])) if items is not None else {}
    names = {p.page.name for p in pages}
    mentions = mentions[mentions["source"].map(lambda s: Path(s).name in names)]
    events = events[events["event_id"].isin(set(mentions["event_id"]))].set_index("event_id")
    report.system_events = len(events)
    claimed: dict[str, set[str]] = {}
    landed: dict[str, list[str]] = {}    # gold label -> the event id of each mention that reports it
    cluster_figures = _cluster_figures(pages)
    for page in pages:
        page_mentions = mentions[mentions["source"].map(lambda s: Path(s).name == page.page.name)]
        sentences = _mention_texts(page_mentions, texts)
        for gold in page.events:
            report.gold_events += 1
            eids = [eid for s, clause, eid in sentences
                    if any(_clean(sn) in s and (clause is None or _clean(sn) in clause) for sn in gold.snippets)]
            label = f"cluster:{gold.cluster}" if gold.cluster else f"{page.path.name}:{gold.id}"
            landed.setdefault(label, []).extend(eids)
            best = Counter(eids).most_common(1)[0][0] if eids else None
            if best is not None:
                claimed.setdefault(best, set()).add(label)
            if gold.cluster:  # the merged event carries what every page reported, the latest value winning
                gold = replace(gold, figures=cluster_figures[gold.cluster])
            _score_event(report, page, gold, events.loc[best] if best is not None else None)
    _score_dedup(report, landed)
    report.over_merges = sum(1 for g in claimed.values() if len(g) > 1)
    report.misses.extend(f"over-merge[{eid}] holds {', '.join(sorted(g))}" for eid, g in sorted(claimed.items())
                         if len(g) > 1)
    for eid in events.index.difference(list(claimed)):
        _score_spurious(report, events.loc[eid])
    return report


def _cluster_figures(pages: list[GoldPage]) -> dict[str, dict]:
    """The figures of each cluster: every category any of its pages reports, from the latest page."""
    out: dict[str, dict] = {}
    for page in sorted(pages, key=lambda p: p.published):
        for gold in page.events:
            if gold.cluster:
                out.setdefault(gold.cluster, {}).update(gold.figures)
    return out


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _score_dedup(report: Report, landed: dict[str, list[str]]) -> None:
    """Pairwise over matched mentions: gold pairs (one gold event), merged pairs (one system event)."""
    per_event: Counter = Counter()
    for eids in landed.values():
        report.dedup_pairs += _pairs(len(eids))
        report.dedup_joined += sum(_pairs(c) for c in Counter(eids).values())
        per_event.update(eids)
    report.merged_pairs = sum(_pairs(c) for c in per_event.values())


def _bump(report: Report, name: str, gold, system, where: str) -> None:
    sc = report.scores.setdefault(name, Score())
    if gold is None and system is None:
        return
    if gold is not None and system is not None and gold == system:
        sc.tp += 1
        return
    if system is not None:
        sc.fp += 1
    if gold is not None:
        sc.fn += 1
    report.misses.append(f"{where} {name}: gold={gold!r} system={system!r}")


def _value(row, col):
    if row is None:
        return None
    v = row[col]
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, date):
        return v.isoformat()
    if col in schema.figure_categories():
        return int(v)
    return str(v)


def _score_event(report: Report, page: GoldPage, gold: GoldEvent, row) -> None:
    where = f"{page.path.name}:{gold.id}"
    _bump(report, "event", True, True if row is not None else None, where)
    if row is None:
        for name, value in gold.fields.items():
            _bump(report, name, value, None, where)
        for cat, value in gold.figures.items():
            _bump(report, cat, value, None, where)
        return
    for name, value in gold.fields.items():
        _bump(report, name, value, _value(row, name), where)
    for cat in schema.figure_categories():
        _bump(report, cat, gold.figures.get(cat), _value(row, cat), where)


def _score_spurious(report: Report, row) -> None:
    where = f"spurious[{str(row['summary'])[:60]}]"
    _bump(report, "event", None, True, where)
    for name in FIELDS:
        _bump(report, name, None, _value(row, name), where)
    for cat in schema.figure_categories():
        _bump(report, cat, None, _value(row, cat), where)


