"""Figures: the numbers a sentence reports, with their category and qualifier.

A number counts only when it counts something in `figure_nouns.csv` (or
follows a casualty verb: "killing two"). Ages ("11-year-old"), ordinals
("17th"), times, durations, percentages and years never match, because they
are either hyphen compounds, suffixed, or not followed by a counted noun.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .. import schema
from ..models import Figure
from ..vocab import load_csv, load_lines
from .dates import MONTH_ABBREVIATIONS, MONTHS
from .gate import Gates, Named

AUX = (r"(?:were|was|have\s+been|has\s+been|had\s+been|are|is|been|be|reportedly|also|later|all|of\s+them|then|"
       r"subsequently|now|(?:known|believed|reported|said|feared|confirmed)\s+to\s+have)")
STOP = {"of", "and", "or", "in", "on", "at", "to", "from", "for", "with", "by", "were", "was", "is", "are",
        "the", "a", "an", "that", "which", "who", "as", "had", "have", "has", "but", "per", "than", "into",
        "when", "after", "while", "before", "since", "because", "if", "during", "amid"}
# "Six people, including a child, were injured"; "A pilot, Lt Col Maksym Ustymenko, was killed":
# "Six people including a child were hurt": an aside between the counted people and their verb.
ASIDE = (r"(?:\s*,\s*(?:including|among\s+them|mostly|(?:identified|named|known)\s+(?:only\s+)?as|(?-i:[A-Z]))[^,.;:]{0,60},"
         r"|\s+(?:including|among\s+them)(?:\s+[\w'’-]+){1,4}?(?=\s+(?:were|was|are|have|had|has)\b))?")
MONEY_SYMBOLS = {"$": "usd", "€": "eur", "£": "gbp"}
MONEY_WORDS = {"dollars": "usd", "euros": "eur", "pounds": "gbp"}
# Jamming and "lost from radar" defeat drones, not missiles: a bare count with these verbs is drones.
# "... and eight over the Belgorod region": a count whose noun and verb are those of the count before it.
PEOPLE = frozenset({"killed", "injured"})   # counts an elliptical "and three more in X" may repeat
SUBSET = re.compile(r"\b(?:including|among\s+them)\b", re.I)
ELLIPSIS_BEFORE = re.compile(r"\band\s+(?:another\s+)?$")
ELLIPSIS_AFTER = re.compile(r"\s+(?:more\s+)?(?:over|above|in)\s+(?:the\s+)?[A-Z]")
ELECTRONIC = re.compile(r"jam|radar|electronic|locationally", re.I)
PRICE = re.compile(r"\bprice\s+cap|\bper\s+barrel|\ba\s+barrel\b", re.I)
CURRENCY = re.compile(r"[$€£]")     # every amount of money (`_Vocab.money`) starts with its sign
SCALES = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "mn": 1_000_000, "million": 1_000_000,
          "bn": 1_000_000_000, "billion": 1_000_000_000}


@dataclass(frozen=True)
class _Vocab:
    number: re.Pattern
    noun: re.Pattern
    nouns: dict          # noun (lowercase) -> row
    singular: re.Pattern
    person_verb_after: re.Pattern
    person_verb_before: re.Pattern
    weapon_verb_before: re.Pattern
    weapon_verb_after: re.Pattern
    verbs: dict          # phrase (lowercase) -> (applies, category)
    qualifier: re.Pattern
    qualifiers: dict
    words: dict          # number word -> (kind, value)
    money: re.Pattern
    toll: re.Pattern
    tolls: dict          # phrase (lowercase) -> category
    kin: re.Pattern      # "his wife", "her son": one relative, counted when a casualty verb goes with them
    # the gates of toll, the number words, singular and kin, in one pass: most sentences name no toll,
    # no person counted as one ("a man") and no number (digits, `DIGIT`, or number words)
    gates: Gates


def _alt(phrases) -> str:
    items = sorted(set(phrases), key=lambda s: (-len(s), s))
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in items)


@lru_cache(maxsize=None)
def vocab() -> _Vocab:
    words = {r["word"].lower(): (r["kind"], r["value"]) for r in load_csv("numbers.csv")}
    units = [w for w, (k, _) in words.items() if k == "unit"]
    tens = [w for w, (k, _) in words.items() if k == "ten"]
    scales = [w for w, (k, _) in words.items() if k == "scale" and w != "dozen"]
    qualifiers = {w: v for w, (k, v) in words.items() if k == "qualifier"}
    word_num = (rf"(?:(?:{_alt(tens)})(?:[-\s](?:{_alt(units)}))?|{_alt(units)}|a\s+dozen|a\s+hundred)"
                rf"(?:\s+(?:{_alt(scales)}))?")
    digit_num = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    scale = r"(?:\s*(?:million|billion|thousand|bn|mn|m|k)\b)?"
    number = re.compile(
        rf"(?<![\w.,$€£-])(?P<num>(?:{digit_num}){scale}|(?i:{word_num}))"
        r"(?![\w-]|\.\d|:\d|,\d|\s*%|\s+per\s*cent|\s+percent)"
    )
    nouns = {r["noun"].lower(): r for r in load_csv("figure_nouns.csv")}
    verbs = {r["phrase"].lower() for r in load_csv("figure_verbs.csv")}
    blocked = sorted(STOP | {v for v in verbs if " " not in v})
    filler = r"(?:(?!(?:%s)\b)[A-Za-z][\w'’-]*\s+)" % "|".join(blocked)
    # "728 Shahed-type and decoy drones": two modifiers joined by "and" before the noun
    modifiers = rf"(?!(?:{_alt(nouns)})\b)[A-Za-z][\w'’-]*\s+and\s+(?!(?:{word_num})\b|\d)"
    noun = re.compile(rf"\s+(?:{modifiers})?(?:{filler}){{0,3}}?(?P<noun>{_alt(nouns)})\b", re.I)
    singular_nouns = [n for n, r in nouns.items() if r["singular"] == "yes"]
    # "a man was killed" is one; so is "The pilot, Lt Col ..., died" when it opens the sentence
    # "a young man and his brother", "the driver and his assistant": two
    mods = rf"(?:(?:{_alt(load_lines('person_modifiers.txt'))}|[\w]+-(?:year|month|week|day)-old|[A-Z][\w-]*)\s+)"
    person = rf"{mods}{{0,2}}(?:{_alt(singular_nouns)})\b"
    kin_nouns = _alt(load_lines('companions.txt'))
    pair = rf"\s+and\s+(?:his|her|their)\s+{mods}?(?:{kin_nouns})\b"
    kin = re.compile(rf"\b(?:[Hh]is|[Hh]er|[Tt]heir)\s+{mods}{{0,2}}(?P<noun>{kin_nouns})\b")
    singular = re.compile(
        rf"(?:\b(?P<num>[Aa]n?)|^(?P<the>The)|\b(?P<the_pair>[Tt]he)(?=\s+{person}{pair}))\s+{mods}{{0,2}}"
        rf"(?P<noun>{_alt(singular_nouns)})\b(?P<pair>{pair})?"
    )
    verbs = {r["phrase"].lower(): (r["applies"], r["category"]) for r in load_csv("figure_verbs.csv")}
    pverbs = _alt(p for p, (a, _) in verbs.items() if a == "person")
    wverbs = _alt(p for p, (a, _) in verbs.items() if a == "weapon")
    quals = _alt(qualifiers)
    tolls = {r["phrase"].lower(): r["category"] for r in load_csv("toll_phrases.csv")}
    change = {pos: "|".join(r["verb"] for r in load_csv("toll_verbs.csv") if r["position"] == pos)
              for pos in ("after", "before")}
    value = rf"(?:(?:{quals})\s+)?(?={digit_num}|{word_num})"
    toll = re.compile(  # "the death toll has risen to 28"; "raising the death toll in Dnipro to 12"
        rf"\b(?P<phrase>{_alt(tolls)})\b[^.;:]{{0,90}}?\b(?:{change['after']})\s+(?:to\s+)?{value}"
        rf"|\b(?:{change['before']})\s+(?:the\s+)?(?P<phrase2>{_alt(tolls)})\b[^.;:]{{0,60}}?\bto\s+{value}",
        re.I)
    return _Vocab(
        number=number, noun=noun, nouns=nouns, singular=singular,
        person_verb_after=re.compile(rf"^{ASIDE}[\s,]*(?:{AUX}\s+){{0,3}}(?P<verb>{pverbs})\b", re.I),
        person_verb_before=re.compile(rf"\b(?P<verb>{pverbs})\s+(?:(?:{quals})\s+)?$", re.I),
        weapon_verb_before=re.compile(
            rf"\b(?P<verb>{wverbs})\s+(?:(?:all|a\s+total\s+of|{quals})\s+)?(?:of\s+them\s+)?$", re.I),
        weapon_verb_after=re.compile(rf"^[\s,]*(?:{AUX}\s+){{0,3}}(?P<verb>{wverbs})\b", re.I),
        verbs=verbs,
        qualifier=re.compile(rf"\b(?P<q>{quals})\s+$", re.I),
        qualifiers=qualifiers, words=words,
        money=re.compile(
            rf"(?<![A-Za-z])(?P<sym>[$€£])\s?(?P<num>{digit_num})(?:\s?(?P<scale>million|billion|bn|mn|m|k)\b)?"
            r"(?!\s+(?:per|a|an|each)\s)(?![\w.])"
        ),
        toll=toll, tolls=tolls, kin=kin,
        gates=Gates([Named("toll", toll), Named("number_words", re.compile(word_num, re.I)),
                     Named("singular", singular), Named("kin", kin)]),
    )


DIGIT = re.compile(r"\d")    # as `\d` in the number pattern: any decimal digit, not only ASCII


def parse_number(text: str) -> int | None:
    """'1,000' -> 1000, '1.5 million' -> 1500000, 'twenty-five' -> 25, 'a dozen' -> 12."""
    words = vocab().words
    tokens = re.split(r"[\s-]+", text.strip().lower().replace(",", ""))
    total, current = 0, 0.0
    for tok in tokens:
        if tok in ("a", "an"):
            current = current or 1
        elif re.fullmatch(r"\d+(?:\.\d+)?", tok):
            current += float(tok)
        elif tok in SCALES and tok not in words:
            current = (current or 1) * SCALES[tok]
        elif tok in words and words[tok][0] in ("unit", "ten"):
            current += int(words[tok][1])
        elif tok in words and words[tok][0] == "scale":
            scale = int(words[tok][1])
            current = (current or 1) * scale
            if scale >= 1000:
                total, current = total + current, 0
        else:
            return None
    value = total + current
    return int(round(value)) if value > 0 else None


def _key(phrase: str) -> str:
    """A vocabulary key: lower case, single spaces ("Combat  Clashes" -> "combat clashes")."""
    return re.sub(r"\s+", " ", phrase.lower())


def _weapon(category: str) -> str | None:
    """The weapon a category counts ("drones_downed" -> "drones"), or None."""
    head = category.split("_")[0]
    return head if head in schema.downed_weapons() else None


def find_figures(text: str, base: int = 0) -> list[Figure]:
    """Every figure in `text`; offsets are shifted by `base` (the sentence's start in its item)."""
    v = vocab()
    figures: list[Figure] = []
    used: list[tuple[int, int]] = []
    # the patterns whose words the text has (one Aho-Corasick pass for the four of them)
    opened = {gated.name for gated in v.gates.runnable(text)}
    has_digit = DIGIT.search(text) is not None
    has_sign = CURRENCY.search(text) is not None
    if not (opened or has_digit or has_sign):
        return figures      # no number, sign, toll or counted person: most sentences
    # money needs a sign; "a price cap of $45": a price, not an amount
    for m in (v.money.finditer(text) if has_sign and not PRICE.search(text) else ()):
        fig = _money(m, base)
        if fig:
            figures.append(fig)
            used.append((m.start(), m.end()))
    tolls = {m.end(): v.tolls[_key(m.group("phrase") or m.group("phrase2"))]
             for m in (v.toll.finditer(text) if "toll" in opened else ())}
    last_weapon, last = "drones", None
    numbers = has_digit or "number_words" in opened
    for m in v.number.finditer(text) if numbers else ():
        if any(s <= m.start("num") < e for s, e in used) or _blocked(text, m.start("num")):
            continue
        if m.start("num") in tolls:
            value = parse_number(m.group("num"))
            if value is not None:
                figures.append(_make(text, m.start(), m.end(), base, tolls[m.start("num")], value, "people", m.start()))
                used.append((m.start(), m.end()))
            continue
        found = _figure_at(text, m, base, last_weapon, last)
        for fig, span in found:
            figures.append(fig)
            used.append(span)
            last = fig.category
            if _weapon(fig.category):
                last_weapon = fig.category
    for m in v.singular.finditer(text) if "singular" in opened else ():
        if not any(s <= m.start() < e for s, e in used) and not _blocked(text, m.start()):
            fig = _person(text, m, base, value=2 if m["pair"] else 1)
            if fig:
                figures.append(fig)
                used.append((m.start(), m.end()))
    # "killing a 58-year-old man and injuring his wife": a relative named on their own is one person
    for m in v.kin.finditer(text) if "kin" in opened else ():
        if not any(s <= m.start() < e for s, e in used):
            fig = _person(text, m, base, value=1)
            if fig:
                figures.append(fig)
    if not figures:
        return figures
    figures.sort(key=lambda f: (f.char_start, f.category))
    figures = _share_downed(text, base, figures)
    # "12 of the drones were heading for Moscow": a part of a count made elsewhere, not a launch count
    figures = [f for f in figures if f.category not in LAUNCHED or not PART_OF.match(text, f.char_start - base)]
    if any(f.category == "prisoners" for f in figures):  # "390 people from each side, 270 soldiers and 120
        figures = [f for f in figures if f.category != "troops"]  # civilians": the swapped, broken down
    return _sum_lists(text, base, figures)


def _sum_lists(text: str, base: int, figures: list[Figure]) -> list[Figure]:
    """'seven Kh-101 cruise missiles and six Kinzhal ballistic missiles': one count of 13 missiles."""
    out: list[Figure] = []
    for fig in figures:
        prev = out[-1] if out else None
        if prev is not None and prev.category == fig.category and _joined(text, base, prev, fig):
            out[-1] = replace(prev, value=prev.value + fig.value, unit=fig.unit, char_end=fig.char_end,
                              text=text[prev.char_start - base:fig.char_end - base])
        else:
            out.append(fig)
    return out


def _share_downed(text: str, base: int, figures: list[Figure]) -> list[Figure]:
    """'shot down 266 of the drones and 45 of the missiles': the verb governs both counts."""
    out = list(figures)
    for i in range(1, len(out)):  # forwards: "shot down 266 of the drones and 45 of the missiles"
        if _joined(text, base, out[i - 1], out[i]) and out[i - 1].category.endswith("_downed"):
            out[i] = _as_downed(out[i])
    for i in range(len(out) - 1, 0, -1):  # backwards: "277 drones and 19 missiles were shot down"
        if _joined(text, base, out[i - 1], out[i]) and out[i].category.endswith("_downed") \
                and vocab().weapon_verb_after.match(text[out[i].char_end - base:]):
            out[i - 1] = _as_downed(out[i - 1])
    return out


def _joined(text: str, base: int, a: Figure, b: Figure) -> bool:
    """Two weapon counts joined by 'and' (so one verb governs both)."""
    return (_weapon(a.category) is not None and _weapon(b.category) is not None
            and bool(re.fullmatch(r"\s*,?\s*(?:and|as\s+well\s+as|plus)\s+(?:all\s+)?",
                                  text[a.char_end - base:b.char_start - base])))


def _as_downed(fig: Figure) -> Figure:
    return fig if fig.category.endswith("_downed") else replace(fig, category=fig.category + "_downed")


MONTH_BEFORE = re.compile(r"\b(?:%s)\.?\s+$" % "|".join(MONTHS + MONTH_ABBREVIATIONS))   # case-sensitive: "May 3"


def _blocked(text: str, start: int) -> bool:
    """Numbers that restate part of another count, are labels, or are the day of a date ("on July 1,
    killing three"), not counts."""
    if MONTH_BEFORE.search(text, max(0, start - 12), start):
        return True
    before = text[max(0, start - 30):start].lower()
    return bool(re.search(r"(?:including|among\s+them|among\s+whom|of\s+whom|day|no\.|aged|number|who\s+(?:was|is))\s+"
                          r"(?:at\s+least\s+|some\s+|about\s+)?$", before))


def _qualifier(text: str, start: int) -> tuple[str, int]:
    """The qualifier right before a number ("at least") and where the phrase starts."""
    window = text[max(0, start - 25):start]
    m = vocab().qualifier.search(window)
    if not m or _verb_ends_at(text, start):  # "handed over 84 soldiers": a verb's particle, not "more than"
        return "exact", start
    return vocab().qualifiers[_key(m.group("q"))], start - len(window) + m.start()


def _verb_ends_at(text: str, start: int) -> bool:
    """A person or weapon verb that ends in a qualifier's word ("hand over", "shot down") ends right before
    the number at `start`."""
    v = vocab()
    before = text[max(0, start - 40):start]
    hit = v.person_verb_before.search(before) or v.weapon_verb_before.search(before)
    return hit is not None and hit.end("verb") == len(before.rstrip())


OF_WHICH = re.compile(r"\s+of\s+(?:which|them)\b", re.I)
EACH_SIDE = re.compile(r"\s+from\s+each\s+side\b", re.I)
LAUNCHED = schema.figure_group("launched")
PART_OF = re.compile(r"[\w,.]+\s+of\s+(?:the|those|these|them)\b", re.I)


def _figure_at(text: str, m: re.Match, base: int, last_weapon: str,
               last: str | None = None) -> list[tuple[Figure, tuple[int, int]]]:
    v = vocab()
    value = parse_number(m.group("num"))
    if value is None:
        return []
    dist = re.match(r"\s+(?:out\s+)?of\s+(?:the\s+)?(?P<total>[\d,]+|\w+)", text[m.end():])
    n = v.noun.match(text, m.end())
    if dist and not n:
        rel = OF_WHICH.match(text, m.end())
        wafter = v.weapon_verb_after.match(text[rel.end():rel.end() + 50]) if rel else None
        if wafter:  # "52 drones overnight, 29 of which were shot down": a part of the last weapon count, downed
            weapon = "drones" if ELECTRONIC.search(wafter.group("verb")) else _weapon(last_weapon)
            return [(_make(text, m.start(), rel.end(), base, weapon + "_downed", value, weapon, m.start()),
                     (m.start(), rel.end()))]
        share = re.match(r"\s+of\s+(?:the|them|those|these)\b", text[m.end():])
        n_after = v.noun.match(text, m.end() + share.end()) if share else None
        if n_after and not re.match(r"\s*[\d,]", text[m.end() + share.end():]):
            fig = _counted(text, m, n_after, base, value)
            return [(fig, (m.start(), n_after.end()))] if fig else []
        return _distribution(text, m, dist, base, value)
    if n:
        fig = _counted(text, m, n, base, value)
        return [(fig, (m.start(), n.end()))] if fig else []
    fig = _bare(text, m, base, value, last_weapon, last)
    return [(fig, (m.start(), m.end()))] if fig else []


def _make(text, start, end, base, category, value, unit, qual_from) -> Figure:
    qualifier, qstart = _qualifier(text, qual_from)
    return Figure(category, value, qualifier, unit, text[qstart:end], base + qstart, base + end)


def _counted(text, m, n, base, value) -> Figure | None:
    v = vocab()
    row = v.nouns[_key(n.group("noun"))]
    unit = n.group("noun")
    kind = row["kind"]
    if kind == "direct":
        return _make(text, m.start(), n.end(), base, row["category"], value, unit, m.start())
    if kind == "years":
        near = text[max(0, m.start() - 40):n.end() + 30].lower()
        if re.search(r"prison|jail|sentence|penal colony", near):
            return _make(text, m.start(), n.end(), base, "prison_years", value, unit, m.start())
        return None
    if kind == "weapon":
        downed = _weapon_downed(text, m.start(), n.end())
        category = (row["category"] + "_downed") if downed else row["category"]
        return _make(text, m.start(), n.end(), base, category, value, unit, m.start())
    category = _person_category(text, m.start(), n.end())
    if category is None and EACH_SIDE.match(text, n.end()):
        category = "prisoners"  # "390 people from each side ... returned home": the two sides swapped them
    if category is None and unit.lower() in ("soldiers", "servicemen"):
        category = "troops"
    if category is None:
        return None
    return _make(text, m.start(), n.end(), base, category, value, unit, m.start())


def _person(text, m, base, value) -> Figure | None:
    category = _person_category(text, m.start(), m.end())
    if category is None:
        return None
    return _make(text, m.start(), m.end(), base, category, value, m.group("noun"), m.start())


def _person_category(text: str, start: int, end: int) -> str | None:
    v = vocab()
    after = v.person_verb_after.match(text[end:end + 60])
    qual_start = _qualifier(text, start)[1]
    before = v.person_verb_before.search(text[max(0, qual_start - 40):qual_start])
    hit = after or before
    if not hit:
        return None
    return v.verbs[_key(hit.group("verb"))][1]


def _weapon_downed(text: str, start: int, end: int) -> bool:
    v = vocab()
    qual_start = _qualifier(text, start)[1]
    return bool(v.weapon_verb_before.search(text[max(0, qual_start - 40):qual_start])
                or v.weapon_verb_after.match(text[end:end + 50]))


def _bare(text, m, base, value, last_weapon, last=None) -> Figure | None:
    """A number with no counted noun: 'killing two', '70 were shot down',
    '11 drones over the Kursk region and eight over the Belgorod region', 'injuring two, and three
    more in Marhanets' (the count before it gives the category)."""
    v = vocab()
    if ELLIPSIS_BEFORE.search(text[max(0, m.start() - 8):m.start()]) and ELLIPSIS_AFTER.match(text[m.end():]):
        if SUBSET.search(text, 0, m.start()):
            return None  # "61 were downed, including 24 over Kursk and 17 over Belgorod": part of the 61
        category = last if last in PEOPLE else last_weapon
        return _make(text, m.start(), m.end(), base, category, value, _weapon(category) or "people", m.start())
    wafter = v.weapon_verb_after.match(text[m.end():m.end() + 50])
    if wafter:
        weapon = "drones" if ELECTRONIC.search(wafter.group("verb")) else _weapon(last_weapon)
        return _make(text, m.start(), m.end(), base, weapon + "_downed", value, weapon, m.start())
    category = _person_category(text, m.start(), m.end())
    if category is None:
        return None
    return _make(text, m.start(), m.end(), base, category, value, "people", m.start())


def _distribution(text, m, dist, base, value) -> list[tuple[Figure, tuple[int, int]]]:
    """'shot down 112 of the 183 drones', 'eight out of 10 drones were downed'."""
    v = vocab()
    total = parse_number(dist.group("total"))
    n = v.noun.match(text, m.end() + dist.end())
    if total is None or n is None or total < value:
        return []
    row = v.nouns[_key(n.group("noun"))]
    if row["kind"] != "weapon":
        return []
    cat = row["category"]
    end = n.end()
    unit = n.group("noun")
    downed = _make(text, m.start(), end, base, cat + "_downed", value, unit, m.start())
    tstart = m.end() + dist.start("total")
    launched = Figure(cat, total, "exact", unit, text[tstart:end], base + tstart, base + end)
    return [(downed, (m.start(), end)), (launched, (tstart, end))]


def _money(m: re.Match, base: int) -> Figure | None:
    value = parse_number(m.group("num").replace(",", ""))
    if value is None:
        return None
    scale = (m.group("scale") or "").lower()
    if scale:
        value = int(round(float(m.group("num").replace(",", "")) * SCALES[scale]))
    currency = MONEY_SYMBOLS[m.group("sym")]
    return Figure(currency, value, "exact", currency.upper(), m.group(0), base + m.start(), base + m.end())
