"""Actors: who is named in a sentence, as canonical names with a country.

The dictionaries are data files in `timeline/data/`:

- `countries.csv`  countries (and EU, NATO, UN, G7): names, aliases, capitals, demonyms
- `actors.csv`     named people and institutions, with aliases and surnames
- `actor_nouns.csv` generic nouns that make an actor with a country ("Russian forces")
- `titles.csv`     titles that come before a name ("UK foreign secretary David Lammy")

`find_actors` reads a text token by token and, at each token, takes the longest of
three readings (a dictionary name, a titled name, a country + actor noun), so matches
are longest first, non-overlapping and in text order. Offsets are in the input text;
curly apostrophes are read as straight ones. `validate_tables` checks the four files.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ..errors import VocabularyError
from ..vocab import load_csv, split_aliases

ACTOR_KINDS = ("person", "organisation", "government", "military", "group")
NOUN_KINDS = ("group", "military", "government", "organisation", "qualifier")
TITLE_KINDS = ("office", "rank", "honorific", "modifier")

_TOKEN = re.compile(r"[^\W_]+|\S")
_SPACES = re.compile(r"[ \t]+")
_WORD_START = re.compile(r"(?<![^\W_])[^\W_]")
_NORMALISE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00a0": " ",
                            "\u2010": "-", "\u2011": "-"})
_NORMALISE_PAIRS = tuple((chr(c), to) for c, to in _NORMALISE.items())
_MAX_NAME_WORDS = 4
_LONG_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True)
class ActorMatch:
    """One actor named in a text."""

    name: str            # canonical: "Volodymyr Zelensky", "Russia", "Russian forces"
    country: str | None  # ISO3, or EU/NATO/UN/G7; None when unknown or international
    kind: str            # person | state | organisation | government | military | group
    start: int           # offsets in the input text
    end: int
    text: str            # as written
    possessive: bool     # followed by "'s" ("Russia's ..."): the actor modifies what follows
    adjectival: bool     # a bare demonym used as a modifier ("a Russian drone")


def country_iso3(iso2: str | None) -> str | None:
    """The country code for an ISO 3166-1 alpha-2 code ("UA" -> "UKR"); None when unknown."""
    return _iso3_of().get(iso2) if iso2 else None


@lru_cache(maxsize=1)
def _iso3_of() -> dict[str, str]:
    """ISO2 -> the first country code (in countries.csv order) with that ISO2 (extraction asks once a mention)."""
    out: dict[str, str] = {}
    for code, c in _lexicon().countries.items():
        if c.iso2:
            out.setdefault(c.iso2, code)
    return out


# ---------------------------------------------------------------------------
# Public helpers


def find_actors(text: str) -> list[ActorMatch]:
    """Every actor named in `text`, longest match first, non-overlapping, in text order."""
    scan = _Scan(text, _lexicon())
    starts, lower_starts = _starts()
    norm, toks = scan.norm, scan.toks
    # the tokens a reading may start at (at any other, `best` finds nothing)
    candidates = [i for i, (a, b) in enumerate(toks) if norm[a:a + 1].lower() + norm[a + 1:b] in starts]
    out: list[ActorMatch] = []
    i = 0
    for c in candidates:
        if c < i:
            continue        # inside the previous match
        a, b = toks[c]
        if norm[a].islower() and norm[a:b] not in lower_starts:
            continue        # "people", "drone": every form this word starts is capitalised, or no reading's
        found = scan.best(c)
        if found is None:
            continue
        i, matches = found
        out.extend(matches)
    return out


def country_name(iso3: str) -> str | None:
    """The canonical English name of a country code ("RUS" -> "Russia", "EU" -> "European Union")."""
    country = _lexicon().countries.get(iso3)
    return country.name if country else None


def country_iso2(iso3: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country code; None for EU/NATO/UN/G7 and unknown codes."""
    country = _lexicon().countries.get(iso3)
    return (country.iso2 or None) if country else None


# ---------------------------------------------------------------------------
# Compiled dictionaries


class _Country(NamedTuple):
    name: str
    iso2: str
    adjective: str  # first demonym, else the shortest name ("EU")
    kind: str       # state | organisation


class _Entry(NamedTuple):
    role: str            # country | demonym | plural | actor | person
    name: str
    country: str | None
    kind: str
    attributive: bool = False  # a country form that may modify a noun as it is ("US officials")


class _Table:
    """Surface forms -> values, looked up token by token, longest first.

    A form matches its exact text; a word written in lower case in the form may also be
    capitalised in the text, never the reverse.
    """

    def __init__(self, forms: Mapping[str, object]):
        self._exact = dict(forms)
        self._folded: dict[str, list[tuple[str, object]]] = {}
        widths: dict[str, set[int]] = {}  # folded first token -> token counts of forms
        for form, value in forms.items():
            self._folded.setdefault(_fold(form), []).append((form, value))
            tokens = _TOKEN.findall(form)
            widths.setdefault(_fold(tokens[0]), set()).add(len(tokens))
        self._widest = {first: tuple(sorted(ws, reverse=True)) for first, ws in widths.items()}  # longest first

    def starts(self, values=None) -> tuple[frozenset[str], frozenset[str]]:
        """The first words of the forms (of those whose value `values(value)` accepts, when given), as `_key`
        writes them: all of them, and those a word in lower case can start (a form that starts with a
        capital letter matches only a word written so)."""
        firsts = [(_fold(_TOKEN.findall(form)[0]), form[0].islower()) for form, value in self._exact.items()
                  if values is None or values(value)]
        return frozenset(k for k, _ in firsts), frozenset(k for k, lower in firsts if lower)

    def get(self, key: str):
        if key in self._exact:
            return self._exact[key]
        for form, value in self._folded.get(_fold(key), ()):
            if all(f == k or f.islower() for f, k in zip(form, key)):
                return value
        return None

    def longest(self, norm: str, toks: Sequence[tuple[int, int]], i: int):
        """(end token, value) of the longest form starting at token i, or None."""
        widths = self._widest.get(_key(norm[toks[i][0]:toks[i][1]]), ())
        for width in widths:
            j = i + width
            if j > len(toks):
                continue
            piece = norm[toks[i][0]:toks[j - 1][1]]
            if "\n" in piece:
                continue
            if "\t" in piece or "  " in piece:
                piece = _SPACES.sub(" ", piece)
            value = self.get(piece)
            if value is not None:
                return j, value
        return None


@dataclass(frozen=True)
class _Lexicon:
    names: _Table      # -> _Entry: countries, aliases, demonyms, actors, persons
    surnames: _Table   # -> tuple of person _Entry (every person's surname variants)
    titles: _Table     # -> title kind
    nouns: _Table      # -> (kind, canonical noun)
    countries: Mapping[str, _Country]


def _key(word: str) -> str:
    """A token as the tables index first words: its first letter in lower case."""
    return word[:1].lower() + word[1:]


@lru_cache(maxsize=None)
def _starts() -> tuple[frozenset[str], frozenset[str]]:
    """Every word a reading can start with (as `_key` writes it), and those it can start with written in
    lower case. `_Scan.best` finds nothing at any other token: each of its readings opens with a name
    (`dictionary`, the country or person of `titled`, the country of `grouped`), a title (`titled`) or a
    qualifier noun ("local" officials, `grouped`); a noun of any other kind is read only after one of these."""
    lex = _lexicon()
    tables = (lex.names.starts(), lex.titles.starts(), lex.nouns.starts(lambda v: v[0] == "qualifier"))
    return frozenset().union(*(t[0] for t in tables)), frozenset().union(*(t[1] for t in tables))


@lru_cache(maxsize=1 << 16)    # the tables fold the same few thousand pieces of text again and again
def _fold(s: str) -> str:
    return _WORD_START.sub(lambda m: m.group().lower(), s)


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    countries, actors = load_csv("countries.csv"), load_csv("actors.csv")
    nouns, titles = load_csv("actor_nouns.csv"), load_csv("titles.csv")
    problems = validate_tables(countries, actors, nouns, titles)
    if problems:
        raise VocabularyError("actor vocabularies are invalid:\n  " + "\n  ".join(problems))
    names: dict[str, _Entry] = {}
    table = {r["iso3"]: _country(r) for r in countries}
    for row in countries:
        names.update(_country_forms(row, table[row["iso3"]]))
    surnames: dict[str, tuple[_Entry, ...]] = {}
    for row in actors:
        entry = _Entry("person" if row["kind"] == "person" else "actor",
                       row["name"], row["country"] or None, row["kind"])
        for form in _actor_forms(row):
            names.setdefault(form, entry)
        for form in split_aliases(row["surname"]):
            surnames[form] = surnames.get(form, ()) + (entry,)
    return _Lexicon(
        names=_Table(names),
        surnames=_Table(surnames),
        titles=_Table({r["title"]: r["kind"] for r in titles}),
        nouns=_Table({r["noun"]: (r["kind"], r["canonical"]) for r in nouns}),
        countries=table,
    )


def _country(row: Mapping[str, str]) -> _Country:
    demonyms = split_aliases(row["demonyms"])
    forms = [row["name"], *split_aliases(row["aliases"])]
    adjective = demonyms[0] if demonyms else min(forms, key=len)
    return _Country(row["name"], row["iso2"], adjective, "state" if row["iso2"] else "organisation")


def _country_forms(row: Mapping[str, str], country: _Country) -> dict[str, _Entry]:
    iso3 = row["iso3"]
    forms = {row["name"]: _Entry("country", country.name, iso3, country.kind, True)}
    for alias in split_aliases(row["aliases"]):
        attributive = alias == alias.upper() or country.kind == "organisation"  # "US", "Nato"
        forms[alias] = _Entry("country", country.name, iso3, country.kind, attributive)
    for demonym in split_aliases(row["demonyms"]):
        if _is_plural(demonym):
            forms[demonym] = _Entry("plural", demonym, iso3, "group")
        else:
            forms[demonym] = _Entry("demonym", country.name, iso3, country.kind, True)
    return forms


def _is_plural(demonym: str) -> bool:
    return demonym.endswith("s") and not demonym.endswith("ss")


def _actor_forms(row: Mapping[str, str]) -> list[str]:
    """Every form that names the actor anywhere: name, aliases, built full names, lone surnames."""
    forms = [row["name"], *split_aliases(row["aliases"])]
    variants = split_aliases(row.get("surname", ""))
    if variants and row["name"].endswith(" " + variants[0]):
        given = row["name"][: -len(variants[0])]
        forms += [given + v for v in variants[1:]]
    if row.get("surname_alone") == "yes":
        forms += variants
    return list(dict.fromkeys(forms))


# ---------------------------------------------------------------------------
# Validation


def validate_tables(countries: Sequence[Mapping[str, str]], actors: Sequence[Mapping[str, str]],
                    nouns: Sequence[Mapping[str, str]], titles: Sequence[Mapping[str, str]]) -> list[str]:
    """Problems in the four actor vocabularies (empty list when they are valid)."""
    problems = _check_countries(countries)
    codes = {r["iso3"] for r in countries}
    problems += _check_actors(actors, codes)
    problems += _check_keyed(nouns, "actor_nouns.csv", "noun", NOUN_KINDS, ("canonical",))
    problems += _check_keyed(titles, "titles.csv", "title", TITLE_KINDS, ())
    problems += _check_forms(countries, actors)
    overlap = {r["noun"].casefold() for r in nouns} & {r["title"].casefold() for r in titles}
    problems += [f"'{w}' is both an actor noun and a title" for w in sorted(overlap)]
    return problems


def _check_countries(rows) -> list[str]:
    problems, seen = [], set()
    for r in rows:
        where = f"countries.csv: {r.get('iso3') or '?'}"
        if not r.get("iso3") or not r.get("name"):
            problems.append(f"{where}: empty iso3 or name")
        if r["iso3"] in seen:
            problems.append(f"{where}: duplicate iso3")
        seen.add(r["iso3"])
        real = bool(re.fullmatch(r"[A-Z]{3}", r["iso3"]))
        if real and not re.fullmatch(r"[A-Z]{2}", r["iso2"]):
            problems.append(f"{where}: iso2 must be two capital letters")
        if not real and r["iso2"]:
            problems.append(f"{where}: an organisation (not a 3-letter code) has no iso2")
    iso2 = [r["iso2"] for r in rows if r["iso2"]]
    problems += [f"countries.csv: duplicate iso2 {c}" for c in sorted({c for c in iso2 if iso2.count(c) > 1})]
    return problems


def _check_actors(rows, codes) -> list[str]:
    problems, seen = [], set()
    for r in rows:
        where = f"actors.csv: {r.get('name') or '?'}"
        if not r.get("name") or not r.get("kind"):
            problems.append(f"{where}: empty name or kind")
        if r["name"] in seen:
            problems.append(f"{where}: duplicate name")
        seen.add(r["name"])
        if r["kind"] not in ACTOR_KINDS:
            problems.append(f"{where}: unknown kind '{r['kind']}'")
        if r["country"] and r["country"] not in codes:
            problems.append(f"{where}: unknown country '{r['country']}'")
        problems += _check_surname(r, where)
    return problems


def _check_surname(r, where) -> list[str]:
    surname, alone = r.get("surname", ""), r.get("surname_alone", "")
    if r["kind"] != "person":
        return [f"{where}: only persons have a surname"] if surname or alone else []
    if surname and alone not in ("yes", "no"):
        return [f"{where}: surname_alone must be yes or no"]
    if not surname and alone:
        return [f"{where}: surname_alone without a surname"]
    return []


def _check_keyed(rows, file, key, kinds, required) -> list[str]:
    problems, seen = [], set()
    for r in rows:
        where = f"{file}: {r.get(key) or '?'}"
        if not r.get(key) or not r.get("kind") or any(not r.get(c) for c in required):
            problems.append(f"{where}: empty required cell")
        if r[key].casefold() in seen:
            problems.append(f"{where}: duplicate {key}")
        seen.add(r[key].casefold())
        if r["kind"] not in kinds:
            problems.append(f"{where}: unknown kind '{r['kind']}'")
    return problems


def _check_forms(countries, actors) -> list[str]:
    """No form (name, alias, demonym, matched surname) names two rows, or one row twice."""
    problems: list[str] = []
    owner: dict[str, str] = {}
    listed = [(f"country {r['iso3']}", [r["name"], *split_aliases(r["aliases"]),
                                        *split_aliases(r["demonyms"])]) for r in countries]
    listed += [(f"actor {r['name']}", _listed_actor_forms(r)) for r in actors]
    for who, forms in listed:
        twice = sorted({f for f in forms if forms.count(f) > 1})
        problems += [f"{who}: '{f}' is listed twice" for f in twice]
    built = listed[: len(countries)] + [(f"actor {r['name']}", _actor_forms(r)) for r in actors]
    for who, forms in built:
        for form in dict.fromkeys(forms):
            other = owner.setdefault(form.casefold(), who)
            if other != who:
                problems.append(f"'{form}' names both {other} and {who}")
    problems += _check_surnames(actors, owner)
    return problems


def _listed_actor_forms(r) -> list[str]:
    forms = [r["name"], *split_aliases(r["aliases"])]
    if r.get("surname_alone") == "yes":
        forms += split_aliases(r["surname"])
    return forms


def _check_surnames(actors, owner) -> list[str]:
    problems, users = [], {}
    for r in actors:
        for form in split_aliases(r.get("surname", "")):
            users.setdefault(form.casefold(), []).append(r)
    for form, rows in users.items():
        if len(rows) > 1 and any(r["surname_alone"] == "yes" for r in rows):
            problems.append(f"surname '{form}' is shared, so surname_alone must be no for "
                            + " and ".join(r["name"] for r in rows))
        if all(r["surname_alone"] == "no" for r in rows) and form in owner:
            problems.append(f"surname '{form}' is also a name of {owner[form]}")
    return problems


# ---------------------------------------------------------------------------
# Matching


class _Prefix(NamedTuple):
    end: int            # token after the prefix
    country: str | None
    adjective: str      # how it reads before a noun: "Russian", "EU", "local", "Kremlin"
    possessive: bool = False
    row: _Entry | None = None  # the actors.csv row, when the prefix is one


def _normalised(text: str) -> str:
    """`text.translate(_NORMALISE)`: the table maps only non-ASCII characters, one to one, and a replace
    per character is much faster than translate()."""
    if not text.isascii():
        for char, to in _NORMALISE_PAIRS:
            if char in text:
                text = text.replace(char, to)
    return text


class _Scan:
    """One text being read: its tokens and the readings available at each token."""

    def __init__(self, text: str, lex: _Lexicon):
        self.text = text
        self.norm = _normalised(text)
        self.toks = tuple([m.span() for m in _TOKEN.finditer(self.norm)])
        self.lex = lex
        self._names: dict[int, object] = {}
        self._titles: dict[int, object] = {}

    # -- token helpers
    def word(self, i: int) -> str:
        return self.norm[self.toks[i][0]:self.toks[i][1]] if i < len(self.toks) else ""

    def spaced(self, i: int) -> bool:
        """Token i follows token i-1 after spaces on the same line."""
        gap = self.norm[self.toks[i - 1][1]:self.toks[i][0]] if 0 < i < len(self.toks) else ""
        return bool(gap) and not gap.strip(" \t")

    def touching(self, i: int) -> bool:
        """Token i follows token i-1 with no gap."""
        return 0 < i < len(self.toks) and self.toks[i - 1][1] == self.toks[i][0]

    def is_word(self, i: int) -> bool:
        return i < len(self.toks) and self.word(i)[0].isalnum()

    def capitalised(self, i: int) -> bool:
        return self.is_word(i) and self.word(i)[0].isupper()

    def name_at(self, i: int):
        if i not in self._names:
            self._names[i] = self.lex.names.longest(self.norm, self.toks, i) if i < len(self.toks) else None
        return self._names[i]

    def title_at(self, i: int):
        if i not in self._titles:
            self._titles[i] = self.lex.titles.longest(self.norm, self.toks, i) if i < len(self.toks) else None
        return self._titles[i]

    def possessive_end(self, j: int) -> int:
        """The token after a possessive "'s" (or "'" after an s) that follows token j-1, else j."""
        if self.word(j) != "'" or not self.touching(j):
            return j
        glued = self.is_word(j + 2) and self.touching(j + 2)  # "'s" that starts a longer word
        if self.word(j + 1) == "s" and self.touching(j + 1) and not glued:
            return j + 2
        if self.word(j - 1).endswith("s") and not (self.is_word(j + 1) and self.touching(j + 1)):
            return j + 1
        return j

    def match(self, i: int, j: int, name: str, country: str | None, kind: str,
              adjectival: bool = False) -> ActorMatch:
        start, end = self.toks[i][0], self.toks[j - 1][1]
        return ActorMatch(name, country, kind, start, end, self.text[start:end],
                          self.possessive_end(j) > j, adjectival)

    # -- readings
    def best(self, i: int):
        """(next token, matches) for the longest reading at token i, or None."""
        readings = [r for r in (self.dictionary(i), self.titled(i), self.grouped(i)) if r]
        if not readings:
            return None
        return max(readings, key=lambda r: r[0])  # ties keep the first: dictionary, titled, grouped

    def dictionary(self, i: int):
        hit = self.name_at(i)
        if hit is None:
            return None
        j, e = hit
        if e.role == "country" and self.part_of_longer_name(j):
            return None
        return j, [self.match(i, j, e.name, e.country, e.kind, adjectival=e.role == "demonym")]

    def part_of_longer_name(self, j: int) -> bool:
        """A capitalised word follows that starts no name or title ("Kyiv Independent")."""
        return (self.spaced(j) and self.capitalised(j) and self.name_at(j) is None
                and self.title_at(j) is None)

    def titled(self, i: int):
        """[modifiers] [country] [modifiers] title Name, Country's Known Person, Country's title."""
        prefix = self.title_prefix(self.after_modifiers(i)) or self.title_prefix(i)
        start = prefix.end if prefix else i
        title = self.title(start) if prefix is None or self.spaced(start) else None
        if title is None:
            return self.qualified_person(i, prefix)
        end, kind = title
        named = self.person_after(end, prefix)
        if named is not None:
            j, entry = named
            return j, [self.match(i, j, entry.name, entry.country, "person")]
        if prefix is None or kind not in ("office", "rank"):
            return None
        words = self.norm[self.toks[start][0]:self.toks[end - 1][1]].split()
        label = " ".join(w if w.isupper() else w.lower() for w in words)
        return end, [self.match(i, end, f"{prefix.adjective} {label}", prefix.country, "person")]

    def after_modifiers(self, i: int) -> int:
        """The token after the modifiers ("former", "acting") starting at token i."""
        while (hit := self.title_at(i)) is not None and hit[1] == "modifier" and self.spaced(hit[0]):
            i = hit[0]
        return i

    def title_prefix(self, i: int) -> _Prefix | None:
        hit = self.name_at(i)
        if hit is None or hit[1].role not in ("country", "demonym", "actor", "person"):
            return None
        j, e = hit
        after = self.possessive_end(j)
        if e.role == "person" and after == j:
            return None  # only "Zelensky's chief of staff": the person's own aide, of their country
        if after == j and self.word(j) == "-" and self.touching(j) and self.word(j + 1).islower() \
                and self.is_word(j + 1) and self.touching(j + 1):
            return _Prefix(j + 2, e.country, self.adjective(e))  # "Russian-installed governor"
        return _Prefix(after, e.country, self.adjective(e), after > j)

    def adjective(self, e: _Entry) -> str:
        if e.role == "actor":
            return e.name
        if e.role == "person":
            return f"{e.name}’s"
        return self.lex.countries[e.country].adjective

    def qualified_person(self, i: int, prefix: _Prefix | None):
        """"Ukraine's Volodymyr Zelensky": a possessive country before a known person."""
        if prefix is None or not prefix.possessive or not self.spaced(prefix.end):
            return None
        hit = self.name_at(prefix.end)
        if hit is None or hit[1].role != "person":
            return None
        j, e = hit
        return j, [self.match(i, j, e.name, e.country, "person")]

    def title(self, j: int):
        """(end, kind) of modifiers + a title starting at token j, or None."""
        while True:
            hit = self.title_at(j)
            if hit is None:
                return None
            end, kind = hit
            if kind != "modifier":
                return end, kind
            if self.word(end) == "-" and self.touching(end):
                end += 1  # "then-president"
            elif not self.spaced(end):
                return None
            j = end

    def person_after(self, j: int, prefix: _Prefix | None):
        """(end, person entry) of the name after a title, or None."""
        if self.word(j) == ",":
            j += 1
        if not self.spaced(j):
            return None
        hit = self.name_at(j)
        if hit is not None:
            return hit if hit[1].role == "person" else None
        if not self.capitalised(j):
            return None
        surname = self.lex.surnames.longest(self.norm, self.toks, j)
        if surname is not None:
            return surname[0], self.one_person(surname[1], self.word_span(j, surname[0]), prefix)
        return self.unknown_person(j, prefix)

    def word_span(self, i: int, j: int) -> str:
        return self.norm[self.toks[i][0]:self.toks[j - 1][1]]

    def one_person(self, people: tuple[_Entry, ...], written: str, prefix: _Prefix | None) -> _Entry:
        if prefix is not None and prefix.country:
            people = tuple(p for p in people if p.country == prefix.country) or people
        if len(people) == 1:
            return people[0]
        countries = {p.country for p in people}
        return _Entry("person", written, countries.pop() if len(countries) == 1 else None, "person")

    def unknown_person(self, j: int, prefix: _Prefix | None):
        """(end, entry) of two to four capitalised words that are no other name, or None."""
        words: list[tuple[int, int]] = []
        while j < len(self.toks) and len(words) < _MAX_NAME_WORDS and self.capitalised(j):
            if words and not self.spaced(j) or self.title_at(j) or self.name_at(j):
                break
            end = self.name_word_end(j)
            words.append((j, end))
            j = end
        if len(words) < 2 or self.in_title_case(j):
            return None
        written = self.word_span(words[0][0], words[-1][1])
        known = self.lex.surnames.get(self.word_span(*words[-1]))
        initial = written[0]
        same = tuple(p for p in known or () if p.name[0] == initial)
        if len(same) == 1:
            return words[-1][1], same[0]
        return words[-1][1], _Entry("person", written, prefix.country if prefix else None, "person")

    def in_title_case(self, j: int) -> bool:
        """Token j is on a headline-style line ("Foreign Minister Says Talks Will Continue"),
        where capitalised words after a title need not be a name."""
        at = self.toks[j - 1][0]
        end = self.norm.find("\n", at)
        line = self.norm[self.norm.rfind("\n", 0, at) + 1:end if end >= 0 else None]
        words = _LONG_WORD.findall(line)
        return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)

    def name_word_end(self, j: int) -> int:
        """The end of one name word, with joined parts ("Kosiniak-Kamysz", "O'Brien")."""
        end = j + 1
        while (self.word(end) in ("-", "'") and self.touching(end) and self.capitalised(end + 1)
               and self.touching(end + 1)):
            end += 2
        return end

    def grouped(self, i: int):
        """Country + actor noun ("Russian forces", "Ukraine's military", "local officials"),
        also coordinated ("Polish and Ukrainian prosecutors")."""
        prefix = self.group_prefix(i)
        if prefix is None:
            return None
        prefixes = [(i, prefix)]
        j = prefix.end
        while self.word(j) in (",", "and", "or"):
            k = j + 1 if self.word(j) != "," or self.word(j + 1) not in ("and", "or") else j + 2
            nxt = self.group_prefix(k) if self.spaced(k) else None
            if nxt is None:
                break
            prefixes.append((k, nxt))
            j = nxt.end
        if not self.spaced(j):
            return None
        noun = self.lex.nouns.longest(self.norm, self.toks, j)
        if noun is None or noun[1][0] == "qualifier":
            return None
        end, (kind, canonical) = noun
        last = len(prefixes) - 1
        matches = [self.group_match(s, p.end if n < last else end, p, kind, canonical)
                   for n, (s, p) in enumerate(prefixes)]
        return end, matches

    def group_prefix(self, i: int) -> _Prefix | None:
        hit = self.name_at(i)
        if hit is None:
            qualifier = self.lex.nouns.longest(self.norm, self.toks, i)
            if qualifier is not None and qualifier[1][0] == "qualifier":
                return _Prefix(qualifier[0], None, qualifier[1][1])
            return None
        j, e = hit
        after = self.possessive_end(j)
        if e.role == "demonym" or e.role == "actor" or e.role == "country" and (after > j or e.attributive):
            return _Prefix(after, e.country, self.adjective(e), after > j, e if e.role == "actor" else None)
        return None

    def group_match(self, i: int, j: int, prefix: _Prefix, kind: str, canonical: str) -> ActorMatch:
        name = f"{prefix.adjective} {canonical}"
        row = self.lex.names.get(name) or self.lex.names.get(_SPACES.sub(" ", self.word_span(i, j)))
        if prefix.row is not None and prefix.row.kind in ("group", "military"):
            row = prefix.row  # "Wagner fighters" are the Wagner group
        if row is not None and row.role == "actor":
            return self.match(i, j, row.name, row.country, row.kind)
        return self.match(i, j, name, prefix.country, kind)
