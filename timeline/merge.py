"""Merge: mentions -> deduplicated events with stable ids.

Mentions are blocked by (event family, country) and, inside a block, compared
only with events whose date lies within a small window, so the cost grows
about linearly with the number of mentions. Two mentions are one event when
they are the same kind of event, on the same (or an adjacent, for overnight
and undated reports) day, at the same or a nested place, by compatible
actors; or when their sentences are near-identical. Each mention records
which earlier mention it joined and why (`links`), for `timeline inspect --event`.

Event ids are a hash of the event's first report (earliest report time, then
page and position), so adding later pages keeps them; on an incremental build
an event also keeps the id that most of its earlier mentions had.
"""
from __future__ import annotations

import gc
import hashlib
import re
from collections import Counter, deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import schema
from .columns import MentionColumns, string_ranks
from .extract.actions import CASUALTY_FIGURES, FRONT_LINE_FIGURES, WEAPON_FIGURES
from .extract.mention import NATIONAL_TALLY, SPOKEN
from .extract.places import find_places, is_district
from .models import PLACE_FIELDS
from .vocab import load_csv, load_lines

# Statements one speaker makes (an agreement has two parties, whoever is named)
STATEMENTS = SPOKEN - {"AGREE"}
NEAR_DUPLICATE = 0.8      # token Jaccard similarity above which two sentences report the same thing
MAX_WINDOW = 2            # days: the widest date window a block is searched over
JOINED_AT_ONCE = 65_536   # links of the events taken whole (`_taken_whole`) read as strings at a time
_TOKEN = re.compile(r"[a-z0-9]+")
LINK_COLUMNS = ["mention_id", "event_id", "joined_to", "reason"]  # how each mention joined its event


@dataclass
class _Cluster:
    rows: list[dict] = field(default_factory=list)
    tokens: list[frozenset] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)        # the number of words of each row
    links: list[tuple[str | None, str]] = field(default_factory=list)  # (mention joined, why) per row
    places: dict[tuple, dict] = field(default_factory=dict)   # the place (`_place`) of each row: its first row
    days: set[int] = field(default_factory=set)                # the `_day` of each row
    day: int = 0             # the first row's `_day`
    earlier: int = -1        # its earlier event (a code of `Earlier`), when merged as the earlier build did

    @property
    def first(self) -> dict:
        return self.rows[0]


def family(rec: dict) -> str:
    """Events of one family may merge. Every type is its own family, ground battles (front-line
    clash tallies) are apart from strikes and shoot-downs of the same day, and a claim of territory
    taken ("its forces had captured two more villages") is apart from the fighting reported there."""
    if rec["event_type"] == "ASSAULT" and rec.get("acled_event_type") == "Battles":
        return "ASSAULT/territory" if _territory().search(rec["sentence"]) else "ASSAULT/battles"
    return rec["event_type"]


@lru_cache(maxsize=None)
def _territory() -> re.Pattern:
    return re.compile(r"\b(?:%s)\b" % "|".join(load_lines("territory_claims.txt")), re.I)


@dataclass
class Merged:
    events: pd.DataFrame     # the events table
    event_of: pd.Series      # the event_id of each mention, indexed like the mentions
    links: pd.DataFrame      # mention_id, event_id, joined_to (a mention_id or null), reason


@dataclass
class Clusters:
    """What a merge of `MentionColumns` found, held compactly: mentions are rows of the columns."""

    events: pa.Table         # the events table (Arrow, as written), events in the order they were found
    event_of: np.ndarray     # per mention: its event's row in `events`
    joined: np.ndarray       # per mention: the mention it joined (a row), -1 for an event's first report
    reason_of: np.ndarray    # per mention: why, a number into `reasons`
    reasons: list[str]
    order: np.ndarray        # the mentions event by event, each in the order it joined (as links lists them)
    merged_as_before: int = 0   # the mentions merged as the earlier build merged them (`Replay`)

    def ids(self) -> np.ndarray:
        """The event_id of each event (an object array)."""
        return self.events.column("event_id").to_numpy(zero_copy_only=False).astype(object)

    def event_ids(self) -> np.ndarray:
        """The event_id of each mention (an object array)."""
        return self.ids()[self.event_of]

    def links(self, mention_ids: np.ndarray, rows: np.ndarray | None = None) -> pd.DataFrame:
        """The links (LINK_COLUMNS) of the mentions at `rows` (default: every one, in `order`);
        `mention_ids` are those of every mention, an object array."""
        rows = self.order if rows is None else rows
        joined = self.joined[rows]
        event_ids = self.ids()
        return pd.DataFrame({
            "mention_id": mention_ids[rows], "event_id": event_ids[self.event_of[rows]],
            "joined_to": np.where(joined >= 0, mention_ids[joined], None),
            "reason": np.array(self.reasons, dtype=object)[self.reason_of[rows]],
        }, columns=LINK_COLUMNS)

    def merged(self, columns: MentionColumns, index: pd.Index) -> Merged:
        """As `Merged`, for mentions indexed by `index`."""
        mention_ids = np.array(columns.strings("mention_id"), dtype=object)
        events = schema.enforce(self.events.to_pandas(), "events")
        return Merged(events, pd.Series(self.event_ids(), index=index), self.links(mention_ids))


@dataclass(frozen=True)
class Earlier:
    """The event each mention landed on in an earlier build, per row of the mentions: `ids[codes[row]]`,
    no event where the code is -1. Arrays, not a dict from mention ids: an incremental build of a
    million items holds one number per mention."""

    codes: np.ndarray        # int32, per mention
    ids: list[str]           # the earlier event ids
    replay: "Replay | None" = None   # how the earlier build merged them, when it can be taken again

    @classmethod
    def none(cls, n: int) -> "Earlier":
        return cls(np.full(n, -1, dtype=np.int32), [])

    @classmethod
    def of(cls, event_of: dict[str, str] | None, mention_ids) -> "Earlier":
        """From a dict of mention ids to event ids, for mentions with `mention_ids`."""
        found = [(event_of or {}).get(m) for m in mention_ids]
        ids = sorted({e for e in found if e is not None})
        code = {e: k for k, e in enumerate(ids)}
        return cls(np.array([code.get(e, -1) for e in found], dtype=np.int32), ids)

    def get(self, row: int) -> str | None:
        code = self.codes[row]
        return None if code < 0 else self.ids[code]

    def take(self, rows: np.ndarray) -> "Earlier":
        return Earlier(self.codes[rows], self.ids, None if self.replay is None else self.replay.take(rows))


@dataclass(frozen=True)
class Replay:
    """How an earlier build merged the mentions it shares with this one, to be taken again rather than
    worked out: the mentions dated before day `before` (an ordinal) are all of the earlier build's,
    and all of them are here, read in the same order (`MentionColumns.merge_order` sorts on what a
    mention is, and pages added or read again hold only mentions of `before` or later). A scan is a
    function of the mentions it has read, so up to that day it makes the clusters the earlier build
    made, and each mention joins the event it joined then, for the reason it gave (`links`).

    Adding today's page to a large archive thus compares only the mentions of the last few days.
    `merge_columns` checks what it takes as it goes (an event has one first report, a mention joins
    a mention its event has, no event is taken up again once finished) and merges everything anew
    when the earlier build does not fit."""

    before: int              # mentions dated before this day (an ordinal) are merged as before
    link: np.ndarray         # per mention: its row in `links` (-1: none)
    links: pa.Table          # joined_to, reason: the earlier build's links
    events: Path | None = None   # the earlier build's events table (`_taken_whole` reads it)

    def take(self, rows: np.ndarray) -> "Replay":
        """The replay of the mentions at `rows` (with only their links: a part of a merge is sent
        to another process)."""
        at = self.link[rows]
        found = at >= 0
        link = np.full(len(at), -1, dtype=np.int64)
        link[found] = np.arange(int(found.sum()))
        return Replay(self.before, link, self.links.take(pa.array(at[found], pa.int64())), self.events)

    def links_of(self, rows: np.ndarray) -> list[tuple[str | None, str]]:
        """The (joined_to, reason) of each of `rows` (raises _NotReplayable when one has none)."""
        at = self.link[rows]
        if (at < 0).any():
            raise _NotReplayable
        taken = self.links.take(pa.array(at, pa.int64()))
        return list(zip(taken.column("joined_to").to_pylist(), taken.column("reason").to_pylist()))


class _NotReplayable(Exception):
    """The earlier build's links do not fit the mentions: merge them all anew."""


def merge_mentions(mentions: pd.DataFrame, previous: dict[str, str] | None = None) -> Merged:
    """Cluster mentions into events. `previous` maps mention ids of an earlier build to their event ids,
    which the events they land in keep."""
    if mentions.empty:
        return Merged(schema.empty("events"), pd.Series([], dtype="object"), pd.DataFrame(columns=LINK_COLUMNS))
    columns = MentionColumns.of(mentions)
    return merge_columns(columns, Earlier.of(previous, mentions["mention_id"])).merged(columns, mentions.index)


def merge_columns(columns: MentionColumns, earlier: Earlier | None = None) -> Clusters:
    """`merge_mentions` of mentions held in columns.

    Mentions are read in date order, a day at a time, and only as dicts while
    they can still be joined: an event whose first report is more than
    MAX_WINDOW days before the day being read can take no more mentions
    (`_find_cluster` stops there), so it is finished and its mentions let go.
    Memory holds the columns and a few days of mentions, not every mention as
    a dict.
    """
    earlier = earlier if earlier is not None else Earlier.none(len(columns))
    if earlier.replay is not None:
        try:
            return _scanned(columns, earlier, earlier.replay)
        except _NotReplayable:
            pass
    return _scanned(columns, earlier, None)


def _scanned(columns: MentionColumns, earlier: Earlier, replay: Replay | None) -> Clusters:
    """The scan of `merge_columns`; the days before `replay.before` taken from the earlier build."""
    scan = _Scan(len(columns), earlier)
    order = columns.merge_order()
    if replay is not None and replay.events is not None:
        order = order[~_taken_whole(scan, columns, order, replay)]
    days = columns["day"][order]
    with _no_gc():
        for rows in np.split(order, np.flatnonzero(np.diff(days)) + 1) if len(order) else []:
            day = int(columns["day"][rows[0]])
            scan.finish(before=day - MAX_WINDOW)
            before = replay.links_of(rows) if replay is not None and day < replay.before else [None] * len(rows)
            # a mention taken as before that no later mention can be compared with: its event is finished
            # before the first day worked out anew (that day finishes every event begun before its window)
            compared = replay is None or day >= replay.before - MAX_WINDOW
            if replay is not None and day >= replay.before and scan.open and \
                    scan.open[0][0].day < replay.before - MAX_WINDOW:   # (clusters open in the order made)
                raise AssertionError("an event with mentions never compared can still take one")
            for idx, rec, link in zip(rows.tolist(), columns.records(rows), before):
                _prepare(rec, idx, compared)
                scan.add(rec, link, compared)
        scan.finish()
    return scan.clusters()


def _taken_whole(scan: "_Scan", columns: MentionColumns, order: np.ndarray, replay: Replay) -> np.ndarray:
    """Put the events of the earlier build that no mention of this one can join into `scan` whole, as
    `_Scan.add` and `_finished` would have, without reading their mentions as dicts or working the
    events out again; returns which of the rows in `order` (the merge order) they took.

    These are the events whose first report is dated more than MAX_WINDOW days before `replay.before`:
    all their mentions are taken as before, and every one is finished before the first day worked out
    anew. They are the scan's first events (events are finished in the order they are begun), each
    with its mentions in merge order, and their rows are those of the earlier build's events table
    (the same code made them from the same mentions). The links are checked as `_Scan._as_before`
    checks them; what does not fit raises _NotReplayable."""
    taken = np.zeros(len(order), dtype=bool)
    day = columns["day"]
    replayed = int(np.searchsorted(day[order], replay.before))   # (the order is by day first)
    seq = order[:replayed]
    codes = scan.earlier.codes[seq]
    if not len(seq) or (codes < 0).any() or (replay.link[seq] < 0).any():
        return taken       # (`links_of` raises for these, as the scan reaches them)
    found, first = np.unique(codes, return_index=True)     # each event, and where its first report is
    whole = day[seq[first]] < replay.before - MAX_WINDOW
    if not whole.any():
        return taken
    found, first = found[whole], first[whole]
    by_start = np.argsort(first)                  # events in the order begun
    found, first = found[by_start], first[by_start]
    number = np.full(int(codes.max()) + 1, -1, dtype=np.int64)
    number[found] = np.arange(len(found))
    mine = number[codes] >= 0
    at = np.flatnonzero(mine)                     # positions in `seq` of the events' mentions
    rows, event = seq[at], number[codes[at]]
    joined, why, whys, by_id = _checked_links(columns, replay, rows, event, first[event] == at,
                                              day[seq[first]][event])
    ids = [scan.earlier.ids[c] for c in found.tolist()]
    old = _earlier_events(replay.events, ids)
    if old is None:
        return taken       # (unreadable here: the scan takes them one by one)
    firsts = _first_reports(columns, rows, event, len(found), by_id)
    # as `_finished` leaves them, event by event, each event's mentions in the order they joined
    finish = np.argsort(event, kind="stable")
    rows, event, joined = rows[finish], event[finish], joined[finish]
    scan.event_of[rows] = event
    scan.joined[rows] = joined
    why = why[finish]
    reason_of = np.zeros(len(whys), dtype=np.int32)    # the reasons numbered as they come, as `_finished` does
    seen, at_first = np.unique(why, return_index=True)
    for k in seen[np.argsort(at_first)].tolist():
        reason_of[k] = scan.reasons.setdefault(whys[k], len(scan.reasons))
    scan.reason_of[rows] = reason_of[why]
    scan.order[:len(rows)] = rows
    scan.done = len(rows)
    scan.merged_as_before = len(rows)
    counts = np.bincount(event, minlength=len(found))
    scan.claims.extend(zip((-counts).tolist(), ids, range(len(found))))
    scan.firsts.extend(firsts)
    scan.as_before.update(dict.fromkeys(found.tolist()))
    scan.chunks.append(old)
    taken[at] = True
    return taken


def _checked_links(columns: MentionColumns, replay: Replay, rows: np.ndarray, event: np.ndarray,
                   starts: np.ndarray, began: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """The earlier links of the mentions at `rows` (in merge order) of events taken whole (`event`;
    `starts`: each event's first report; `began`: the day its event began), checked as
    `_Scan._as_before` checks them: a first report begins its event, and every other mention joins a
    mention of its event read before it, within MAX_WINDOW days of the event's first report (else
    _NotReplayable). Returns the row each joined (-1: none), each one's reason as a code into the
    reasons (also returned), and their order by mention id."""
    link = replay.link[rows]          # (links are read by row numbers: a copy of millions would be held)
    reason = replay.links.column("reason").combine_chunks()
    if not pa.types.is_dictionary(reason.type):
        reason = reason.dictionary_encode()
    why = reason.indices.to_numpy(zero_copy_only=False)[link]      # (codes: a large build has millions)
    whys = reason.dictionary.to_pylist()
    first_report = whys.index(FIRST_REPORT[1]) if FIRST_REPORT[1] in whys else -1
    joined_to = replay.links.column("joined_to")
    if (joined_to.is_null().to_numpy(zero_copy_only=False)[link] != starts).any() or \
            (why[starts] != first_report).any():
        raise _NotReplayable
    if (columns["day"][rows] - began > MAX_WINDOW).any():
        raise _NotReplayable                      # (its event was finished before it came)
    joined = np.full(len(rows), -1, dtype=np.int64)
    joining = np.flatnonzero(~starts)
    by_id = np.argsort(columns["mention_id"][rows], kind="stable")
    ids = columns["mention_id"][rows[by_id]]      # (sorted)
    for lo in range(0, len(joining), JOINED_AT_ONCE):
        part = joining[lo:lo + JOINED_AT_ONCE]
        wanted = np.array([s.encode("utf-8") for s in joined_to.take(pa.array(link[part])).to_pylist()], dtype=bytes)
        found_at = np.minimum(np.searchsorted(ids, wanted), len(rows) - 1)
        target = by_id[found_at]
        if (ids[found_at] != wanted).any() or (event[target] != event[part]).any() or (target >= part).any():
            raise _NotReplayable                  # a mention its event has, read before it
        joined[part] = rows[target]
    return joined, why, whys, by_id


def _earlier_events(path: Path, ids: list[str]) -> pa.Table | None:
    """The rows of the events with `ids` in the earlier build's events table at `path`, in that order,
    as `_Scan` holds events (no event_id yet); None when the file cannot be read (a worker of a
    cluster on another machine)."""
    arrow = _events_schema()
    strings = [f.name for f in arrow if f.type == pa.string() and f.name != "event_id"]
    try:
        table = pq.read_table(path, columns=arrow.names, read_dictionary=strings)   # (held briefly, compactly)
    except (OSError, pa.ArrowException):
        return None
    rows = pc.index_in(pa.array(ids, pa.string()), value_set=table.column("event_id"))
    if rows.null_count:
        raise _NotReplayable
    taken = table.take(rows).cast(arrow)
    at = arrow.get_field_index("event_id")
    return taken.set_column(at, arrow.field(at), pa.nulls(len(ids), pa.string()))


@lru_cache(maxsize=None)
def _events_schema() -> pa.Schema:
    """The schema of the events `_Scan` holds, as `events_table` makes them (pandas metadata included)."""
    return events_table(schema.empty("events")).schema


def _first_reports(columns: MentionColumns, rows: np.ndarray, event: np.ndarray, n: int,
                   by_id: np.ndarray | None = None) -> list[str]:
    """Each event's first report (`_report_order`), of mentions at `rows` grouped by `event` (0..n-1);
    `by_id` orders them by id (worked out when not given)."""
    if by_id is None:
        by_id = np.argsort(columns["mention_id"][rows], kind="stable")
    mention = np.empty(len(rows), dtype=np.int64)     # each one's rank by id
    mention[by_id] = np.arange(len(rows))
    source = string_ranks(columns.values["source"])[columns["source"][rows]]
    ranked = np.lexsort((mention, columns["char_start"][rows], columns["_position"][rows], source,
                         columns["ts"][rows], event))
    starts = np.searchsorted(event[ranked], np.arange(n))
    return [b.decode("utf-8") for b in columns["mention_id"][rows[ranked[starts]]].tolist()]


def _prepare(rec: dict, idx, compared: bool = True) -> None:
    """What every comparison reads, worked out once per mention: its figures, place precision and
    kinds of tally. Of a mention never `compared`, only what its event is worked out from."""
    rec["_index"] = idx
    rec["_day"] = rec["event_date"].toordinal()
    rec["_figs"] = {c: rec[c] for c in schema.figure_categories() if rec[c] is not None}
    rec["_prec"] = int(rec["geo_precision"]) if _present(rec["geo_precision"]) else 9
    rec["_place"] = (rec["location"], rec["_prec"], rec["admin1"])    # all that `_places_nest` reads of a row
    if not compared:
        return      # (what only comparisons read is left out: reading it would fail loudly)
    rec["_kinds"] = frozenset(n for n, cols in enumerate(TALLY_KINDS) if any(c in rec["_figs"] for c in cols))
    rec["_package"] = _package(rec["sentence"]) if rec["event_type"] == "SANCTION" else None
    rec["_channel"] = _channel(rec["sentence"]) if rec["event_type"] in STATEMENTS else None


def _channel(sentence: str) -> str | None:
    """How a statement was made ("told reporters", "in a post on Truth Social"), or None."""
    return next((channel for pattern, channel in _channels() if pattern.search(sentence)), None)


@lru_cache(maxsize=None)
def _channels() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(rf"\b(?:{r['pattern']})\b", re.I), r["channel"]) for r in load_csv("statement_channels.csv"))


# "the 18th sanctions package" is not the 17th
PACKAGE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\s+(?:sanctions\s+|round\s+of\s+sanctions\s+)?package\b", re.I)


def _package(sentence: str) -> int | None:
    """The number of the sanctions package a sentence names, or None when it names none or several
    ("working on an 18th package, days after the 17th package was adopted" holds a clause about each,
    and which one a mention is cannot be told from the sentence)."""
    numbers = {int(m[1]) for m in PACKAGE.finditer(sentence)}
    return numbers.pop() if len(numbers) == 1 else None


@contextmanager
def _no_gc():
    """The cyclic garbage collector would walk every record and cluster again and again as they pile
    up (merge makes no cycles to collect), which makes a large merge grow faster than linearly."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


EVENT_FIELDS = [c for c in schema.table("events").names if c != "event_id"]   # what `_event` works out
EVENTS_CHUNK = 4096       # finished events are held as tuples, then as a frame of this many


class _Scan:
    """The clusters of a merge as mentions come in sorted order, and what the finished ones left."""

    def __init__(self, n: int, earlier: Earlier):
        self.earlier = earlier
        self.blocks: dict[tuple, deque[_Cluster]] = {}
        self.open: deque[tuple[_Cluster, deque[_Cluster]]] = deque()   # in the order they were made
        self.events: list[tuple] = []          # per finished cluster: EVENT_FIELDS, until EVENTS_CHUNK of them
        self.chunks: list[pa.Table] = []       # ... which are then a (compact) Arrow table
        self.firsts: list[str] = []            # per finished cluster: its first report's mention_id
        self.claims: list[tuple[int, str, int]] = []   # (-mentions, earlier event id, cluster)
        self.event_of = np.full(n, -1, dtype=np.int32)
        self.joined = np.full(n, -1, dtype=np.int32)
        self.reason_of = np.zeros(n, dtype=np.int32)
        self.reasons: dict[str, int] = {}
        self.order = np.zeros(n, dtype=np.int64)
        self.done = 0
        self.last: dict[tuple, tuple[str, _Cluster]] = {}   # per block: the item and event of its last mention
        self.calls: dict[str, tuple[_Cluster, dict]] = {}   # per page: its last call between two sides, and that report
        self.as_before: dict[int, _Cluster | None] = {}   # earlier event code -> its cluster (None once finished)
        self.merged_as_before = 0

    def add(self, rec: dict, before: tuple[str | None, str] | None = None, compared: bool = True) -> None:
        """Put a mention in its event: the one it resembles, or (`before`: its earlier link, as
        (joined_to, reason)) the one it joined in the earlier build. The words of a mention taken as
        before and never `compared` are not worked out (its event then holds None for them)."""
        key = _block_key(rec)
        block = self.blocks.setdefault(key, deque())
        tokens = _tokens(rec["sentence"]) if compared else None
        if before is not None:
            target, link = self._as_before(rec, before)
            self.merged_as_before += 1
        else:
            target, link = self._found(rec, key, tokens, block)
        if target is None:
            target = _Cluster(day=rec["_day"])
            block.append(target)
            self.open.append((target, block))
            if before is not None:
                target.earlier = int(self.earlier.codes[rec["_index"]])
                self.as_before[target.earlier] = target
        target.rows.append(rec)
        target.tokens.append(tokens)
        target.sizes.append(-1 if tokens is None else len(tokens))
        target.links.append(link)
        target.places.setdefault(rec["_place"], rec)
        target.days.add(rec["_day"])
        self.last[key] = (rec["item_id"], target)
        if key == CALLS and len(_sides(rec)) == 2:
            self.calls[rec["source"]] = (target, rec)

    def _found(self, rec: dict, key: tuple, tokens: frozenset, block: deque) -> tuple[_Cluster | None, tuple]:
        """The event `rec` reports among those open, and why (None: a first report)."""
        item, previous = self.last.get(key, (None, None))
        follows = previous if item == rec["item_id"] and not rec["_figs"] else None
        target, link = self._page_call(rec) if key == CALLS else (None, None)
        if target is None:
            target, link = _find_cluster(rec, tokens, block, follows)
        if target is None and _readout(rec):
            target, link = _find_call(rec, self.blocks.get(CALLS))
        if target is None and rec["event_type"] == "REQUEST":
            target, link = self._page_call(rec)
        return target, link

    def _as_before(self, rec: dict, link: tuple[str | None, str]) -> tuple[_Cluster | None, tuple]:
        """The event `rec` joined in the earlier build (`link`: the mention it joined, and why), checked
        to fit: the first report of an event not seen yet, or a mention joining one that is still open
        and has the mention it names."""
        code = int(self.earlier.codes[rec["_index"]])
        joined, why = link
        if code < 0:
            raise _NotReplayable
        if joined is None:
            if code in self.as_before or why != FIRST_REPORT[1]:
                raise _NotReplayable
            return None, FIRST_REPORT
        cluster = self.as_before.get(code)
        if cluster is None or not any(r["mention_id"] == joined for r in reversed(cluster.rows)):
            raise _NotReplayable
        return cluster, link

    def _page_call(self, rec: dict) -> tuple[_Cluster | None, tuple[str | None, str]]:
        """The call or meeting its page reported last, when `rec` can only be part of it:

        - a call that names no side ("The two leaders also discussed the conflict between Israel and
          Iran", a key-events bullet of its own), on the call's day;
        - an undated request of no one named by one side of the call, in the paragraph after it ("The
          Elysee said Macron insisted on a ceasefire as soon as possible"): what was asked in the call.
        """
        entry = self.calls.get(rec["source"])
        if entry is None:
            return None, FIRST_REPORT
        call, row = entry
        if rec["_day"] - call.day > MAX_WINDOW or any(_same_sentence(rec, r) for r in call.rows):
            return None, FIRST_REPORT     # finished, or the sentence is in it already
        actor, target = _present(rec["actor_country"]), _present(rec["target_country"])
        if rec["event_type"] == "CONSULT" and not (actor or target) and rec["_day"] == row["_day"]:
            return call, (row["mention_id"], f"a call that names no side, on the page of the call ({row['event_date']})")
        if (rec["event_type"] == "REQUEST" and actor and not target and not rec["_explicit"]
                and rec["actor_country"] in _sides(row) and rec["_position"] == row["_position"] + 1):
            return call, (row["mention_id"], f"what one side asked, in the paragraph after the page's report of "
                                             f"the call ({row['event_date']})")
        return None, FIRST_REPORT

    def finish(self, before: int | None = None) -> None:
        """Finish the clusters whose first report is dated before day `before` (all, without one):
        the oldest of the scan, and the oldest of their blocks."""
        while self.open and (before is None or self.open[0][0].first["_day"] < before):
            cluster, block = self.open.popleft()
            block.popleft()
            self._finished(cluster)
        if before is not None and self.calls:   # a page's call that can take no more mentions is let go
            self.calls = {page: entry for page, entry in self.calls.items() if entry[0].day >= before}

    def _finished(self, cluster: _Cluster) -> None:
        if cluster.earlier >= 0:
            self.as_before[cluster.earlier] = None     # (finished: it takes no more)
        n = len(self.firsts)
        ev = _event(cluster)
        self.events.append(tuple(ev[c] for c in EVENT_FIELDS))
        if len(self.events) == EVENTS_CHUNK:
            self._chunk()
        codes = self.earlier.codes[[r["_index"] for r in cluster.rows]]
        counts = Counter(self.earlier.ids[code] for code in codes[codes >= 0].tolist())
        self.claims.extend((-count, old, n) for old, count in counts.items())
        self.firsts.append(min(cluster.rows, key=_report_order)["mention_id"])
        row_of = {r["mention_id"]: r["_index"] for r in cluster.rows}
        for rec, (joined, why) in zip(cluster.rows, cluster.links):
            idx = rec["_index"]
            self.event_of[idx] = n
            self.joined[idx] = -1 if joined is None else row_of[joined]
            self.reason_of[idx] = self.reasons.setdefault(why, len(self.reasons))
            self.order[self.done] = idx
            self.done += 1

    def _chunk(self) -> None:
        frame = pd.DataFrame.from_records(self.events, columns=EVENT_FIELDS)
        frame["event_id"] = None
        self.chunks.append(events_table(schema.enforce(frame, "events")))
        self.events = []

    def clusters(self) -> Clusters:
        if self.events:
            self._chunk()
        events = pa.concat_tables(self.chunks or [events_table(schema.empty("events"))])
        self.chunks = []
        at = events.schema.get_field_index("event_id")
        events = events.set_column(at, "event_id", pa.array(_assign_ids(self.claims, self.firsts), pa.string()))
        return Clusters(events, self.event_of, self.joined, self.reason_of, list(self.reasons), self.order,
                        self.merged_as_before)


def events_table(frame: pd.DataFrame) -> pa.Table:
    """An (enforced) events frame as Arrow, as the events table is written."""
    return pa.Table.from_pandas(frame, schema=schema.table("events").arrow_schema(), preserve_index=False)


def _ts(value) -> float:
    return pd.Timestamp(value).timestamp()


def _block_key(rec: dict) -> tuple:
    """The mentions a mention can merge with share its block, so only blocks are searched.

    Attacks block by place: the same region (a town nests only in its own
    region), the same country for country-level reports, or no place at all.
    Statements, sanctions and aid block by the acting country (they need the
    same actor); calls by type alone (either side may be named first).
    """
    if rec["event_type"] == "ASSAULT":
        return (family(rec), rec["country"] or "", rec["admin1"] or "")
    if rec["event_type"] == "CONSULT":
        return (family(rec), "", "")
    return (family(rec), "", rec["actor_country"] or "")


def _tokens(sentence: str) -> frozenset:
    return frozenset(_TOKEN.findall(sentence.lower()))


def _find_cluster(rec: dict, tokens: frozenset, block: list[_Cluster],
                  follows: _Cluster | None = None) -> tuple[_Cluster | None, tuple[str | None, str]]:
    """The compatible cluster in the block (within the date window) that `rec` resembles most, and why.
    `tokens` are the words of `rec`'s sentence.

    A post tells one story: a mention with no figures of its own ("He had
    brought down several targets before the jet was hit", "The ministry
    claimed that all of the designated targets had been hit") reports the
    event of the post's previous mention in the block (`follows`) when it may
    join it at all, however much it resembles another event of the day.

    Several events of one night can be compatible with a report that names no
    figures ("the ministry said all targets were hit"): it goes to the one
    sharing most of its figures, date and words, not merely the newest.

    A cluster none of whose places nests with `rec`'s cannot take it (both ways
    of joining need a row whose place nests), so it is passed over without
    reading its rows; whether a place nests is worked out once per place.
    """
    known: dict[tuple, bool] = {}     # place -> whether it nests with rec's, worked out once per place
    day = rec["_day"]
    joinable: list[tuple[_Cluster, tuple[str, str]]] = []
    for cluster in reversed(block):
        if day - cluster.day > MAX_WINDOW:
            break
        nesting = set()     # the places of the cluster's rows that nest with rec's (most often none)
        for place, other in cluster.places.items():
            nested = known.get(place)
            if nested is None:
                nested = known[place] = _places_nest(rec, other)
            if nested:
                nesting.add(place)
        if not nesting:
            continue
        link = _join(rec, tokens, cluster, nesting)
        if link is None:
            continue
        if cluster is follows:
            return cluster, (link[0], f"{link[1]}; the post's previous report of this kind")
        joinable.append((cluster, link))
    if not joinable:
        return None, FIRST_REPORT
    if len(joinable) == 1:      # most often: no resemblance to weigh
        return joinable[0]
    # the one of highest affinity; of equals, the newest (the first found)
    scores = [_affinity(rec, tokens, cluster) for cluster, _ in joinable]
    return joinable[scores.index(max(scores))]


CALLS = ("CONSULT", "", "")   # the block of calls and meetings (`_block_key`)
FIRST_REPORT = (None, "first report")   # the link of a mention that joins no event: it makes one


def _readout(rec: dict) -> bool:
    """A request by one side to another ("Macron urged Putin to agree to a ceasefire"): it may be what
    was urged in their call that day. (What a side says there of anything else is its own event.)"""
    return (rec["event_type"] == "REQUEST" and _present(rec["actor_country"]) and _present(rec["target_country"])
            and rec["actor_country"] != rec["target_country"])


def _find_call(rec: dict, calls: deque | None) -> tuple[_Cluster | None, tuple[str | None, str]]:
    """The call or meeting between the two sides of request `rec` on its day, which it reports the
    readout of, when no request of its own block took it: what one side urged the other in a call
    belongs to the call (docs/gold.md)."""
    sides = {rec["actor_country"], rec["target_country"]}
    for cluster in reversed(calls or ()):
        if rec["_day"] - cluster.day > MAX_WINDOW:
            break
        call = next((r for r in cluster.rows if r["event_type"] == "CONSULT" and _sides(r) == sides
                     and r["_day"] == rec["_day"]), None)
        if call is not None and not any(_same_sentence(rec, r) for r in cluster.rows):
            return cluster, (call["mention_id"], f"what one side said to the other on the day of their call "
                                                 f"({'/'.join(sorted(sides))}, {call['event_date']})")
    return None, FIRST_REPORT


def _affinity(rec: dict, tokens: frozenset, cluster: _Cluster) -> tuple:
    figs = rec["_figs"].items()
    same_figures = max(sum(1 for c, v in figs if r["_figs"].get(c) == v) for r in cluster.rows) if figs else 0
    return (same_figures, rec["_day"] in cluster.days, _same_regions(rec, cluster),
            round(_most_similar(tokens, cluster.tokens), 6))


def _same_regions(rec: dict, cluster: _Cluster) -> bool:
    """A report placed in a whole country names a region that a report of the cluster names too ("drones
    attacked military airfields in the Murmansk, Irkutsk, Ivanovo, Ryazan and Amur regions" and "bombers
    were hit at the Belaya, Olenya, Dyagilevo and Ivanovo bases"): the same attack, more likely than
    another that night over the country."""
    if rec["_prec"] != 3 or rec["event_type"] != "ASSAULT":
        return False
    mine = _regions(rec)
    return bool(mine) and any(r["_prec"] == 3 and mine & _regions(r) for r in cluster.rows)


def _regions(rec: dict) -> frozenset:
    """The regions of its own country that a country-level report names (read when first asked)."""
    regions = rec.get("_regions")
    if regions is None:
        regions = rec["_regions"] = frozenset(
            p.place.admin1 or p.place.name for p in find_places(rec["sentence"], rec["country"])
            if p.place.country == rec["country"] and p.place.geo_precision < 3)
    return regions


def _most_similar(tokens: frozenset, others: list[frozenset]) -> float:
    """The largest word overlap (Jaccard: shared words over all words) of `tokens` with one of `others`."""
    n, best = len(tokens), 0.0
    for other in others if n else ():
        if other:
            shared = len(tokens & other)
            overlap = shared / (n + len(other) - shared)
            if overlap > best:
                best = overlap
    return best


def _join(rec: dict, tokens: frozenset, cluster: _Cluster, nesting: set[tuple]) -> tuple[str, str] | None:
    """(the mention `rec` matches, why) when `rec` reports the cluster's event, else None.
    `tokens` are the words of `rec`'s sentence; `nesting` the places of the cluster's rows that nest
    with `rec`'s (`_find_cluster` works them out)."""
    rows, n = cluster.rows, len(tokens)
    everywhere = len(nesting) == len(cluster.places)    # every row's place nests with rec's (most often)
    cut = n * NEAR_DUPLICATE
    for k, m in enumerate(cluster.sizes) if n else ():  # (no words: no overlap)
        if m < cut or n < m * NEAR_DUPLICATE:
            continue            # the overlap of two sets is at most the smaller over the larger
        other = rows[k]
        if not everywhere and other["_place"] not in nesting:
            continue
        shared = len(tokens & cluster.tokens[k])
        overlap = shared / (n + m - shared)
        if overlap >= NEAR_DUPLICATE and not _conflict(rec, other):
            return other["mention_id"], f"near-identical sentence (word overlap {overlap:.2f}); {_place_why(rec, other)}"
    # the same event: places nest, dates are close (the same day, or within the larger of the two date
    # windows, at least a day when either date is not explicit), actors agree; most often false first.
    # (Written out: this loop reads most rows of a merge.)
    day, window, explicit = rec["_day"], rec["_window"], rec["_explicit"]
    for other in rows:
        if not everywhere and other["_place"] not in nesting:
            continue
        days = abs(day - other["_day"])
        if days:
            slack = max(window, other["_window"])
            if slack < 1 and not (explicit and other["_explicit"]):
                slack = 1
            if days > slack:
                continue
        if _actors_agree(rec, other):
            break
    else:
        return None
    if any(_conflict(rec, o) for o in rows):   # cheap test first: most fail it
        return None
    return other["mention_id"], _why(rec, other)


def _why(a: dict, b: dict) -> str:
    """The keys on which two mentions matched, in words."""
    days = abs((a["event_date"] - b["event_date"]).days)
    when = f"same date {a['event_date']}" if days == 0 else \
        f"dates {b['event_date']} and {a['event_date']} within the window (overnight or undated report)"
    actors = sorted({v for v in (a["actor_country"], b["actor_country"]) if _present(v)})
    who = f"actor {actors[0]}" if len(actors) == 1 else "no actor named on one side" if not actors else \
        "sides " + "/".join(actors)
    return f"same type {family(a)}; {when}; {_place_why(a, b)}; {who}; {_figures_why(a, b)}"


def _figures_why(a: dict, b: dict) -> str:
    shared = [c for c in schema.figure_categories() if c in a["_figs"] and c in b["_figs"]]
    revised = [f"{c} {b[c]} -> {a[c]}" for c in shared if a[c] != b[c]]
    if revised:
        return "revised figures (" + ", ".join(revised) + ")"
    return "same figures" if shared else "no shared figures"


def _place_why(a: dict, b: dict) -> str:
    la, lb = a["location"], b["location"]
    if not _present(la) and not _present(lb):
        return "no place named"
    if la == lb:
        return f"same place {la}"
    if not (_present(la) and _present(lb)):
        return "place named on one side only"
    return f"{la} and {lb} nest"


def _same_sentence(a: dict, b: dict) -> bool:
    """Two clauses of one sentence report two events (that is why it was split)."""
    return a["item_id"] == b["item_id"] and a["sentence"] == b["sentence"]


def _conflict(a: dict, b: dict) -> bool:
    """Facts that rule out one event: another attacker, another night's numbers.

    Figures may differ on the same day (a toll revised upwards); on two
    different dates, or for two nationwide launch tallies, they may not.
    """
    if a["event_type"] == "ASSAULT" and not _actors_agree(a, b):
        return True
    if a["event_type"] == "CONSULT" and len(_sides(a) | _sides(b)) > 2:
        return True  # a call between other parties: "Trump spoke with Zelensky" is not the summit with Putin,
        # though a report that names Trump alone may belong to either
    if _same_sentence(a, b):
        return True
    if (a["event_type"] in STATEMENTS and a["_day"] != b["_day"] and not (a["_explicit"] or b["_explicit"])):
        return True  # what a speaker said on two days, neither report dated: two statements
    if a["_package"] != b["_package"] and a["_package"] is not None and b["_package"] is not None:
        return True
    if a["_channel"] != b["_channel"] and a["_channel"] is not None and b["_channel"] is not None:
        return True  # remarks to reporters and a post that day: two statements
    fa, fb = a["_figs"], b["_figs"]
    differ = any(fa[c] != fb[c] for c in fa.keys() & fb.keys())
    if a["event_date"] != b["event_date"] and a["_explicit"] and b["_explicit"]:
        return differ
    if differ and a["_day"] != b["_day"] and (_toll_fell(a, b) or _other_stage(fa, fb)):
        return True
    if differ and a["location"] != b["location"]:
        return True  # a region's daily toll is not the strike on one of its towns
    return not (_figures_agree(a, b) and _downed_within_launched(a, b) and _same_kind_of_tally(a, b))


def _other_stage(fa: dict, fb: dict) -> bool:
    """Another number of prisoners on another day: another stage of an exchange (a swap is counted
    when it happens, not revised later)."""
    return "prisoners" in fa and "prisoners" in fb and fa["prisoners"] != fb["prisoners"]


def _toll_fell(a: dict, b: dict) -> bool:
    """The later-dated report counts fewer dead or injured: tolls are revised upwards, so this is
    another day's event, not a revision."""
    early, late = (a, b) if a["_day"] < b["_day"] else (b, a)
    fe, fl = early["_figs"], late["_figs"]
    return any(fl[c] < fe[c] for c in ("killed", "injured") if c in fe and c in fl)


def _places_nest(a: dict, b: dict) -> bool:
    """Same place, or a town inside the named region; country-level only matches country-level."""
    if not _present(a["location"]) or not _present(b["location"]):
        return a["event_type"] != "ASSAULT" or not (_present(a["location"]) or _present(b["location"]))
    if a["location"] == b["location"]:
        return True
    pa, pb = a["_prec"], b["_prec"]
    if pa == 3 or pb == 3:
        return False
    if pa > pb:
        a, b, pa, pb = b, a, pb, pa
    if pa == 1 and pb == 2:  # a town in the named region, or a district of the same city
        return a["admin1"] == b["location"] or (_is_district(b) and a["admin1"] == b["admin1"])
    # a village the gazetteer lacks (its region's coordinates, so precision 2) in the named region
    return pa == pb == 2 and (a["admin1"] == b["location"] or b["admin1"] == a["location"])


def _is_district(rec: dict) -> bool:
    return is_district(rec["location"])


def _actors_agree(a: dict, b: dict) -> bool:
    if a["event_type"] == "ASSAULT":
        ca, cb = a["actor_country"], b["actor_country"]
        return not (_present(ca) and _present(cb) and ca != cb)
    if a["event_type"] == "CONSULT":  # a call is the same call whoever is named first
        sides_a, sides_b = _sides(a), _sides(b)
        return bool(sides_a) and bool(sides_b) and (sides_a <= sides_b or sides_b <= sides_a)
    if not (_present(a["actor_country"]) and a["actor_country"] == b["actor_country"]):
        return False  # statements, sanctions, aid: the same actor, or not the same event
    if a["event_type"] in STATEMENTS and a["item_id"] != b["item_id"] and _named_apart(a["actor"], b["actor"]):
        return False  # two speakers of one country on one day: two statements
    ta, tb = a["target_country"], b["target_country"]
    return not (_present(ta) and _present(tb) and ta != tb)


def _sides(rec: dict) -> set:
    """The countries taking part in a call or meeting, whichever is named first."""
    return {v for v in (rec["actor_country"], rec["target_country"]) if _present(v)}


def _named_apart(x, y) -> bool:
    """Two different named speakers (not when either is only a country or one name holds the other)."""
    if not (_present(x) and _present(y)):
        return False
    x, y = str(x).lower().replace("’", "'"), str(y).lower().replace("’", "'")
    if f"{x}'s " in y or f"{y}'s " in x:
        return True  # "Zelensky's chief of staff" is not Zelensky
    return x not in y and y not in x


def _figures_agree(a: dict, b: dict) -> bool:
    """A nationwide tally with different launch counts on one night is a different attack."""
    if a["_prec"] != 3:
        return True
    fa, fb = a["_figs"], b["_figs"]
    for col in NATIONAL_TALLY:
        if col in fa and col in fb and fa[col] != fb[col]:
            return False
    return True


def _downed_within_launched(a: dict, b: dict) -> bool:
    """More drones shot down than the other report says were launched: not the same attack."""
    for launched, downed in _launched_and_downed():
        for x, y in ((a["_figs"], b["_figs"]), (b["_figs"], a["_figs"])):
            if launched in x and downed in y and y[downed] > x[launched]:
                return False
    return True


@lru_cache(maxsize=1)
def _launched_and_downed() -> tuple[tuple[str, str], ...]:
    """(launched, shot down) categories of each weapon counted both ways (`schema.downed_weapons`)."""
    return tuple((weapon, f"{weapon}_downed") for weapon in schema.downed_weapons())


TALLY_KINDS = (CASUALTY_FIGURES, WEAPON_FIGURES, FRONT_LINE_FIGURES)


def _same_kind_of_tally(a: dict, b: dict) -> bool:
    """Country-level reports that count different things (a toll here, a launch tally there) are
    two events: nothing else ties them to one place."""
    if a["_prec"] != 3 or b["_prec"] != 3:
        return True
    ka, kb = a["_kinds"], b["_kinds"]
    return not ka or not kb or bool(ka & kb)


def _present(value) -> bool:
    return value is not None  # merge_mentions turns every missing value into None


# --- building an event from its mentions ------------------------------------------------------

def _event(cluster: _Cluster) -> dict:
    rows = cluster.rows
    calls = [r for r in rows if r["event_type"] == "CONSULT"]   # a call and readouts of it: the call
    best = max(calls or rows, key=_clarity)
    dated = [r for r in rows if r["_explicit"]] or rows
    finest = min(FINENESS.get(r["date_precision"], 9) for r in dated)  # "on Tuesday" beats "earlier this week"
    dated = [r for r in dated if FINENESS.get(r["date_precision"], 9) == finest]
    date_row = Counter((r["event_date"], r["date_precision"]) for r in dated).most_common(1)[0][0]
    # the finest place; of a region and a village in it that the gazetteer lacks (both precision 2), the village
    place = min(rows, key=_place_rank)
    ev = {
        "event_date": date_row[0], "date_precision": date_row[1],
        "event_type": best["event_type"],
        "event_mode": _first(rows, "event_mode", best),
        "acled_event_type": _first(rows, "acled_event_type", best),
        "acled_sub_event_type": _first(rows, "acled_sub_event_type", best),
    }
    for col in PLACE_FIELDS:
        ev[col] = place[col]
    for col in ("actor", "actor_country", "target", "target_country", "claimed_by"):
        ev[col] = _most_common(rows, col)
    reported = set().union(*(r["_figs"] for r in rows))    # the categories some mention counts
    for cat in schema.figure_categories():
        ev[cat] = _latest(rows, cat) if cat in reported else None
    ev.update(_provenance(rows, best))
    return ev


def _place_rank(r: dict) -> tuple:
    """Finer places first; of a region and a village in it that the gazetteer lacks (both precision 2),
    the village; then the clearer report."""
    filled, brevity = _clarity(r)
    return (r["_prec"], r["location"] == r["admin1"], -filled, -brevity)


FINENESS = {"day": 0, "week": 1, "month": 2, "year": 3}


def _clarity(r: dict) -> tuple:
    """How clearly a mention states its event: filled fields first, then brevity (worked out once a
    mention: an event asks it of each of its mentions twice)."""
    clarity = r.get("_clarity")
    if clarity is None:
        filled = sum(_present(r[c]) for c in ("location", "actor", "event_mode", "target", "claimed_by"))
        clarity = r["_clarity"] = (len(r["_figs"]) + filled + int(r["_explicit"]), -len(r["sentence"]))
    return clarity


def _first(rows: list[dict], col: str, best: dict):
    if _present(best[col]):
        return best[col]
    return next((r[col] for r in rows if _present(r[col])), None)


def _most_common(rows: list[dict], col: str):
    values = [r[col] for r in rows if _present(r[col])]
    if not values:
        return None
    counts = Counter(values)
    top = max(counts.values())
    return next(v for v in values if counts[v] == top)


def _latest(rows: list[dict], col: str):
    """The most recent report's value: latest report time, then the higher (newer) post on the page."""
    have = [r for r in rows if _present(r[col])]
    if not have:
        return None
    return max(have, key=lambda r: (r["_ts"], -r["_position"], r["char_start"]))[col]


def _provenance(rows: list[dict], best: dict) -> dict:
    reported = [pd.Timestamp(r["reported"]) for r in rows]
    sources = sorted({r["url"] if _present(r["url"]) else r["source"] for r in rows})
    return {
        "summary": best["sentence"],
        "n_mentions": len(rows),
        "n_sources": len({r["source"] for r in rows}),
        "first_reported": min(reported), "last_reported": max(reported),
        "sources": ";".join(sources),
    }


def _assign_ids(claims: list[tuple[int, str, int]], firsts: list[str]) -> list[str]:
    """Stable ids, one per cluster. An event keeps the id most of its earlier mentions had (each old id
    goes to one event: the one holding most of its mentions); any other event is named after its first
    report. `claims` are (-mentions, earlier id, cluster), `firsts` each cluster's first report."""
    ids: list[str | None] = [None] * len(firsts)
    taken: set[str] = set()
    for _, old, n in sorted(claims):
        if old not in taken and ids[n] is None:
            ids[n] = old
            taken.add(old)
    for n, first in enumerate(firsts):
        if ids[n] is not None:
            continue
        salt = 0
        while (eid := _hash_id(first, salt)) in taken:
            salt += 1
        ids[n] = eid
        taken.add(eid)
    return ids


def _report_order(rec: dict) -> tuple:
    return (rec["_ts"], rec["source"], rec["_position"], rec["char_start"], rec["mention_id"])


def _hash_id(mention_id: str, salt: int) -> str:
    key = mention_id if salt == 0 else f"{mention_id}#{salt}"
    return "ev-" + hashlib.sha1(key.encode()).hexdigest()[:16]


# --- merging in parts (timeline.distributed) ----------------------------------------------------
#
# Mentions of two blocks are never compared, so the clusters of each block are
# the same whether it is merged alone or with every other. Only ids tie blocks
# together: an earlier event's id goes to one cluster among all that claim it,
# and a hash already taken is salted. `merge_groups` keeps every claimant of an
# earlier id in one group; a salt that merging apart would miss shows up as a
# duplicate id, and `merge_in_parts` then merges everything in one piece.

def block_of(mentions: pd.DataFrame) -> pd.Series:
    """The block of each mention (a tuple key), indexed like `mentions`."""
    cols = ["event_type", "acled_event_type", "country", "admin1", "actor_country", "sentence"]
    records = mentions[cols].astype(object).where(mentions[cols].notna(), None).to_dict("records")
    return pd.Series([_block_key(r) for r in records], index=mentions.index, dtype=object)


def blocks(columns: MentionColumns) -> list[tuple]:
    """The block of each mention of `columns`."""
    names = ["event_type", "acled_event_type", "country", "admin1", "actor_country"]
    recs = [dict(zip(names, row)) for row in zip(*(columns.strings(name) for name in names))]
    battles = np.array([i for i, r in enumerate(recs) if r["acled_event_type"] == "Battles"], dtype=np.int64)
    for i, sentence in zip(battles.tolist(), columns.sentences(battles) if len(battles) else []):
        recs[i]["sentence"] = sentence     # (which battles claim territory: `family`)
    return [_block_key(r) for r in recs]


def merge_groups(columns: MentionColumns, earlier: Earlier | None = None) -> np.ndarray:
    """A group number per mention: blocks, joined where an earlier build's event has mentions in
    several of them. `merge_columns` of each group alone gives that group's events."""
    keys = blocks(columns)
    root: dict[tuple, tuple] = {b: b for b in keys}

    def find(b: tuple) -> tuple:
        while root[b] != b:
            root[b] = root[root[b]]
            b = root[b]
        return b

    for b in [b for b in root if b[0] == "REQUEST"]:   # a request may join a call (`_find_call`):
        root[find(b)] = find(root.setdefault(CALLS, CALLS))   # requests and calls are merged together
    first_block: dict[int, tuple] = {}
    codes = np.full(len(keys), -1) if earlier is None else earlier.codes
    for row in np.flatnonzero(codes >= 0).tolist():
        root[find(keys[row])] = find(first_block.setdefault(int(codes[row]), keys[row]))
    numbers: dict[tuple, int] = {}
    return np.array([numbers.setdefault(find(b), len(numbers)) for b in keys], dtype=np.int64)


Part = tuple[MentionColumns, Earlier]   # mentions of whole groups, and their earlier events


def merge_in_parts(columns: MentionColumns, earlier: Earlier | None, parts: int,
                   run: Callable[[list[Part]], list[Clusters]]) -> Clusters:
    """`merge_columns(columns, earlier)`, with the groups packed into about `parts` parts that
    `run` merges (each with `merge_columns`, anywhere, e.g. on the workers of a cluster). Events come
    part by part instead of in report order; the tables written, which are sorted, are the same."""
    earlier = earlier if earlier is not None else Earlier.none(len(columns))
    if not len(columns):
        return merge_columns(columns, earlier)
    packs = _pack(merge_groups(columns, earlier), parts)
    jobs = [(columns.take(rows), earlier.take(rows)) for rows in packs]
    merged = run(jobs)
    events = pa.concat_tables([m.events for m in merged])
    if len(set(events.column("event_id").to_pylist())) < len(events):
        return merge_columns(columns, earlier)   # a salted id that merging apart cannot see
    n = len(columns)
    event_of, joined = np.full(n, -1, dtype=np.int32), np.full(n, -1, dtype=np.int32)
    reason_of, reasons, order = np.zeros(n, dtype=np.int32), [], []
    first_event = 0
    for rows, part in zip(packs, merged):
        event_of[rows] = part.event_of + first_event
        joined[rows] = np.where(part.joined >= 0, rows[part.joined], -1)
        reason_of[rows] = part.reason_of + len(reasons)
        reasons.extend(part.reasons)
        order.append(rows[part.order])
        first_event += len(part.events)
    return Clusters(events, event_of, joined, reason_of, reasons, np.concatenate(order),
                    sum(part.merged_as_before for part in merged))


def _pack(groups: np.ndarray, parts: int) -> list[np.ndarray]:
    """Whole groups in at most `parts` parts of about equal size (largest group first): the rows of
    each part, in order."""
    sizes = np.bincount(groups)
    loads = [(0, n, []) for n in range(min(parts, len(sizes)))]
    for group, size in sorted(enumerate(sizes.tolist()), key=lambda gs: (-gs[1], gs[0])):
        load, n, members = min(loads)
        members.append(group)
        loads[n] = (load + size, n, members)
    return [np.flatnonzero(np.isin(groups, members)) for _, _, members in sorted(loads, key=lambda x: x[1])]
