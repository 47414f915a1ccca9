"""Combine the extractors: one item in, its mentions out.

Extraction is a pure function of one item plus read-only vocabularies, so it
can run in any process, in any order, and give the same result.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import lru_cache

from .. import schema
from ..models import PLACE_FIELDS, Item, Mention
from ..vocab import load_csv, load_lines
from . import actions, actors, dates, figures, places
from .gate import Gate, Gates, Named, fold
from .sentences import Sentence, mask_quotes, split_sentences

# A name that is both a place and an actor (Kyiv, Moscow, Ukraine) is a place after these words;
# "attack on Kyiv" is a place, "pressure on Moscow" is its government.
# (lower-case words only: in "leaders in Brussels urging Washington", Washington is not where)
_UP_TO_THE_NAME = r"\s+(?:the\s+)?(?:(?!which\b|whom\b)(?-i:[a-z0-9])\w*\s+){0,2}$"  # "in the northeastern city of "
LOCATIVE = re.compile(
    r"\b(?:in|at|near|over|across|around|outside|inside|city\s+of|town\s+of|village\s+of|"
    r"visit\s+to|trip\s+to|arrived\s+in|travell?ed\s+to)" + _UP_TO_THE_NAME, re.I)
ATTACK_LOCATIVE = re.compile(
    r"\b(?:on|into|towards?|against|of|targeting|targeted|hit|hitting|struck|striking|attacked|attacking|"
    r"shelled|shelling|pounded|bombarded)" + _UP_TO_THE_NAME, re.I)
# A town named in a violent sentence is where it happened, unless it speaks or owns something.
SPEAKS = re.compile(r"^(?:[’']s\b|\s+(?:has|have|had|is|was|will|would|said|says|claimed|claims|wants|believes)\b)")
SHOOT_DOWN = "Disrupted weapons use"
# "the capital" / "the Ukrainian capital": the capital of the page's country (or the one named).
CAPITAL = re.compile(r"\bthe\s+(?:(Ukrainian|Russian)\s+)?capital\b")
_CAPITALS = {"UA": "in Kyiv", "RU": "in Moscow"}
# Where drones were downed is the place they were downed over, not where "the rest hit targets".
SEVERAL_REGIONS = re.compile(
    r"\b(?:(?:several|multiple|various|a\s+number\s+of|\d+|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?:Russian\s+|border\s+|western\s+|southern\s+)?|(?:over|across)\s+(?:the\s+)?(?:Russian|Ukrainian|border)\s+)"
    r"regions\b", re.I)
OVER = re.compile(r"\bover\s+(?:the\s+)?(?:[\w’'-]+\s+){0,3}$", re.I)


def extract_item(item: Item, country_hint: str = "UA") -> list[Mention]:
    """Every mention in one item, in text order.

    A post is about one story: an attack sentence that names no place of its
    own ("He says the drones were launched from a lorry") happened where the
    post's previous attack did.
    """
    out: list[Mention] = []
    context = None
    for sentence in split_sentences(item.text):
        for mention in extract_clauses(item, sentence, country_hint, context):
            mention = _follow_up(mention, out[-1] if out else None)
            out.append(mention)
            if mention.event_type == "ASSAULT" and mention.location is not None and mention.geo_precision < 3:
                context = mention
    return out


# A sentence that continues the previous one's subject: "He says ...", "The two leaders discussed ...".
PRONOUN_START = re.compile(r"^(?:[“\"]?\s*)?(?:He|She|They|It|The\s+two\s+(?:leaders|sides|men|presidents)"
                           r"|The\s+(?:[A-Z]{2,}\s+|new\s+)?(?:package|measures|sanctions|deal|agreement)"
                           r"|The\s+(?:man|woman|suspect|defendant|accused)(?=\s*,|\s+(?:was|is|has|had|faces|will)\b))\b")
# ... or speaks through a pronoun or a bare title after a quotation: "“Every night like this proves ...,” he said."
PRONOUN_SPEAKER = re.compile(r"[,”\"]\s*(?:he|she|the\s+(?:prime\s+minister|president|chancellor|(?:foreign\s+)?minister"
                             r"|governor|mayor))\s+(?:said|says|added|adds|told|tells|wrote|writes|stated)\b")
# "the two leaders spoke of progress": both sides of the previous event, whatever its type
THE_PAIR = re.compile(r"\b[Tt]he\s+two\s+(?:leaders|presidents|sides|men|ministers)\b")
ACTOR_FIELDS = ("actor", "actor_country")
SIDE_FIELDS = (*ACTOR_FIELDS, "target", "target_country")


# "... downed six of the missiles and 245 of the drones in that attack": the attack the post just reported.
THAT_ATTACK = re.compile(r"\b(?:(?:in|during)\s+(?:that|this|the\s+same)\s+(?:attack|strike|assault|barrage)"
                         r"|of\s+(?:the|those|these)\s+(?:drones|missiles)|of\s+them)\b", re.I)
# "The EU package targets almost 200 tankers": the package the post has just reported
THE_MEASURES = re.compile(r"The\s+(?:[A-Z]{2,}\s+|new\s+)?(?:package|measures|sanctions)\b")
DATE_FIELDS = ("event_date", "date_precision", "date_explicit", "date_window")


def _follow_up(mention: Mention, previous: Mention | None) -> Mention:
    """Carry the subject (and, for the same kind of event, the target) over to a pronoun-led sentence,
    and the date and place of the attack a sentence refers back to ("in that attack") when it gives no date."""
    if previous is None:
        return mention
    if (not mention.date_explicit and mention.event_type == previous.event_type == "ASSAULT"
            and THAT_ATTACK.search(mention.sentence)):
        mention = _taking(mention, previous, (*DATE_FIELDS, *PLACE_FIELDS))
    if (not mention.date_explicit and previous.date_explicit and mention.event_type == previous.event_type
            and THE_MEASURES.match(mention.sentence)):
        mention = _taking(mention, previous, DATE_FIELDS)   # the package just dated
    if _readout_of(mention, previous):
        # "Macron spoke with Putin by phone on July 1. The Elysee said Macron insisted on a ceasefire": what one
        # side asked in the call the post has just reported, of the other side, on the call's day
        if mention.actor_country == previous.actor_country:
            other, other_country = previous.target, previous.target_country
        else:
            other, other_country = previous.actor, previous.actor_country
        return replace(_taking(mention, previous, DATE_FIELDS), target=other, target_country=other_country)
    if mention.actor_country is not None:
        return mention
    if previous.actor_country is not None and previous.target_country is not None and THE_PAIR.search(
            mention.sentence):
        return _taking(mention, previous, SIDE_FIELDS)
    if PRONOUN_START.match(mention.sentence) or PRONOUN_SPEAKER.search(mention.sentence):
        speaker = _speaker_of(previous) if mention.event_type in SPOKEN and previous.event_type not in SPOKEN else None
        if speaker is not None:  # "Von der Leyen says the EU mission was damaged. She accuses Moscow ...": her
            return replace(mention, actor=speaker.name, actor_country=speaker.country)
        fields = {f: getattr(previous, f) for f in ACTOR_FIELDS}
        if mention.target_country is None and previous.event_type == mention.event_type:
            fields.update(target=previous.target, target_country=previous.target_country)
        if mention.location is None and mention.event_type == previous.event_type in AT_HOME:
            home = places.country_place(actors.country_iso2(previous.actor_country or "") or "")
            if home is not None:  # "The man was arrested": by the Polish prosecutors, in Poland
                fields.update(_place_fields(home))
        return replace(mention, **fields)
    return mention


def _readout_of(mention: Mention, previous: Mention) -> bool:
    """`mention` is an undated request, of no one named, by one side of the dated call `previous`."""
    sides = (previous.actor_country, previous.target_country)
    return (mention.event_type == "REQUEST" and previous.event_type == "CONSULT" and mention.target_country is None
            and not mention.date_explicit and previous.date_explicit and None not in sides
            and sides[0] != sides[1] and mention.actor_country in sides)


def _speaker_of(previous: Mention):
    """The person who reported the previous (non-statement) mention, when one did: "he" or "she" next
    refers to them, not to the attacker."""
    found = actors.find_actors(previous.claimed_by) if previous.claimed_by else []
    return found[0] if len(found) == 1 and found[0].kind == "person" and found[0].country else None


# Clause boundaries: "; ", ", and ", ", while ", ", after ", " while ", " and <verb>ed" (a second predicate)
# and " and that the ..." (a second thing said: "said he held a call ... and that the Russian leader told him");
# ", with leaders in Brussels urging Washington to follow suit": what others said of it.
CLAUSE = re.compile(r";\s+|,\s*(?:and|while|whereas|but|after|along\s+with|as\s+well\s+as)\s+|\s+while\s+"
                    r"|,\s+with\s+(?=(?:[\w’'-]+\s+){1,4}(?:urging|calling|demanding|warning|insisting)\b)"
                    r"|\s+and\s+(?=[a-z]+ed\b|(?:says|said|adds|added)\b|that\s+(?:the\s+)?[A-Z])"
                    r"|(?P<ellipsis>\s+and\s+(?=[\w,]+\s+(?:more\s+)?(?:over|above|in)\s+(?:the\s+)?[A-Z]))")
# "61 drones were downed, including 24 over Kursk and 17 over Belgorod": a breakdown of one tally, not two events
BREAKDOWN = re.compile(r"\b(?:including|among\s+them|of\s+which|of\s+them)\b", re.I)


def extract_clauses(item: Item, sentence: Sentence, country_hint: str = "UA",
                    context: Mention | None = None) -> list[Mention]:
    """The sentence's mentions: one, or one per clause when clauses report attacks in different places
    ("four people died in the Khmelnytskyi region, and one person was killed in Mykolaiv")."""
    earlier = (_day_after(item, sentence, country_hint, context) or _compared(item, sentence, country_hint, context)
               or _after_measure(item, sentence, country_hint, context) or _in_which(item, sentence, country_hint,
                                                                                     context)
               or _conceded(item, sentence, country_hint, context))
    if earlier is not None:
        return earlier
    whole = extract_sentence(item, sentence, country_hint, context)
    if whole is None:
        return []
    clauses = _clauses(sentence)
    if len(clauses) < 2:
        return _one_in_each(item, whole)
    # a clause of a violent sentence is read as violent: "Sunday's attack set fire to a depot in X and
    # injured six in Y" (the clause without the figures still reports an attack)
    armed = frozenset(whole.figure_values()) & actions.VIOLENT_FIGURES
    parts = []
    for k, clause in enumerate(clauses):
        if len(parts) + len(clauses) - k < 2:
            break   # "..., and X": the first clause reports nothing, so no two of them can
        part = extract_sentence(item, clause, country_hint, armed=armed)
        if part is not None:
            parts.append(part)
    now = len(parts) > 1 and _then_and_now(parts)  # a past act and today's news: today's keeps its date
    if len(parts) < 2 or not (now or _distinct_events(parts)):
        return _one_in_each(item, whole)
    return [each for m in parts for each in _one_in_each(item, _as_clause(m, whole, sentence, dated=not now))]


def _cue(sentence: Sentence, needle: str, pattern: re.Pattern) -> re.Match | None:
    """The match of `pattern` outside quotations in the sentence, looked for only when the sentence holds
    `needle` (the cheap test nearly every sentence fails)."""
    return pattern.search(mask_quotes(sentence.text)) if needle in sentence.text else None


def _before(sentence: Sentence, m: re.Match) -> Sentence:
    """The part of `sentence` before the match `m` (made on its text), offsets kept."""
    return Sentence(sentence.text[:m.start()], sentence.start, sentence.start + m.start())


def _blank(text: str, start: int, end: int) -> str:
    """`text` with text[start:end] replaced by spaces (offsets kept)."""
    return text[:start] + " " * (end - start) + text[end:]


def _after(sentence: Sentence, m: re.Match) -> Sentence:
    """The part of `sentence` after the match `m`, offsets kept."""
    return Sentence(sentence.text[m.end():], sentence.start + m.end(), sentence.end)


# "..., a day after Russia's largest air attack of the war": the phrase reports an earlier event.
DAY_AFTER = re.compile(r",?\s+(?:(?P<n>a|one|two|three)\s+days?|the\s+day|(?P<some>(?:several\s+|a\s+few\s+)?"
                       r"(?:days|weeks)))\s+after\s+", re.I)
DAYS = {"a": 1, "one": 1, "two": 2, "three": 3}


def _may_say_day_after(text: str) -> bool:
    """False when DAY_AFTER cannot match `text`: every match has "after" and "day" or "week" (the letters
    have no case variants outside ASCII that lower() would miss)."""
    low = text.lower()
    return "after" in low and ("day" in low or "week" in low)


def _day_after(item: Item, sentence: Sentence, country_hint: str, context: Mention | None) -> list[Mention] | None:
    """The mentions of a sentence that reports an event "a day after" an attack (or an exchange a day after
    the last stage of it, a package "days after the 17th was adopted on Tuesday"): the main clause's (when
    it reports one) and the earlier event's, dated that many days before the main clause unless it has a
    date of its own. None when the sentence has no such phrase, or the phrase reports no such event."""
    if not _may_say_day_after(sentence.text):
        return None  # the pattern is slow to fail, and nearly every sentence fails it
    m = DAY_AFTER.search(mask_quotes(sentence.text))
    if m is None:
        return None
    head, tail = _before(sentence, m), _after(sentence, m)
    earlier = extract_sentence(item, tail, country_hint) if tail.text.strip() else None
    if earlier is None or earlier.event_type not in ("ASSAULT", "AGREE", "SANCTION"):
        return None  # "a day after the summit": background to the news, not a report of it
    dated = earlier.date_explicit and earlier.date_window == 0 and earlier.date_precision == "day"
    if m["some"] and not dated:
        return None  # "days after": how many is not said, so the earlier event needs a date of its own
    main = extract_sentence(item, head, country_hint, context)
    if earlier.event_type != "ASSAULT" and (main is None or main.event_type not in (earlier.event_type, "THREATEN")):
        return None  # the last stage of an exchange, the last package: the news follows on from them
    if earlier.actor is None and main is not None and main.actor is not None and earlier.event_type != "ASSAULT":
        # "the bloc is working on an 18th package, days after the 17th was adopted": the same bloc
        earlier = replace(earlier, actor=main.actor, actor_country=main.actor_country,
                          target=earlier.target or main.target,
                          target_country=earlier.target_country or main.target_country)
    if not dated:
        then = main.event_date if main is not None else dates.resolve_date(mask_quotes(head.text), item.anchor).date
        earlier = replace(earlier, event_date=then - timedelta(days=DAYS.get((m["n"] or "a").lower(), 1)),
                          date_precision="day", date_explicit=True, date_window=0)
    whole = dict(sentence=sentence.text)
    return [replace(x, **whole) for x in (main, earlier) if x is not None]


# "summoned the US envoy on July 2 after Washington paused deliveries of some weapons": the measure that
# was answered is its own event
AFTER_MEASURE = re.compile(r"\s+(?P<after>after)\s+(?=(?:the\s+)?[A-Z])")


def _after_measure(item: Item, sentence: Sentence, country_hint: str, context: Mention | None) -> list[Mention] | None:
    """The mentions of a sentence whose event answers a measure named after it ("X summoned Y after
    Washington paused deliveries"): the main clause's and the measure's (a SANCTION), dated as the main
    clause, with a day's slack (the measure came first). None otherwise."""
    m = _cue(sentence, " after ", AFTER_MEASURE)
    if m is None:
        return None
    tail = _after(sentence, m)
    if not (actions.may_report(mask_quotes(tail.text), "SANCTION") or actions.may_report(tail.text, "SANCTION")):
        return None   # no sanction rule matches what follows "after" (masked or not): no measure is named there
    earlier = extract_sentence(item, tail, country_hint)
    if earlier is None or earlier.event_type != "SANCTION" or earlier.actor is None:
        return None
    main = extract_sentence(item, _before(sentence, m), country_hint, context)
    if main is None or main.event_type == "SANCTION":
        return None
    earlier = replace(earlier, char_start=sentence.start + m.start("after"))  # the mention reads "after ..."
    if not earlier.date_explicit:
        earlier = replace(earlier, event_date=main.event_date, date_precision=main.date_precision,
                          date_explicit=False, date_window=max(1, main.date_window))
    return [replace(x, sentence=sentence.text) for x in (main, earlier)]


# "165 combat clashes on Sunday, compared with 162 the day before": the day before's tally is its own event
COMPARED = re.compile(r",?\s+(?P<phrase>(?:compared\s+(?:with|to)|up\s+from|down\s+from)\s+(?P<num>\d[\d,]*)\s+"
                      r"(?:the\s+(?:day|night)\s+before|the\s+previous\s+(?:day|night)|a\s+day\s+earlier))\b", re.I)


def _compared(item: Item, sentence: Sentence, country_hint: str, context: Mention | None) -> list[Mention] | None:
    """The mentions of a sentence that compares a tally with the day before's: the tally's, and the day
    before's, which counts the same thing (the tally's last category) a day earlier. None otherwise."""
    if "compared" not in sentence.text and " from " not in sentence.text:
        return None
    m = COMPARED.search(mask_quotes(sentence.text))
    value = figures.parse_number(m["num"]) if m else None
    if value is None:
        return None
    main = extract_sentence(item, _before(sentence, m), country_hint, context)
    if main is None or not main.figures:
        return None
    last = main.figures[-1]
    start, end = sentence.start + m.start("phrase"), sentence.start + m.end()
    figure = replace(last, value=value, qualifier="exact", text=sentence.text[m.start("num"):m.end()],
                     char_start=sentence.start + m.start("num"), char_end=end)
    earlier = replace(main, mention_id=_mention_id(item, start, end), char_start=start, char_end=end, figures=[figure],
                      event_date=main.event_date - timedelta(days=1), date_precision="day",
                      date_explicit=True, date_window=0)
    return [replace(x, sentence=sentence.text) for x in (main, earlier)]


def _conceded(item: Item, sentence: Sentence, country_hint: str, context: Mention | None) -> list[Mention] | None:
    """The mentions of a sentence that grants a measure or an attack before its news ("even though Europe
    has just adopted its 17th package of sanctions, an 18th package is being prepared"): the news, and
    the act conceded (dated as the news unless it has a date of its own, by the news's actor unless it
    names one; the news takes the act's target when it names none). None when the concession reports no
    act, or the same kind of event as the news."""
    m = _cue(sentence, "though", CONCESSION)
    if m is None:
        return None
    text, act = sentence.text, m["act"]
    if not act.strip():
        return None   # "Russia, though, said ...": an aside, nothing conceded
    start = m.start("act") + len(act) - len(act.lstrip())
    conceded = extract_sentence(item, Sentence(text[start:m.end("act")], sentence.start + start,
                                               sentence.start + m.end("act")), country_hint)
    if conceded is None or conceded.event_type not in ("ASSAULT", "AGREE", "SANCTION"):
        return None
    outer = Sentence(_blank(text, m.start("clause"), m.end("clause")), sentence.start, sentence.end)
    main = extract_sentence(item, outer, country_hint, context)
    if main is None or main.event_type == conceded.event_type:
        return None
    if conceded.actor is None:
        conceded = _taking(conceded, main, ACTOR_FIELDS)
    if not conceded.date_explicit:
        conceded = _taking(conceded, main, DATE_FIELDS)
    if main.target is None:   # the news is about the same matter: the 18th package targets Russia too
        main = _taking(main, conceded, ("target", "target_country"))
    after = sentence.start + len(text) - len(text[m.end("clause"):].lstrip())   # the news is told after it
    main = replace(main, mention_id=_mention_id(item, after, sentence.end), char_start=after)
    return [replace(x, sentence=text) for x in (main, conceded)]


# "Sunday's record attack, in which Russia fired 477 drones and 60 missiles, also claimed the life of a pilot"
IN_WHICH = re.compile(r",\s+(?:in|during)\s+which\s+(?P<rel>[^,;]+),\s+")


def _in_which(item: Item, sentence: Sentence, country_hint: str, context: Mention | None) -> list[Mention] | None:
    """The mentions of a sentence whose relative clause counts the attack ("in which Russia fired 477
    drones") while the main clause counts its dead or injured: two reports, the attack's and the
    casualties', told apart as reports of each are elsewhere. None when the clauses count the same kind
    of thing, or either counts nothing."""
    m = _cue(sentence, "which", IN_WHICH)
    if m is None:
        return None
    text = sentence.text
    head = Sentence(text[:m.end("rel")], sentence.start, sentence.start + m.end("rel"))  # "the attack, in which ..."
    outer = Sentence(_blank(text, m.start(), m.end()), sentence.start, sentence.end)
    attack = extract_sentence(item, head, country_hint, context)
    main = extract_sentence(item, outer, country_hint, context)
    if attack is None or main is None or attack.event_type != "ASSAULT" or main.event_type != "ASSAULT":
        return None
    counts = {f.category for f in attack.figures}, {f.category for f in main.figures}
    if not (counts[0] and counts[0] <= actions.WEAPON_FIGURES and counts[1] and counts[1] <= actions.CASUALTY_FIGURES):
        return None
    start = sentence.start + m.end()  # the main clause reports the casualties in its predicate
    main = replace(main, mention_id=_mention_id(item, start, sentence.end), char_start=start)
    return [replace(x, sentence=text) for x in (attack, main)]


def _distinct_events(parts: list[Mention]) -> bool:
    """Clauses report different events: attacks in different named places, things done on different
    days, or different kinds of statement ("accused Moscow ... and called for sanctions"). A call or
    meeting and what its actor said in it ("spoke with Putin ... and urged him to ...") are one event,
    the call. (A past act and today's news, `_then_and_now`, are told apart by the caller.)"""
    if all(m.date_explicit for m in parts) and len({m.event_date for m in parts}) == len(parts):
        return True  # "The previous night Russia sent 84 drones, and on June 29 it fired 477"
    if all(m.event_type == "ASSAULT" for m in parts):
        named = {m.location for m in parts if m.geo_precision is not None and m.geo_precision < 3}
        if len(named) == len(parts):
            return True
        # "Russia attacked Ukraine ..., while in Russia two bridges collapsed": countries each clause names
        return len({m.country for m in parts if m.geo_precision == 3 and _names_country(m)}) == len(parts)
    statements = [m for m in parts if m.event_type != "ASSAULT"]
    if len(statements) < len(parts) or _readout(parts):
        return False
    # "The EU package targets 200 tankers, while the UK announced 100 new sanctions": two actors' measures
    return len({m.event_type for m in parts}) == len(parts) or (
        all(m.event_type == "SANCTION" and m.actor_country for m in parts)
        and len({m.actor_country for m in parts}) == len(parts))


def _readout(parts: list[Mention]) -> bool:
    """A call or meeting, and what its actor said to the other side in it (no one else's words)."""
    calls = [m for m in parts if m.event_type == "CONSULT"]
    if len(calls) != 1 or calls[0].actor_country is None:
        return False
    call = calls[0]
    return all(m is call or (m.event_type in SPOKEN and m.actor_country in (None, call.actor_country)
                             and not m.date_explicit) for m in parts)


PAST = timedelta(days=7)


def _then_and_now(parts: list[Mention]) -> bool:
    """Non-violent clauses where all but one are dated well before the one left undated: a past act
    and today's news ("was arrested in April 2024 ..., and faces up to eight years in prison")."""
    undated = [m for m in parts if not m.date_explicit]
    if len(undated) != 1 or any(m.event_type == "ASSAULT" for m in parts):
        return False
    now = undated[0].event_date
    return all(m.event_date <= now - PAST for m in parts if m.date_explicit)


def _names_country(m: Mention) -> bool:
    """The mention's country-level place is named in its own sentence (or clause), not inferred."""
    return any(p.place.geo_precision == 3 and p.place.name == m.location
               for p in places.find_places(mask_quotes(m.sentence), m.country or "UA"))


def _as_clause(part: Mention, whole: Mention, sentence: Sentence, dated: bool = True) -> Mention:
    """A clause's mention keeps the whole sentence (offsets stay the clause's) and what the sentence says
    once for all its clauses: the date when the clause gives none, the source, the speaker, the kind of
    attack when the clause reports only figures ("and eight over the Belgorod region"), and the figures
    read in the whole sentence that lie in the clause (an elliptical "and three more in Marhanets" is
    counted only with the clause before it)."""
    fields = dict(sentence=sentence.text, claimed_by=part.claimed_by or whole.claimed_by,
                  figures=[f for f in whole.figures if part.char_start <= f.char_start < part.char_end])
    if part.acled_event_type is None and part.event_type == whole.event_type:
        fields.update({f: getattr(whole, f) for f in ("event_mode", "acled_event_type", "acled_sub_event_type")})
    if dated and not part.date_explicit:
        fields.update(event_date=whole.event_date, date_precision=whole.date_precision,
                      date_explicit=whole.date_explicit, date_window=whole.date_window)
    if part.actor_country is None:
        fields.update(actor=whole.actor, actor_country=whole.actor_country)
    after = LEADING_AFTER.search(sentence.text, 0, part.char_start - sentence.start)
    if after is not None:  # "..., after 390 prisoners were swapped on Friday": the mention reads "after ..."
        fields.update(char_start=sentence.start + after.start())
    return replace(part, **fields)


LEADING_AFTER = re.compile(r"\bafter\s+$")


def _clauses(sentence: Sentence) -> list[Sentence]:
    """The sentence cut at clause boundaries (outside quotations), offsets kept."""
    masked = mask_quotes(sentence.text)
    cuts = [m for m in CLAUSE.finditer(masked)
            if not (m["ellipsis"] and BREAKDOWN.search(masked, 0, m.start()))]  # "and eight over Kursk"
    # a cut's leading blanks may be a masked quotation ("calls the strikes a “terrorist attack” and says"):
    # the quotation stays with its clause
    ends = [m.start() + len(m.group()) - len(m.group().lstrip()) for m in cuts]
    spans = zip([0] + [m.end() for m in cuts], ends + [len(sentence.text)])
    out = []
    for start, end in spans:
        text = sentence.text[start:end].strip(" ,;")
        if text:
            offset = sentence.text.index(text, start)
            out.append(Sentence(text, sentence.start + offset, sentence.start + offset + len(text)))
    return out


def extract_sentence(item: Item, sentence: Sentence, country_hint: str = "UA",
                     context: Mention | None = None, armed: frozenset = frozenset()) -> Mention | None:
    """The mention a sentence reports, or None when it reports no event.

    `context` is the item's latest attack mention with a named place, used
    when this sentence reports an attack without naming where.
    """
    masked = mask_quotes(sentence.text)
    if not LETTERS.search(masked):
        return None  # a sentence that is only a quotation
    figs = figures.find_figures(sentence.text, base=sentence.start)
    trigger = _main_trigger(masked, {f.category for f in figs} | armed)
    if trigger is None and masked != sentence.text and _speaks(masked):
        # (with no quotation, find_statement reads the text find_trigger just found no trigger in:
        # every rule that matched it needs a weapon or captives, which a statement's rules do not)
        trigger = actions.find_statement(sentence.text)
    if trigger is None:
        return None
    if not trigger.text and figs:  # typed by its figures alone: the first figure stands for the verb
        start = figs[0].char_start - sentence.start
        trigger = replace(trigger, start=start, end=start)
    scene = _without_background(masked, trigger)
    all_places = places.find_places(scene, country_hint)
    found_places = [p for p in all_places if not p.in_title]
    found_actors = actors.find_actors(masked)
    violent = trigger.event_type == "ASSAULT"
    place_spans, actor_matches = _roles(masked, found_places, found_actors, violent)
    claimant = _claimant(masked, actor_matches)
    actor, target = _participants(masked, trigger, actor_matches, claimant)
    cats = {f.category for f in figs}
    if cats & actions.FRONT_LINE_FIGURES and claimant is not None and claimant.country in _ENEMY:
        # a front-line tally reported by one side: the other side attacked
        actor, target = _CountryActor(_ENEMY[claimant.country]), _CountryActor(claimant.country)
    if trigger.event_type == "AGREE" and ("prisoners" in cats or actions.CAPTIVES.search(masked)):
        actor, target = _swap_sides(actor, target)
    tallies = sum(f.category.endswith("_downed") for f in figs)
    place = _location(masked, place_spans, trigger, actor, target, claimant, country_hint, cats, tallies)
    if place is None and trigger.event_type in AT_HOME and actor is not None and actor.country:
        home = places.country_place(actors.country_iso2(actor.country) or "")
        place = _Synthetic(home) if home else None  # "Poland scrambled jets", "Polish prosecutors indicted"
    inferred = actor is None and trigger.event_type == "ASSAULT" and place is not None
    if inferred:
        enemy = _ENEMY.get(actors.country_iso3(place.place.country) or "")
        actor = _CountryActor(enemy) if enemy else None  # an unattributed strike in the war zone
    when = _event_date(scene, item, trigger)
    mention = _mention(item, sentence, trigger, figs, place, actor, target, claimant, when)
    if context is not None and (not _national_tally(figs) or THE_TOWN.search(masked)) and (
            isinstance(place, _Synthetic) or (_is_district(place) and context.geo_precision == 1)):
        mention = _inherit_place(mention, context)
        if inferred and isinstance(place, _Synthetic):  # the attacker was guessed from the country it replaced
            mention = _taking(mention, context, SIDE_FIELDS)
    elif isinstance(place, _Synthetic) and violent:
        titled = [p for p in all_places if p.in_title and p.place.geo_precision < 3]
        if titled:  # "..., mayor of Kyiv Vitali Klitschko said": an official reports on their own city
            mention = replace(mention, **_place_fields(titled[0].place))
    if mention.geo_precision == 1 and THE_REGION.search(masked):
        region = _region_of_same_name(mention.location, mention.country, mention.admin1)
        if region is not None:
            mention = replace(mention, **_place_fields(region))
    return mention


LETTERS = re.compile(r"[A-Za-z]{3}")
# "even though Europe has just adopted its 17th package ..., an 18th package is being prepared": a concession
CONCESSION = re.compile(r"(?:^|\bthat\s+|,\s+)(?P<clause>(?:even\s+though|although|though)\b(?P<act>[^,;.]*),)", re.I)


def _main_trigger(masked: str, categories: set[str]):
    """The trigger of the main clause: one in a leading concession ("even though ..., ...") types the
    sentence only when the rest has none."""
    m = CONCESSION.search(masked) if "though" in masked else None
    if m is not None:
        trigger = actions.find_trigger(_blank(masked, m.start("clause"), m.end("clause")), categories)
        if trigger is not None:
            return trigger
    return actions.find_trigger(masked, categories)


def _speaks(text: str) -> bool:
    """`text` has a speech verb ("said", "according to")."""
    attribution = _attribution()
    return attribution.speech_gate.may_match(fold(text)) and attribution.speech.search(text) is not None


# Events a state does on its own soil: where none is named, they happened in the actor's country.
AT_HOME = frozenset({"MOBILIZE", "COERCE"})
# "... occupied Luhansk ... had taken the entire region": the name stands for its region.
THE_REGION = re.compile(r"\bthe\s+(?:entire|whole)\s+region\b|\b(?:of|over)\s+the\s+region(?![’'\w])"
                        r"|\bthe\s+region\s+(?:is|was|(?:has|had)\s+been)\s+(?:now\s+)?(?:entirely|fully|completely|under)\b"
                        r"|\ball\s+of\s+(?-i:[A-Z])", re.I)


def _region_of_same_name(town: str, country: str, admin1: str | None):
    """The region a regional capital names ("Luhansk" -> Luhansk Oblast), or None."""
    found = places.find_places(f"the {town} region", country)
    region = found[0].place if found else None
    return region if region is not None and region.name == admin1 else None


def _is_district(place) -> bool:
    return place is not None and places.is_district(place.place.name)




# "the prisoner exchange agreed at the talks in Istanbul on 16 May": where and when the thing named was
# agreed, not where and when today's news about it happened
AGREED_WORD = re.compile(r"agreed|signed|reached|brokered|adopted", re.I)
AGREED_EARLIER = re.compile(
    r"\b(?:exchange|swap|deal|agreement|ceasefire|truce|package|memorandum|accord)\s+"
    rf"(?P<phrase>(?:{AGREED_WORD.pattern})\s+(?:at|in|on|during|last)\b[^,;:.“”\"]*)", re.I)


# "..., which imposes less of a discount now that global prices have fallen this year": a reason, not the event
NOW_THAT = re.compile(r"\bnow\s+that\b[^,;:.“”\"]*", re.I)


@lru_cache(maxsize=None)
def _background_gates() -> Gates[Named]:
    """The gates of NOW_THAT and AGREED_WORD, in one pass (timeline.extract.gate)."""
    return Gates([Named("now that", NOW_THAT), Named("agreed", AGREED_WORD)])


def _without_background(text: str, trigger) -> str:
    """`text` with the phrases that describe an earlier agreement or give a reason ("now that ...")
    blanked (offsets kept), unless the event's trigger is in one."""
    opened = {g.name for g in _background_gates().runnable(text)}   # (both are slow to fail; most sentences lack their words)
    spans = [m.span() for m in NOW_THAT.finditer(text)] if "now that" in opened else []
    if "agreed" in opened and AGREED_WORD.search(text):
        spans += [m.span("phrase") for m in AGREED_EARLIER.finditer(text)]
    for start, end in spans:
        if not start <= trigger.start < end:
            text = _blank(text, start, end)
    return text


def _event_date(text: str, item: Item, trigger) -> dates.DateMatch:
    found = dates.find_dates(text, item.anchor)
    for d in found:
        if d.role != "event" and WHEN_CLAUSE.match(text[d.end:]):
            return d  # "the deadliest since 31 July, when a strike killed 31": the when-clause's date
    when = dates.choose_date(found, item.anchor)
    if trigger.event_type == "ASSAULT" and when.explicit and _attribution().dated.search(text[:when.start]):
        return replace(when, explicit=False, window=max(when.window, 1))
    if when.explicit and when.date > item.anchor.date() + timedelta(days=1) and PAST_VERB.match(trigger.text):
        # "had accepted an invitation from Trump to meet him in Washington on Monday, 18 August": what is
        # done already did not happen days ahead; the day is the meeting's
        return dates.choose_date([], item.anchor)
    return when


PAST_VERB = re.compile(r"[a-z]+ed\b")


WHEN_CLAUSE = re.compile(r"\s*,\s*when\b")
NATIONAL_TALLY = schema.figure_group("national_tally")
# "About 50 drones and five missiles were fired at the city": a tally aimed at the post's town
THE_TOWN = re.compile(r"\b(?:at|on|in|over|towards?|against)\s+the\s+(?:city|town|village)\b", re.I)
LOCAL_WEAPONS = 10  # "two Iskander missiles" hit one town; "56 attack drones" is a nationwide wave


def _national_tally(figs) -> bool:
    return any(f.category in NATIONAL_TALLY and (f.value >= LOCAL_WEAPONS or f.category in actions.FRONT_LINE_FIGURES)
               for f in figs)


def _inherit_place(mention: Mention, context: Mention) -> Mention:
    return _taking(mention, context, PLACE_FIELDS)


def _taking(mention: Mention, source: Mention, fields) -> Mention:
    """`mention` with the values of `fields` taken from `source`."""
    return replace(mention, **{f: getattr(source, f) for f in fields})


def _place_fields(p) -> dict:
    """A gazetteer Place (or None) as the mention's place columns."""
    if p is None:
        return dict.fromkeys(PLACE_FIELDS)
    return dict(location=p.name, admin1=p.admin1, country=p.country, latitude=p.latitude,
                longitude=p.longitude, geo_precision=p.geo_precision)


def _roles(text, found_places, found_actors, violent: bool):
    """Split names that are both (Kyiv, Russia) into places and actors by their context.

    Only violent events keep a country-level place named in the sentence: the
    country in "sanctions against Russia" is a target, not where it happened.
    """
    # "reporters at the White House", "talks at NATO headquarters": a venue, not a participant
    actor_spans = {(a.start, a.end): a for a in found_actors if not VENUE.search(text[max(0, a.start - 12):a.start])
                   and not _after_its_town(text, a, found_places)}
    kept_places = []
    for p in found_places:
        before = text[max(0, p.start - 40):p.start]
        if not violent and TOPIC.search(before):
            continue  # "said the attack on Sumy showed ...": what a statement is about, not where it was made
        if p.place.geo_precision == 3 and not (violent and _is_locative(text, p, violent)) and not (
                not violent and VENUE_IN.search(before)):
            continue
        overlapping = [a for a in found_actors if a.start < p.end and p.start < a.end]
        if overlapping and (not _is_locative(text, p, violent) or (not violent and PEOPLE_IN.search(before))):
            continue  # ("leaders in Brussels urged Washington": the EU's leaders, not a place)
        kept_places.append(p)
        for a in overlapping:
            actor_spans.pop((a.start, a.end), None)
    return kept_places, sorted(actor_spans.values(), key=lambda a: a.start)


def _after_its_town(text: str, a, found_places) -> bool:
    """The country named after a town of it: "travelled to Aarhus, Denmark, where he met": a place's country,
    not a participant."""
    return a.kind == "state" and any(
        p.end < a.start and p.place.geo_precision < 3 and actors.country_iso3(p.place.country) == a.country
        and text[p.end:a.start] == ", " for p in found_places)


# "the attack on Sumy", "strikes on Kyiv": in a statement, the place spoken of
TOPIC = re.compile(r"\b(?:attacks?|strikes?|assaults?|shelling|bombing|bombardment)\s+(?:on|of|in|against)\s+"
                   r"(?:the\s+)?(?:[\w’'-]+\s+){0,2}$", re.I)
# "a meeting of EU foreign ministers in Luxembourg": where a statement or meeting took place, a country too
VENUE_IN = re.compile(r"\b(?:meeting|summit|talks|conference|visit|trip)\s+(?:[\w’'-]+\s+){0,5}?(?:in|to)\s+$", re.I)
VENUE = re.compile(r"\b(?:at|outside|inside)\s+(?:the\s+)?$", re.I)
# "leaders in Brussels", "officials in Washington": in a statement, the government the capital stands for
PEOPLE_IN = re.compile(r"\b(?:leaders|officials|diplomats|policymakers|lawmakers)\s+in\s+$", re.I)


def _is_locative(text: str, p, violent: bool) -> bool:
    after = text[p.end:p.end + 12].lower()
    if p.place.kind in ("region", "site") or re.match(r"\s*(?:region|oblast|province|district)\b", after):
        return True
    before = text[max(0, p.start - 40):p.start]
    if LOCATIVE.search(before) or (violent and ATTACK_LOCATIVE.search(before)):
        return True
    return violent and p.place.geo_precision < 3 and not SPEAKS.match(text[p.end:p.end + 12])


@dataclass(frozen=True)
class _Attribution:
    """Patterns built from attribution.csv, once."""

    before: re.Pattern     # "according to " right before a source
    after: re.Pattern      # " said" right after a source
    speech: re.Pattern     # any speech verb: a quotation typed by what it says needs a speaker outside it
    speech_gate: Gate      # most sentences with no trigger have no speech verb either
    dated: re.Pattern      # a speech verb right before a date: "said on Monday" is the day of the report


@lru_cache(maxsize=None)
def _attribution() -> _Attribution:
    rows = sorted(load_csv("attribution.csv"), key=lambda r: -len(r["phrase"]))

    def alt(positions, spaces: str = r"\ ") -> str:
        return "|".join(re.escape(r["phrase"]).replace(r"\ ", spaces) for r in rows if r["position"] in positions)

    every = alt(("before", "after"), r"\s+")
    return _Attribution(
        before=re.compile(rf"\b(?:{alt(('before',))})\s+(?:the\s+)?$", re.I),
        after=re.compile(rf"^\s*(?:,\s*)?(?:{alt(('after',))})\b", re.I),
        speech=(speech := re.compile(rf"\b(?:{every})\b", re.I)),
        speech_gate=Gate(speech),
        dated=re.compile(rf"\b(?:{every})(?:\s+\w+)?\s*$", re.I),
    )


def _claimant(text: str, actor_matches):
    attribution = _attribution()
    before, after = attribution.before, attribution.after
    for a in actor_matches:
        if a.adjectival:
            continue
        if before.search(text[max(0, a.start - 20):a.start]) or after.match(text[a.end:a.end + 20]):
            return a
        if (title := APPOSITIVE.match(text, a.end)) and after.match(text[title.end():title.end() + 20]):
            return a  # "Keith Kellogg, the White House envoy for Ukraine, wrote ...": not Ukraine
    # "..., said the governor." / "according to Kyiv officials" (the source ends the clause)
    m = re.search(r"\b(?:said|says|reported|claimed|according\s+to)\s+(?P<who>(?:the\s+)?[\w’'-]+(?:\s+[\w’'-]+){0,5}?)"
                  r"\s*(?:[,.;]|$)", text)
    if m:
        return next((a for a in actor_matches if a.start >= m.start("who") and a.start < m.end("who")), None)
    return None


def _named_participants(text, trigger, actor_matches, claimant):
    """The actor (subject of the trigger, or the agent after 'by') and the target (the first actor after it).

    A shoot-down claim ("the ministry said it destroyed 95 Ukrainian drones")
    reports the attack: its actor is the side whose weapons were downed.
    """
    if trigger.acled_sub_event_type == SHOOT_DOWN:
        return _attacker(actor_matches, claimant), None
    full = [a for a in actor_matches if not a.adjectival]
    joint = _joint_measure(trigger)
    if joint and claimant is not None and (partner := _partner(text, actor_matches, claimant)) is not None \
            and _bloc(partner) != _bloc(claimant):
        # "Britain and the EU said they would also work to lower the price cap": the bloc's measure
        state, claimant = (partner, claimant) if _bloc(claimant) else (claimant, partner)
        full = [a for a in full if a is not state]
    before = [a for a in full if a.end <= trigger.start and a is not claimant]
    if trigger.event_type == "ASSAULT":
        # "the governor of Russia's Irkutsk region says a drone attack ...": the region's country, not the attacker
        before = [a for a in before if not (a.possessive and a.kind == "state" and OWN_REGION.match(text, a.end))]
    after = [a for a in full if a.start >= trigger.end and a is not claimant]
    if trigger.event_type == "CONSULT":
        # "the two leaders also discussed the conflict between Israel and Iran": a topic, not a party to the talk
        after = [a for a in after if not TALK_TOPIC.search(text, max(0, a.start - 60), a.start)]
    agent = next((a for a in after if re.search(r"\bby\s+(?:the\s+)?$", text[max(0, a.start - 8):a.start])), None)
    modifier = _modifier(text, trigger, actor_matches)
    violent = trigger.event_type == "ASSAULT"
    # an attack's weapon owner is named before the verb ("a Russian drone hit"); after it is the target side
    owner = next((a for a in actor_matches if a.adjectival and (a.end <= trigger.start or not violent)), None)
    if not violent and claimant is not None and claimant.end <= trigger.start and trigger.event_type in SPOKEN \
            and SELF_STATE.search(text[claimant.end:trigger.start]):
        # "Starmer said he was horrified by Russia's attack": the speaker's own state, about the target
        about = (a for a in actor_matches if a.start >= trigger.end and not _same_side(a, claimant))
        return claimant, next(about, None)
    if _passive(text, trigger):
        # "The building that houses Ukraine's Cabinet ... was hit": the subject is what was hit;
        # "a Ukrainian pilot was killed repelling the Russian attack": the later demonym attacked
        subject = before[-1] if before else None
        later = next((a for a in actor_matches if a.adjectival and a.start >= trigger.end), None)
        actor = agent or modifier or later or owner
        if subject is None and owner is not None and not _same_side(owner, actor):
            subject = owner
        return actor, (subject if subject is not None and not _same_side(subject, actor) else None)
    if violent and REPELLED.match(trigger.text):
        # "Ukrainian forces repelled 58 Russian assaults": the assaults' side attacked, the subject defended
        attackers = next((a for a in actor_matches if a.adjectival and a.start >= trigger.end), None)
        if attackers is not None:
            defender = before[-1] if before else None
            return attackers, (defender if defender is not None and not _same_side(defender, attackers) else None)
    if violent:  # "a Russian missile slammed into Kryvyi Rih, Mr Zelensky's home city, killing 20": a person
        before = [a for a in before if not (a.possessive and a.kind == "person")]   # whose city, not who struck
    if violent and claimant is not None and claimant.country and OWN_FORCES.search(text[claimant.end:trigger.start]):
        # "Russia's defence ministry said its forces had targeted ...": the claimant's side attacked
        return _CountryActor(claimant.country), next((a for a in after if not _same_side(a, claimant)), None)
    if not violent and claimant is not None and trigger.event_type in SPOKEN and (ASKED.match(text) or (
            trigger.end <= claimant.start and not text[trigger.start:trigger.end].strip())):
        # "Asked whether he was ready to move to new sanctions on Russia, Trump replied that he was": the
        # question's words type the event, which the one who answers performs; "“... the harder we will
        # respond,” said Kaja Kallas, the EU's foreign policy chief": the words (masked here) are the
        # speaker's, and her title is no target
        return claimant, next((a for a in full if a is not claimant and not _same_side(a, claimant)), None)
    if not violent and claimant is not None and claimant.end <= trigger.start and trigger.event_type in SPOKEN:
        # "Starmer says Putin is killing children": the speaker accuses; who they name is the target
        title = APPOSITIVE.match(text, claimant.end)   # "Kellogg, the envoy for Ukraine, wrote": not Ukraine
        named = [a for a in before if a.start >= (title.end() if title else claimant.end)] + after
        return claimant, next((a for a in named if not _same_side(a, claimant)), None)
    if before and claimant is not None and claimant.end <= before[-1].start and SPEAKER_AND.search(
            text[claimant.end:before[-1].start]):
        # "Zelensky said he and Merz are coordinating ...": the speaker acts, with the one they name
        return claimant, before[-1]
    noun_target = None
    if before and trigger.event_type == "SANCTION" and _names_the_noun(text, before[-1], trigger):
        noun_target, before = before[-1], before[:-1]  # "new Russia sanctions": the country is the target
    if not violent and len(before) > 1 and COMMENT_PARTICIPLE.search(text, 0, trigger.start):
        # "Russia has started building a bridge to North Korea, signalling deepening ties": the sentence's subject
        return before[0], next((a for a in before[1:] + after if not _same_side(a, before[0])), None)
    if trigger.event_type == "AID" and not before and agent is None:
        # "Shipments of some US weapons to Ukraine have resumed": the weapons' country gives, "to" receives
        recipient = next((a for a in after if RECIPIENT.search(text, max(0, a.start - 9), a.start)), None)
        donor = next((a for a in after if recipient is not None and a.end <= recipient.start), None)
        if donor is not None and not _same_side(donor, recipient):
            return donor, recipient
    if violent and not before and after and CLAUSE_SUBJECT.search(text[trigger.end:after[0].start]):
        # "the attack, in which Russia fired 477 drones": the subject of the clause attacked
        agent = agent or after.pop(0)
    actor = agent or modifier or (_first_of_pair(text, before, joint) if before else None)
    if actor is None and claimant is not None and claimant.end <= trigger.start and trigger.event_type != "ASSAULT":
        actor = claimant  # "Polish authorities said they have indicted ..." (not: a governor reporting a strike)
    if actor is None and trigger.event_type != "SANCTION":  # "sanctions on Russian oil" name the target
        actor = owner
    if trigger.event_type == "REQUEST":
        # "urged allies to send more Patriots, saying Moscow had no intention of stopping": whom it was asked of
        # is not in the reason given
        reason = SAYING.search(text, trigger.end)
        after = [a for a in after if reason is None or a.start < reason.start()]
    target = next((a for a in after if a is not agent and a is not actor and not _same_side(a, actor)), None)
    if target is None and noun_target is None and len(before) > 1 and actor is before[-2] and not _same_side(
            before[-1], actor):
        target = before[-1]  # "Macron and Putin spoke by phone": the other of the pair (not of "Britain and
        # the EU moved ahead with new Russia sanctions", whose target is Russia)
    if trigger.event_type == "MOBILIZE" and target is not None and not re.search(
            r"\bagainst\s+(?:the\s+)?$", text[max(0, target.start - 12):target.start]):
        target = None  # "scrambled jets as Russia struck": the side named later is not mobilised against
    if target is None and trigger.event_type == "SANCTION":
        target = next((a for a in full if _names_the_noun(text, a, trigger)), None) or (
            owner if owner is not None and not _same_side(owner, actor) else None)
    return actor, target


def _participants(text, trigger, actor_matches, claimant):
    """`_named_participants`, with the target this war implies where the sentence names none."""
    actor, target = _named_participants(text, trigger, actor_matches, claimant)
    if target is not None or actor is None or not actor.country:
        return actor, target
    if _joint_measure(trigger) and actor.country not in SANCTIONED_SIDE:
        # "the bloc is working on an 18th sanctions package": in this war, packages are against Russia
        return actor, _CountryActor("RUS")
    if trigger.event_type == "MOBILIZE" and actor.country in _ENEMY:
        # "Russia was building up forces near the northern border": in this war, against the other side
        return actor, _CountryActor(_ENEMY[actor.country])
    if trigger.event_type == "ACCUSE" and ATTACK_NOUN.search(text):
        # "Zelensky condemned the strike", "Merz described the strike as a war crime": the side condemned
        # for an attack no one names is the enemy (Russia, for everyone but Russia)
        side = _ENEMY.get(actor.country) or (None if actor.country in SANCTIONED_SIDE else "RUS")
        return actor, (_CountryActor(side) if side else None)
    return actor, target


SANCTIONED_SIDE = ("RUS", "BLR")   # the side whose own sanctions have no implied target


# Types of event that a speaker performs by saying something.
SPOKEN = frozenset({"ACCUSE", "THREATEN", "REQUEST", "REJECT", "SUPPORT", "AGREE"})
TALK_TOPIC = re.compile(r"\b(?:war|conflict|situation|fighting|crisis|tensions?|ceasefire)\s+(?:in|between|with|over)\s+"
                        r"(?:the\s+)?(?:[\w’'-]+\s+and\s+(?:the\s+)?)?$", re.I)
ASKED = re.compile(r"^\W*(?:when\s+)?asked\b", re.I)
# ", the White House envoy for Ukraine," between a speaker and their verb
APPOSITIVE = re.compile(r",\s+(?:the\s+|a\s+|an\s+)?[^,;.“”\"]{2,70}?(?=,)")
SPEAKER_AND = re.compile(r"\b(?:he|she)\s+and\s+(?:the\s+)?$", re.I)
REPELLED = re.compile(r"(?:repell?ed|repuls(?:ed|ing)|repelling|fended\s+off|beat\s+back|held\s+off)\b", re.I)
OWN_FORCES = re.compile(r"\b(?:its|their)\s+(?:own\s+)?(?:forces|troops|units|military|air\s+defences|army)\b", re.I)
MAIN_TARGET = re.compile(r"\bwith\s+[^.;]{0,40}?\b(?:the\s+)?main\s+target", re.I)
SAYING = re.compile(r",\s+(?:saying|adding|arguing|warning)\b", re.I)
COMMENT_PARTICIPLE = re.compile(r",\s+(?:signall?ing|marking|underlining|underscoring|showing)\s+$", re.I)
RECIPIENT = re.compile(r"\bto\s+(?:the\s+)?$", re.I)
CLAUSE_SUBJECT = re.compile(r"^[^.;]{0,12}\b(?:in|during)\s+which\s+(?:the\s+)?$", re.I)
OWN_REGION = re.compile(r"[’']s\s+(?:[A-Z][\w’'-]+\s+){1,2}(?:region|oblast|province|republic|krai)\b", re.I)
SELF_STATE = re.compile(r"\b(?:he|she|they|we|I)\s+(?:was|were|is|are|am|had\s+been|has\s+been|felt|feels)\s+"
                        r"(?:\w+ly\s+)?$", re.I)
ATTACK_NOUN = re.compile(r"\b(?:strikes?|attacks?|assaults?|bombings?|shelling|bombardment)\b", re.I)


def _passive(text: str, trigger) -> bool:
    """The trigger is a verb in the passive ("was hit", "were killed", "was shot down"), not an active
    form after an auxiliary ("was killing"), a state ("was not happy with") or an adjective ("he was
    ready to move to sanctions")."""
    words = trigger.text.split()
    if words and words[0].lower() in ("was", "were", "been"):
        words = words[1:]
    elif not PASSIVE.search(text[:trigger.start]):
        return False
    head = next((w.lower() for w in words if not w.lower().endswith("ly")), "")
    return head.endswith(("ed", "en", "wn")) or head in _participles()


@lru_cache(maxsize=None)
def _participles() -> frozenset[str]:
    return frozenset(load_lines("participles.txt"))


PASSIVE = re.compile(r"\b(?:was|were|been|being|is|are|got)\s+(?:\w+ly\s+|also\s+|later\s+)?$", re.I)


def _first_of_pair(text: str, before: list, joint: bool = False):
    """The subject nearest the verb, or the first of a pair ("The EU and Britain tightened sanctions"). In
    a measure a bloc takes with a state, the bloc acts wherever it is named: "Britain and the EU moved
    ahead with new sanctions" and "the EU and Britain announced new sanctions" are filed the same way."""
    if len(before) > 1 and PAIRED.fullmatch(text, before[-2].end, before[-1].start):
        first, second = before[-2], before[-1]
        return second if joint and _bloc(second) and first.country and not _bloc(first) else first
    return before[-1]


def _partner(text: str, actor_matches, a):
    """The actor that `a` is paired with by "and" ("Britain and the EU", "the EU and Britain"), if any."""
    for b in actor_matches:
        if b is a or b.adjectival or not b.country:
            continue
        first, second = (b, a) if b.end <= a.start else (a, b)
        if PAIRED.fullmatch(text, first.end, second.start):
            return b
    return None


PAIRED = re.compile(r"\s+and\s+(?:the\s+)?", re.I)


def _bloc(a) -> bool:
    """An organisation of states that stands in for one (EU, NATO, UN, G7): a country code with no ISO2."""
    return bool(a.country) and actors.country_iso2(a.country) is None


def _joint_measure(trigger) -> bool:
    """Sanctions imposed or announced: a measure two sides named together take as one."""
    return trigger.event_type == "SANCTION" or (
        trigger.event_type == "THREATEN" and SANCTION_NOUN.search(trigger.text) is not None)


SANCTION_NOUN = re.compile(r"sanctions?\b|price\s+cap|tariffs?\b", re.I)


def _names_the_noun(text: str, a, trigger) -> bool:
    """The actor name stands right before the trigger noun ("Russia sanctions", "Russian oil sanctions"),
    not a verb ("Russia imposed sanctions")."""
    if not SANCTION_NOUN.match(trigger.text):
        return False   # "the United States has halted deliveries": a verb, its subject acts
    between = text[a.end:trigger.start].split() if a.end <= trigger.start else None
    return between is not None and (not between or (len(between) == 1 and not between[0].lower().endswith("ed")))


def _modifier(text, trigger, actor_matches):
    """A demonym on the trigger itself: "Russian attacks", "a Russian drone strike"."""
    for a in actor_matches:
        if a.adjectival and a.end <= trigger.start and re.fullmatch(r"[\s\w-]{0,25}", text[a.end:trigger.start]):
            if len(text[a.end:trigger.start].split()) <= 2:
                return a
    return None


def _same_side(a, b) -> bool:
    return b is not None and (a.name == b.name or (a.country is not None and a.country == b.country))


def _attacker(actor_matches, claimant):
    """Whose drones or missiles were downed: a demonym on the weapon, else the claimant's enemy."""
    owner = next((a for a in actor_matches if a.adjectival), None)
    if owner is not None:
        return owner
    enemy = _ENEMY.get(claimant.country if claimant is not None else "")
    return _CountryActor(enemy) if enemy else None


_ENEMY = {"UKR": "RUS", "RUS": "UKR"}


def _swap_sides(actor, target):
    """The two sides of a prisoner exchange: the one named first acts, the other is the target ("Ukraine
    and Russia swapped ..."); where no side is named ("the two sides swapped 307 prisoners each"), the
    exchange of this war, coded from Ukraine's side as the pages report it."""
    if actor is None and target is None:
        return _CountryActor("UKR"), _CountryActor("RUS")
    if target is None and actor is not None and actor.country in _ENEMY:
        return actor, _CountryActor(_ENEMY[actor.country])
    return actor, target


class _CountryActor:
    """A state named by inference (the other side of a claim), as an adjectival match would be."""

    adjectival = True

    def __init__(self, iso3: str):
        self.country = iso3
        self.name = actors.country_name(iso3)

def _location(text, found_places, trigger, actor, target, claimant, country_hint, cats=frozenset(), tallies=0):
    """The most specific place named; for an attack with none, the attacked country.

    Nationwide tallies ("launched 440 drones at Ukraine ..., with Kyiv the main
    target"; "177 combat clashes ... near Pokrovsk") are located in the country.
    """
    national = [p for p in found_places if p.place.geo_precision == 3]
    if national and (cats & {"drones", "missiles"} or MAIN_TARGET.search(text)):
        return national[0]  # "an attack on Ukraine, with the capital, Kyiv, the main target": nationwide
    if trigger.acled_sub_event_type == SHOOT_DOWN and cats & {"drones_downed", "missiles_downed"}:
        named = [p for p in found_places if p.place.geo_precision < 3]
        if tallies == 1 and (len(named) > 1 or SEVERAL_REGIONS.search(text)):
            # one count over "the Bryansk, Kursk and Belgorod regions": the country, not the first region
            iso2 = named[0].place.country if named else (
                actors.country_iso2(claimant.country) if claimant is not None and claimant.country else country_hint)
            place = places.country_place(iso2)
            return _Synthetic(place) if place else None
        found_places = [p for p in found_places if OVER.search(text[max(0, p.start - 40):p.start])]
    if cats & actions.FRONT_LINE_FIGURES:     # a front line's tally: the whole country's
        place = places.country_place(country_hint)
        return _Synthetic(place) if place else None
    if trigger.event_type == "ASSAULT" and (spread := _spread(text, found_places)) is not None:
        return spread
    if found_places:
        # "reached the border of the Donetsk region and were advancing into the Dnipropetrovsk region":
        # a place named only as the edge of another is not where it happened, when another is named
        inside = [p for p in found_places if not BORDER_OF.search(text, max(0, p.start - 30), p.start)]
        # a village the gazetteer lacks has its region's precision, but is the finer of the two
        return min(_consistent(inside or found_places),
                   key=lambda p: (p.place.geo_precision, p.place.kind != "city", p.start))
    if trigger.event_type != "ASSAULT":
        return None
    capital = CAPITAL.search(text)
    if capital:
        iso2 = {"Ukrainian": "UA", "Russian": "RU"}.get(capital.group(1) or "", country_hint)
        found = places.find_places(_CAPITALS.get(iso2, ""), iso2) if iso2 in _CAPITALS else []
        if found:
            return found[0]
    place = places.country_place(_attacked_country(trigger, actor, target, claimant) or country_hint)
    return _Synthetic(place) if place else None


# "in the Murmansk, Irkutsk, Ivanovo and Amur regions", "among them Kyiv, Zhytomyr and Kharkiv": one list
LIST_NAMES = places.LIST_BETWEEN   # ", Olenya, Dyagilevo and ": list members the gazetteer does not know
UNNAMED = re.compile(r"[A-Z][\w'’-]*")
LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:the\s+)?$")
REGIONS_AROUND = (re.compile(r"\bregions\s+of\s+(?:the\s+)?$", re.I), re.compile(r"^\s+(?:regions|oblasts|provinces)\b", re.I))


def _spread(text, found_places):
    """The country, when an attack is reported over a list of places in different regions (three or more,
    or a list of regions: "drones were shot down over the border regions of Bryansk and Kursk"): pinning
    it on the first would misplace the rest. None when there is no such list, or its places lie in
    different countries. (As many things as regions, "two bridges collapsed ... in the regions of Bryansk
    and Kursk", are then one in each: `_one_in_each`.)"""
    best, best_unnamed = _longest_list(text, found_places)
    if len(best) < 2 or not _one_region_each(best) or len({p.place.country for p in best}) > 1:
        return None
    if len(best) + best_unnamed < 3 and not _regions_listed(text, best):
        return None
    place = places.country_place(best[0].place.country)
    return _CountryPlace(place) if place else None


def _one_region_each(run) -> bool:
    """No two places of a list lie in the same region."""
    return len({p.place.admin1 for p in run}) == len(run)


def _longest_list(text, found_places) -> tuple[list, int]:
    """The longest run of places named as one list ("Bryansk and Kursk", "Murmansk, Irkutsk, Ivanovo
    and Amur"), and how many names in it the gazetteer lacks ("Olenya, Dyagilevo")."""
    named = sorted((p for p in found_places if p.place.geo_precision < 3), key=lambda p: p.start)
    run: list = []
    best: list = []
    unnamed = best_unnamed = 0
    for p in named:
        gap = text[run[-1].end:p.start] if run else None
        if gap is not None and (LIST_GAP.match(gap) or LIST_NAMES.fullmatch(gap)):
            run.append(p)
            unnamed += len(UNNAMED.findall(gap))   # a bare separator has no capitalised word
        else:
            run, unnamed = [p], 0
        if len(run) > len(best):
            best, best_unnamed = list(run), unnamed
    return best, best_unnamed


def _regions_listed(text, run) -> bool:
    """The list names regions: "the regions of Bryansk and Kursk", "the Bryansk and Kursk regions"."""
    return (REGIONS_AROUND[0].search(text, 0, run[0].start) is not None
            or REGIONS_AROUND[1].match(text[run[-1].end:]) is not None
            or all(p.place.kind == "region" for p in run))


# "two bridges collapsed onto trains in the border regions of Bryansk and Kursk": as many things as regions
COUNTED_THINGS = re.compile(r"\b(?P<n>two|three|four|five)\s+(?:[a-z-]+\s+)?[a-z]+s\b")


def _one_in_each(item: Item, m: Mention) -> list[Mention]:
    """An attack counting as many things as the regions it lists, with no figures of its own ("two bridges
    collapsed onto trains in the border regions of Bryansk and Kursk"), as one mention in each region,
    in the list's order: one bridge in each, not one event over the country. Else `[m]`."""
    if m.event_type != "ASSAULT" or m.geo_precision != 3 or m.figures or not m.country:
        return [m]
    text = item.text[m.char_start:m.char_end]
    counted = COUNTED_THINGS.search(text)
    if counted is None:
        return [m]
    run, unnamed = _longest_list(text, places.find_places(text, m.country))
    if (unnamed or len(run) != figures.parse_number(counted["n"]) or counted.end() > run[0].start
            or not _one_region_each(run) or not _regions_listed(text, run)):
        return [m]
    out = []
    for k, p in enumerate(run):
        start = m.char_start + (p.start if k else 0)   # "... regions of Bryansk", "Kursk."
        end = m.char_start + p.end if k < len(run) - 1 else m.char_end
        region = places.region_place(p.place.country, p.place.admin1 or p.place.name) or p.place
        out.append(replace(m, mention_id=_mention_id(item, start, end), char_start=start, char_end=end,
                           **_place_fields(region)))
    return out


BORDER_OF = re.compile(r"\b(?:border|borders|edge)\s+(?:of|with)\s+(?:the\s+)?$", re.I)


def _consistent(found_places):
    """Drop towns that lie outside every region the sentence names ("Belaya ... in the Irkutsk region"
    is not the Ukrainian village): the gazetteer picked the wrong namesake."""
    regions = {p.place.name for p in found_places if p.place.geo_precision == 2 and p.place.kind == "region"}
    if not regions:
        return found_places
    kept = [p for p in found_places if p.place.geo_precision != 1 or p.place.admin1 in regions]
    return kept or found_places


def _attacked_country(trigger, actor, target, claimant) -> str | None:
    if trigger.acled_sub_event_type == SHOOT_DOWN and claimant is not None and claimant.country:
        return actors.country_iso2(claimant.country)  # air defences fire over their own country
    if trigger.acled_event_type == "Battles":
        return None  # the front line: the page's country
    if target is not None and target.country:
        return actors.country_iso2(target.country)
    if actor is not None:
        return actors.country_iso2(_ENEMY.get(actor.country or ""))
    return None


class _CountryPlace:
    """A country-level place the sentence names by listing places across it (`_spread`): it stands, and
    is not replaced by the place of the post's previous attack."""

    def __init__(self, place):
        self.place = place


class _Synthetic(_CountryPlace):
    """A country-level place inferred from the actors, not named in the sentence."""


def _actor_fields(a) -> tuple[str | None, str | None]:
    if a is None:
        return None, None
    if a.adjectival:
        return actors.country_name(a.country) if a.country else None, a.country
    return a.name, a.country


def _mention_id(item: Item, start: int, end: int) -> str:
    """A mention's id: its item and its span there (stable across builds)."""
    return "m-" + hashlib.sha1(f"{item.item_id}:{start}:{end}".encode()).hexdigest()[:16]


def _mention(item, sentence, trigger, figs, place, actor, target, claimant, when) -> Mention:
    actor_name, actor_country = _actor_fields(actor)
    target_name, target_country = _actor_fields(target)
    if target_name is None and place is not None and trigger.event_type == "ASSAULT":
        target_country = actors.country_iso3(place.place.country)
        target_name = actors.country_name(target_country) if target_country else None
    if target_country is not None and target_country == actor_country:
        target_name = target_country = None  # an actor does not target its own side
    p = place.place if place is not None else None
    return Mention(
        mention_id=_mention_id(item, sentence.start, sentence.end), item_id=item.item_id, source=item.source,
        url=item.url,
        sentence=sentence.text, char_start=sentence.start, char_end=sentence.end,
        reported=item.anchor, event_date=when.date, date_precision=when.precision,
        date_explicit=when.explicit, date_window=when.window,
        event_type=trigger.event_type, event_mode=trigger.event_mode,
        acled_event_type=trigger.acled_event_type, acled_sub_event_type=trigger.acled_sub_event_type,
        actor=actor_name, actor_country=actor_country, target=target_name, target_country=target_country,
        **_place_fields(p),
        claimed_by=claimant.name if claimant is not None else None,
        figures=figs,
    )

