"""Dates: when the event in a sentence HAPPENED, resolved from news phrasing.

A sentence is read against its anchor: the item's own time when the page gives
one, else the page's publication time. Relative phrases ("late yesterday",
"on Monday", "overnight", "last month", "two days ago") are resolved against
the anchor's local date (`anchor.date()`, so an evening item stays on its own
day); absolute phrases ("on 16 May", "Nov. 28", "in April 2024") are found by
the rules in `timeline/data/date_phrases.csv` and parsed by dateparser (only the
phrase, never the whole sentence).

Conventions
-----------
* precision "week" dates are the Monday of that week, "month" the 1st of the
  month, "year" 1 January: every rule floors its result to the start of its
  period, so "three weeks ago" is the Monday of the week three weeks back.
* `window` is 1 for night-time phrases ("overnight", "last night", "late
  yesterday", "on Saturday night") so that merge can match reports that date
  the same night on either side of midnight; 0 otherwise.
* A day and month without a year ("on 16 May") take the latest year that puts
  the date no more than `FUTURE_TOLERANCE_DAYS` after the anchor; in a
  future-tense clause ("will meet on 9 May") the earliest year that puts it no
  more than that many days before the anchor.
* Weekdays: "on Monday", "Monday's call" -> the latest Monday on or before the
  anchor (0-6 days back); "last Monday" -> 1-7 days back; "next Monday" -> 1-7
  days ahead; a bare "on Monday" in a future-tense clause ("will meet on
  Monday", "is due to ... on Monday") -> 0-6 days ahead.

Which phrase dates the sentence (`resolve_date`)
------------------------------------------------
Every phrase found gets a `role`:

* "bound"   - after since / until / till / by / through ("since 2014", "by the
              end of this year", "until Friday"): never the event's date.
              "by" before a possessive ("hit by Monday's strike") is not a bound.
* "context" - after before / after / ahead of / following / prior to ("a day
              after Monday's talks"): names another event's date.
* "earlier" - in a clause set off by a comma that starts "days after" / "a day
              after" / "weeks after" ("working on an 18th package, days after
              the 17th was adopted on Tuesday"): the earlier event's date;
              never the event's date.
* "quoted"  - inside double quotation marks (an unclosed quote runs to the end
              of the text; a closing mark with no opening one quotes everything
              before it).
* "event"   - everything else.

`resolve_date` returns the first "event" phrase; if there is none, the first
"quoted" or "context" phrase; if there is none, the anchor's date with
precision "day", explicit False, window 0. Bound and earlier phrases are never
used.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from ..errors import VocabularyError
from ..vocab import load_csv
from .gate import Gates

DATA_FILE = "date_phrases.csv"
FUTURE_TOLERANCE_DAYS = 7
PRECISIONS = ("day", "week", "month", "year")
RULES = ("day", "ago", "weekday", "weekend", "week", "month", "year", "month_name",
         "date_dm", "date_my", "date_y", "date_iso")
ROLES = ("event", "quoted", "context", "bound", "earlier")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec")
SMALL_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                 "eighteen", "nineteen")
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

# A 4-digit number after "in"/"since"/... is a year unless the next word is a
# counted noun ("in 2000 drones", "of 2025 people"): a lower-case plural, or one of these.
COUNTED_NOUNS = frozenset(
    "people men women children personnel police staff troops infantry civilians military "
    "equipment ammunition artillery armour cavalry aircraft livestock cattle".split()
)
NOT_PLURALS = frozenset(
    "was has is as its this thus plus less unless across always perhaps towards afterwards "
    "besides whereas nevertheless regardless".split()
)
FUTURE_MARKERS = re.compile(
    r"\b(?:will|won[’']t|shall|(?:is|are|was|were)\s+due|set\s+to|scheduled|expected\s+to|plans?\s+to|planned|planning|"
    r"going\s+to|is\s+to|are\s+to|ahead\s+of|upcoming|forthcoming|next)\b|[’']ll\b",
    re.IGNORECASE,
)
# "Merz, who is expected to become chancellor next month, said ...": a date in an aside about someone
RELATIVE_ASIDE = re.compile(r",\s+(?:who|whose)\b[^,;.]*$", re.IGNORECASE)
# "working on an 18th package, days after the 17th was adopted on Tuesday": the date of the earlier event
EARLIER_EVENT = re.compile(r",\s+(?:(?:a|one|two|three|several|a\s+few)\s+)?(?:days?|weeks?)\s+after\b[^;.]*$",
                           re.IGNORECASE)
# "the peace memorandum that Lavrov promised on Friday": the date of what a noun's relative clause tells
EARLIER_RELATIVE = re.compile(r"\b(?:the|a|an)\s+(?:[\w-]+\s+){0,3}(?:that|which)\s+[^,;:.“”\"]{0,60}?\b[a-z]+ed\s+"
                              r"(?:on\s+|in\s+|last\s+)?$", re.IGNORECASE)
BOUND_BEFORE = re.compile(
    r"\b(?:since|until|till|by|through)\s+"
    r"(?:(?:the\s+)?(?:end|start|beginning|middle|close|first\s+half|second\s+half)\s+of\s+)?(?:the\s+)?$",
    re.IGNORECASE,
)
CONTEXT_BEFORE = re.compile(
    r"\b(?:before|after|ahead\s+of|following|prior\s+to|in\s+the\s+run-up\s+to)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
POSSESSIVE_AFTER = re.compile(r"^[’']s?\b")
CLAUSE_BREAK = re.compile(r"[,;:.!?()“”\"«»—–]")


@dataclass(frozen=True)
class DateMatch:
    """A date phrase and the day it points to (or the anchor's date when there is none)."""

    date: dt.date
    precision: str        # "day" | "week" | "month" | "year"
    explicit: bool        # True when the text says when; False when it is only the anchor's date
    window: int           # days of uncertainty either side (1 for night-time phrases)
    start: int | None     # offsets of the phrase in the text (None when not explicit)
    end: int | None
    text: str | None      # the phrase as written
    role: str = "event"   # event | quoted | context | bound | earlier (see the module docstring)


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern
    rule: str
    value: str
    precision: str
    window: int
    order: int



# --------------------------------------------------------------------------- rules

def _number_pattern() -> str:
    tens = "|".join(t for t in TENS if t)
    small = "|".join(sorted(SMALL_NUMBERS, key=len, reverse=True))
    return rf"(?P<num>\d{{1,4}}|(?:{tens})(?:[- ](?:{small}))?|{small}|a\s+couple\s+of|an?)"


def _placeholders() -> dict[str, str]:
    full = "|".join(MONTHS)
    abbr = "|".join(MONTH_ABBREVIATIONS)
    return {
        "weekday": rf"(?P<wd>{'|'.join(WEEKDAYS)})",
        "month": rf"(?P<mon>(?-i:(?:{full})|(?:{abbr})\.?))",
        "fullmonth": rf"(?P<mon>(?-i:{full}))",
        "day": r"(?<![\d,.])(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:])",
        "year": r"(?P<year>(?:19|20)\d\d)(?!\d)",
        "num": _number_pattern(),
        "unit": r"(?P<unit>minute|hour|day|week|month|year)s?",
    }


def _expand(pattern: str) -> str:
    out = pattern.replace(" ", r"\s+")
    for name, regex in _placeholders().items():
        out = out.replace("{" + name + "}", regex)
    return rf"(?<![\w-])(?:{out})(?![\w-])"


@lru_cache(maxsize=None)
def rules() -> tuple[_Rule, ...]:
    """The phrase rules of `date_phrases.csv`, compiled once (raises VocabularyError if malformed)."""
    out = []
    for order, row in enumerate(load_csv(DATA_FILE)):
        where = f"timeline/data/{DATA_FILE}: rule {order + 1} ({row.get('pattern')!r})"
        if row["rule"] not in RULES:
            raise VocabularyError(f"{where}: unknown rule {row['rule']!r}")
        if row["precision"] and row["precision"] not in PRECISIONS:
            raise VocabularyError(f"{where}: unknown precision {row['precision']!r}")
        try:
            pattern = re.compile(_expand(row["pattern"]), re.IGNORECASE)
            window = int(row["window"] or 0)
        except (re.error, ValueError) as exc:
            raise VocabularyError(f"{where}: {exc}") from exc
        out.append(_Rule(pattern, row["rule"], row["value"], row["precision"], window, order))
    return tuple(out)


# --------------------------------------------------------------------------- arithmetic

def _floor(day: dt.date, precision: str) -> dt.date:
    if precision == "week":
        return day - dt.timedelta(days=day.weekday())
    if precision == "month":
        return day.replace(day=1)
    if precision == "year":
        return day.replace(month=1, day=1)
    return day


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _number(word: str) -> int | None:
    word = re.sub(r"\s+", " ", word.lower().strip())
    if word.isdigit():
        return int(word)
    if word in ("a", "an"):
        return 1
    if word == "a couple of":
        return 2
    if word in SMALL_NUMBERS:
        return SMALL_NUMBERS.index(word)
    parts = re.split(r"[- ]", word)
    if parts[0] in TENS:
        value = TENS.index(parts[0]) * 10
        if len(parts) == 2 and parts[1] in SMALL_NUMBERS and SMALL_NUMBERS.index(parts[1]) < 10:
            return value + SMALL_NUMBERS.index(parts[1])
        if len(parts) == 1:
            return value
    return None


def _month_number(token: str) -> int:
    return [m[:3] for m in MONTHS].index(token[:3].title()) + 1


# dateparser's base date for the phrases it reads. Each names its own day and month, or month and year,
# or all three; from a day and month, `_pick_year` picks the year, not dateparser. So what we read of its
# answer is the same from any base (a test checks every day and month, and phrases with a year, from
# bases around leap days), and one base for all lets the cache answer each phrase once a build, not
# once for every day of the archive (about 0.5 ms a phrase saved; real pages write dates so often that
# these calls were a tenth of extracting the gold pages and seeds).
PARSE_BASE = dt.date(2000, 1, 1)


@lru_cache(maxsize=4096)
def _parse_absolute(phrase: str, parts: tuple[str, ...]) -> dt.date | None:
    """dateparser on one normalised phrase ("16 May", "April 2024"), read from PARSE_BASE; None when
    invalid. For a phrase without a year, only its month and day are meant."""
    return _dateparser(phrase, parts, PARSE_BASE)


def _dateparser(phrase: str, parts: tuple[str, ...], base: dt.date) -> dt.date | None:
    import dateparser  # imported lazily: it is slow to import

    try:
        parsed = dateparser.parse(
            phrase,
            languages=["en"],
            settings={
                "RELATIVE_BASE": dt.datetime.combine(base, dt.time(12)),
                "PREFER_DATES_FROM": "past",
                "PREFER_DAY_OF_MONTH": "first",
                "REQUIRE_PARTS": list(parts),
            },
        )
    except Exception:  # dateparser raises assorted errors on odd input; a bad phrase is no date
        return None
    return parsed.date() if parsed else None


def _pick_year(month: int, day: int, anchor: dt.date, future: bool) -> dt.date | None:
    """The year for a day-month with none written (see the module docstring)."""
    candidates = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:          # 29 February in a common year
            continue
    tolerance = dt.timedelta(days=FUTURE_TOLERANCE_DAYS)
    if future:
        later = [c for c in candidates if c >= anchor - tolerance]
        return min(later) if later else None
    earlier = [c for c in candidates if c <= anchor + tolerance]
    if earlier:
        return max(earlier)
    # a 29 February more than a year back: go further back to the last leap year
    for year in range(anchor.year - 2, anchor.year - 9, -1):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return None


def _weekday(target: int, anchor: dt.date, mode: str, future: bool) -> dt.date:
    back = (anchor.weekday() - target) % 7          # 0-6 days back
    ahead = (target - anchor.weekday()) % 7         # 0-6 days ahead
    if mode == "last":
        return anchor - dt.timedelta(days=back or 7)
    if mode == "next":
        return anchor + dt.timedelta(days=ahead or 7)
    if mode == "lastweek":
        monday = anchor - dt.timedelta(days=anchor.weekday() + 7)
        return monday + dt.timedelta(days=target)
    if future:
        return anchor + dt.timedelta(days=ahead)
    return anchor - dt.timedelta(days=back)


def _weekend(anchor: dt.date, mode: str, future: bool) -> dt.date:
    wd = anchor.weekday()
    recent = anchor - dt.timedelta(days=(wd - 5) % 7)   # latest Saturday on or before the anchor
    coming = anchor + dt.timedelta(days=(5 - wd) % 7)   # next Saturday on or after the anchor
    in_weekend = wd >= 5
    if mode == "last":
        return recent - dt.timedelta(days=7) if in_weekend else recent
    if mode == "next":
        return recent + dt.timedelta(days=7) if in_weekend else coming
    if mode == "this":
        return recent if in_weekend else coming
    if future and not in_weekend:
        return coming
    return recent


def _month_name(month: int, anchor: dt.date, mode: str, future: bool) -> dt.date:
    this_year = dt.date(anchor.year, month, 1)
    here = anchor.replace(day=1)
    if mode == "last" or (mode == "recent" and not future):
        past = this_year if (this_year < here or (mode == "recent" and this_year == here)) else None
        return past or dt.date(anchor.year - 1, month, 1)
    # next, or recent in a future-tense clause
    upcoming = this_year if (this_year > here or (mode == "recent" and this_year == here)) else None
    return upcoming or dt.date(anchor.year + 1, month, 1)


# --------------------------------------------------------------------------- context

_ANY_QUOTE = re.compile('[“«”»"]')


def _quoted_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Spans inside double quotation marks (curly, straight or guillemets)."""
    if not _ANY_QUOTE.search(text):
        return ()           # most sentences: no need to walk them a character at a time
    spans = []
    open_at: int | None = None
    straight_open: int | None = None
    for i, ch in enumerate(text):
        if ch in "“«":
            if open_at is None:
                open_at = i
        elif ch in "”»":
            if open_at is not None:
                spans.append((open_at, i + 1))
                open_at = None
            elif not spans:                 # closing with no opening: the text starts mid-quote
                spans.append((0, i + 1))
        elif ch == '"':
            if straight_open is None:
                straight_open = i
            else:
                spans.append((straight_open, i + 1))
                straight_open = None
    for start in (open_at, straight_open):
        if start is not None:
            spans.append((start, len(text)))
    return tuple(spans)


def _future(text: str, start: int) -> bool:
    """True when the clause before `start` is future-tense ("will meet ... on Monday")."""
    before = text[max(0, start - 120):start]
    breaks = list(CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end():]
    words = before.split()[-16:]   # "will travel to Istanbul for a second round of direct talks with Russia on"
    tail = " ".join(words)
    markers = list(FUTURE_MARKERS.finditer(tail))
    if not markers:
        return False
    return not _speech_verbs().search(tail[markers[-1].end():])


@lru_cache(maxsize=None)
def _speech_verbs() -> re.Pattern:
    """A verb of saying (attribution.csv's phrases that follow their source): "will ... on Monday, he
    said" is not a future clause."""
    verbs = sorted({r["phrase"].split()[-1] for r in load_csv("attribution.csv") if r["position"] == "after"})
    return re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, verbs)), re.IGNORECASE)


# How far back from a date `_role` reads for the words that give its role: cue words sit just before
# it ("since", "ahead of", "days after"); a relative clause ("the memorandum that the minister
# promised on Friday") can start further back.
CUE_LOOK_BACK = 60
CLAUSE_LOOK_BACK = 120


def _role(text: str, start: int, end: int, pre: str, spans) -> str:
    before = text[max(0, start - CUE_LOOK_BACK):start] + pre
    possessive = bool(POSSESSIVE_AFTER.match(text[end:end + 3]))
    bound = BOUND_BEFORE.search(before)
    if bound and not (possessive and bound.group(0).lower().startswith("by")):
        return "bound"
    if EARLIER_EVENT.search(before) or EARLIER_RELATIVE.search(text[max(0, start - CLAUSE_LOOK_BACK):start] + pre):
        return "earlier"
    if CONTEXT_BEFORE.search(before) or RELATIVE_ASIDE.search(before):
        return "context"
    if any(a <= start < b for a, b in spans):
        return "quoted"
    return "event"


# --------------------------------------------------------------------------- matching

def _evaluate(rule: _Rule, m: re.Match, text: str, anchor: dt.datetime) -> tuple[dt.date, str] | None:
    """The (date, precision) a match points to, or None when it is not a valid date."""
    base = anchor.date()
    groups = m.groupdict()
    kind, value = rule.rule, rule.value
    if kind == "day":
        return _floor(base + dt.timedelta(days=int(value)), rule.precision), rule.precision
    if kind == "ago":
        n = _number(groups["num"] or "")
        if n is None:
            return None
        unit = groups["unit"].lower()
        if unit in ("minute", "hour"):
            delta = dt.timedelta(minutes=n) if unit == "minute" else dt.timedelta(hours=n)
            return (anchor - delta).date(), "day"
        if unit == "day":
            return base - dt.timedelta(days=n), "day"
        if unit == "week":
            return _floor(base - dt.timedelta(weeks=n), "week"), "week"
        if unit == "month":
            return _add_months(base, -n), "month"
        return dt.date(base.year - n, 1, 1), "year"
    if kind == "weekday":
        target = WEEKDAYS.index(groups["wd"].lower())
        return _weekday(target, base, value, _future(text, m.start())), "day"
    if kind == "weekend":
        return _weekend(base, value, _future(text, m.start())), "day"
    if kind == "week":
        return _floor(base, "week") + dt.timedelta(weeks=int(value)), "week"
    if kind == "month":
        return _add_months(base, int(value)), "month"
    if kind == "year":
        return dt.date(base.year + int(value), 1, 1), "year"
    if kind == "month_name":
        return _month_name(_month_number(groups["mon"]), base, value, _future(text, m.start())), "month"
    if kind == "date_y":
        following = text[m.end():m.end() + 30].split()
        nxt = following[0] if following else ""
        word = re.sub(r"\W+$", "", nxt)
        if word[:1].islower() and (word in COUNTED_NOUNS or (
                word.endswith("s") and not word.endswith(("ss", "us", "is")) and word not in NOT_PLURALS)):
            return None                                     # "in 2000 drones": a count
        return dt.date(int(groups["year"]), 1, 1), "year"
    if kind == "date_iso":
        parsed = _parse_absolute(re.sub(r"^on\s+", "", m.group(0), flags=re.I), ("day", "month", "year"))
        return (parsed, "day") if parsed else None
    if kind == "date_my":
        month = MONTHS[_month_number(groups["mon"]) - 1]
        parsed = _parse_absolute(f"{month} {groups['year']}", ("month", "year"))
        return (parsed.replace(day=1), "month") if parsed else None
    if kind == "date_dm":
        month = MONTHS[_month_number(groups["mon"]) - 1]
        day = int(groups["day"])
        if groups.get("year"):
            parsed = _parse_absolute(f"{day} {month} {groups['year']}", ("day", "month", "year"))
            return (parsed, "day") if parsed else None
        parsed = _parse_absolute(f"{day} {month}", ("day", "month"))
        if not parsed:
            return None
        picked = _pick_year(parsed.month, parsed.day, base, _future(text, m.start()))
        return (picked, "day") if picked else None
    return None


@lru_cache(maxsize=None)
def _gated() -> Gates:
    return Gates(rules())


def _candidates(text: str):
    """All rule matches as (start, end, rule, match), before overlaps are resolved."""
    for rule in _gated().runnable(text):
        for m in rule.pattern.finditer(text):
            if m.end() > m.start():
                yield m.start(), m.end(), rule, m


def find_dates(text: str, anchor: dt.datetime) -> list[DateMatch]:
    """Every date phrase in `text`, in order, resolved against `anchor` (roles flag bounds etc.)."""
    if not isinstance(text, str) or not text:
        return []
    if not isinstance(anchor, dt.datetime):
        anchor = dt.datetime.combine(anchor, dt.time())
    # longest first, then leftmost, then earlier rule; keep those that do not overlap a kept one
    ranked = sorted(_candidates(text), key=lambda c: (-(c[1] - c[0]), c[0], c[2].order))
    kept: list[tuple[int, int, _Rule, re.Match, tuple[dt.date, str]]] = []
    taken: list[tuple[int, int]] = []
    for start, end, rule, m in ranked:
        if any(start < b and a < end for a, b in taken):
            continue
        try:
            resolved = _evaluate(rule, m, text, anchor)
        except (ValueError, OverflowError, IndexError):
            resolved = None
        if resolved is None:
            continue
        kept.append((start, end, rule, m, resolved))
        taken.append((start, end))
    kept.sort(key=lambda k: k[0])
    kept = _join_weekday_dates(text, kept)
    spans = _quoted_spans(text)
    out = []
    for start, end, rule, m, (day, precision) in kept:
        pre = (m.groupdict().get("pre") or "") if m is not None else ""
        out.append(DateMatch(
            date=day, precision=precision, explicit=True, window=rule.window,
            start=start, end=end, text=text[start:end],
            role=_role(text, start, end, pre, spans),
        ))
    return out


def _join_weekday_dates(text, kept):
    """"Monday, 19 May" / "Monday May 19": one phrase, dated by the day and month."""
    out = []
    i = 0
    while i < len(kept):
        cur = kept[i]
        if (i + 1 < len(kept) and cur[2].rule == "weekday" and kept[i + 1][2].rule == "date_dm"
                and re.fullmatch(r",?\s*(?:the\s+)?", text[cur[1]:kept[i + 1][0]])):
            nxt = kept[i + 1]
            out.append((cur[0], nxt[1], nxt[2], nxt[3], nxt[4]))
            i += 2
            continue
        out.append(cur)
        i += 1
    return out


def resolve_date(text: str, anchor: dt.datetime) -> DateMatch:
    """The date of the sentence's event: its first usable date phrase, else the anchor's date."""
    return choose_date(find_dates(text, anchor), anchor)


SPAN_DAYS = {"week": 7, "month": 31, "year": 366}


def _within(day: DateMatch, coarse: DateMatch) -> bool:
    """`day` falls in the week, month or year `coarse` names."""
    if coarse.precision == "month":
        return (day.date.year, day.date.month) == (coarse.date.year, coarse.date.month)
    if coarse.precision == "year":
        return day.date.year == coarse.date.year
    return 0 <= (day.date - coarse.date).days < SPAN_DAYS.get(coarse.precision, 0)


def choose_date(matches: list[DateMatch], anchor: dt.datetime) -> DateMatch:
    """`resolve_date`'s choice among phrases already found by `find_dates`."""
    for wanted in (("event",), ("quoted", "context")):
        for match in matches:
            if match.role in wanted:
                # "less than a week ago, in the early hours of 4 July": the day inside the vaguer span
                finer = (m for m in matches if m.role in wanted and m.precision == "day" and _within(m, match))
                return next(finer, match) if match.precision != "day" else match
    base = anchor.date() if isinstance(anchor, dt.datetime) else anchor
    return DateMatch(date=base, precision="day", explicit=False, window=0, start=None, end=None, text=None)
