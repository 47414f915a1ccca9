"""Event types and modes: what kind of event a sentence reports.

The lexicon (`event_triggers.csv`) maps words to PLOVER types; the weapon
table (`weapons.csv`) gives an ASSAULT its mode and ACLED sub-event type.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .. import schema
from ..vocab import load_csv
from .gate import Gates

CAPTIVES = re.compile(r"\b(?:prisoners?|POWs?|captives?|each\s+side|both\s+sides)\b", re.I)
# The kinds of count an attack report makes: its dead and injured, its weapons, a front line's clashes.
CASUALTY_FIGURES = schema.figure_group("casualties")
WEAPON_FIGURES = schema.figure_group("weapons")
FRONT_LINE_FIGURES = schema.figure_group("front_line")
VIOLENT_FIGURES = CASUALTY_FIGURES | WEAPON_FIGURES | FRONT_LINE_FIGURES


@dataclass(frozen=True)
class Trigger:
    event_type: str
    event_mode: str | None
    acled_event_type: str | None
    acled_sub_event_type: str | None
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern
    row: dict
    negatable: bool = True    # "no deal": a statement or agreement can be negated, an attack is not


def _compiled(rows) -> Gates[_Rule]:
    return Gates([_Rule(re.compile(rf"\b(?:{row['pattern']})\b", re.I), row, row.get("event_type") != "ASSAULT")
                  for row in rows])


@lru_cache(maxsize=None)
def _rules() -> Gates[_Rule]:
    return _compiled(load_csv("event_triggers.csv"))


@lru_cache(maxsize=None)
def _weapons() -> Gates[_Rule]:
    return _compiled(sorted(load_csv("weapons.csv"), key=lambda r: int(r["rank"])))


# "acknowledged that no deal had been reached", "a summit without an agreement": the event did not happen
NEGATED = re.compile(r"\b(?:no|without(?:\s+an?|\s+any)?)\s+(?:[\w-]+\s+)?$", re.I)


# "ministers would talk about stepping up support", "is expected to note", "remained ready to host talks",
# "would no longer travel ... to facilitate talks", "will be sentenced at a later date", "a force that could
# deploy", "Ukraine might need to cede land", "up to them to come to an agreement": not (yet) an event
UNREAL = re.compile(r"\b(?:(?:would|will|could|might|may)\s+(?:talk\s+about|discuss)|(?:is|are)\s+expected\s+to"
                    r"|to\s+(?:come\s+to|reach|strike|secure|broker)"
                    r"|ready\s+to|no\s+longer|(?:will|would)\s+be)\s+(?:[\w’'-]+\s+){0,5}?$"
                    r"|\b(?:could|might|(?-i:may))\s+(?:(?:need|have)\s+to\s+)?$", re.I)
REAL_ANYWAY = frozenset({"ASSAULT", "THREATEN"})   # an attack is reported as it is; a threat is about the future


def _searches(rules: Gates[_Rule], text: str):
    """(rule, first match not negated) of every rule that matches `text`, in rule order. Only
    statements and agreements are negated so: "no casualties" still reports an attack."""
    for rule in rules.runnable(text):
        if not rule.negatable:
            m = rule.pattern.search(text)
            if m is not None:
                yield rule, m
            continue
        for m in rule.pattern.finditer(text):
            if NEGATED.search(text, max(0, m.start() - 30), m.start()):
                continue
            if rule.row.get("event_type") not in REAL_ANYWAY and UNREAL.search(text, max(0, m.start() - 60), m.start()):
                continue
            yield rule, m
            break


def may_report(text: str, event_type: str) -> bool:
    """Some trigger rule of `event_type` matches `text`: without one, neither `find_trigger` nor
    `find_statement` can type `text` so (a cheap test before a whole extraction)."""
    return any(rule.row["event_type"] == event_type and rule.pattern.search(text) for rule in _rules().runnable(text))


def weapon(text: str) -> dict | None:
    """The weapons.csv row of the highest-ranked weapon named in `text`."""
    return next((rule.row for rule, _ in _searches(_weapons(), text)), None)


# What a quotation may speak of without being that event: "'talks have never stopped a missile,' he
# added" is no consultation, and a quote that mentions an attack is a statement about it.
QUOTED_TOPICS = frozenset({"ASSAULT", "CONSULT"})


def find_statement(text: str) -> Trigger | None:
    """The type of an attributed quotation ("'the harder we will respond,' said Kallas"): never ASSAULT
    or CONSULT (`QUOTED_TOPICS`)."""
    hits = [(m.start(), m, rule.row) for rule, m in _searches(_rules(), text)
            if rule.row["event_type"] not in QUOTED_TOPICS and not rule.row["needs"]]
    if not hits:
        return None
    _, m, row = min(hits, key=lambda h: h[0])
    return _typed(row, m, text)


def find_trigger(text: str, categories: set[str] = frozenset()) -> Trigger | None:
    """The trigger that types the sentence, or None when it reports no event.

    `text` should have quotations masked; `categories` are the figure
    categories found in the sentence (violent figures make it an ASSAULT).
    """
    violent = bool(categories & VIOLENT_FIGURES)
    met: dict[str, bool] = {}    # a rule's condition, looked up only when a rule that has one matches

    def needs(condition: str) -> bool:
        if condition not in met:
            if condition == "weapon":
                met[condition] = violent or weapon(text) is not None
            elif condition == "captives":
                met[condition] = "prisoners" in categories or CAPTIVES.search(text) is not None
            else:
                met[condition] = True
        return met[condition]

    hits = [(m.start(), m, rule.row) for rule, m in _searches(_rules(), text) if needs(rule.row["needs"])]
    if violent:
        hits = [h for h in hits if h[2]["event_type"] == "ASSAULT"] or hits
    if not hits:
        return _figure_only(categories)
    start, m, row = min(hits, key=lambda h: h[0])
    return _typed(row, m, text)


def _figure_only(categories: set[str]) -> Trigger | None:
    if categories & VIOLENT_FIGURES:
        return Trigger("ASSAULT", None, None, None, 0, 0, "")
    return None


def _typed(row: dict, m: re.Match, text: str) -> Trigger:
    etype = row["event_type"]
    mode = row["event_mode"] or None
    acled, sub = row["acled_event_type"] or None, row["acled_sub_event_type"] or None
    if etype == "ASSAULT":
        w = weapon(text)
        if w and mode in (None, "firearms"):
            mode = w["mode"] if mode is None else mode
        if w and acled is None:
            acled, sub = w["acled_event_type"], w["acled_sub_event_type"]
    return Trigger(etype, mode, acled, sub, m.start(), m.end(), m.group(0))
