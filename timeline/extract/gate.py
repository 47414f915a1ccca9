"""Cheap pre-checks for lists of regular expressions.

Extraction runs dozens of vocabulary patterns (date phrases, event triggers,
weapons) over every sentence, and most of them cannot match it: "yesterday
(?:morning|evening)" needs the letters "yesterday" somewhere in the sentence.
`required()` reads a pattern's parse tree and finds literal words, at least one
of which every match must contain, and a pattern whose words are all absent
from the (folded) sentence is not run at all. A pattern whose required words
cannot be worked out is always run, so a gate never changes a result, only how
much work finding it takes (a test checks, over every sentence of our pages and
the seeds, that no pattern a gate skips would have matched).

Case: patterns are matched with re.IGNORECASE, so literals and sentences are
compared folded. `fold()` lower-cases the way the `re` engine does, including
the few non-ASCII letters that it treats as case variants of ASCII ones
("İ" and "ı" of i, "ſ" of s, the Kelvin sign of k); literals keep only ASCII.

`Gates` does this for a whole list of patterns at once: one Aho-Corasick pass
(pyahocorasick) finds every required string present in the sentence, and only
the patterns needing one of them (and those with no gate) are run, in order.
"""
from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as sre
from re import _parser as sre_parse
from typing import Generic, Iterable, Sequence, TypeVar

import ahocorasick

MIN_LITERAL = 3      # shorter required strings ("on", "of") are in nearly every sentence: not worth a gate
MIN_DIGITS = 2       # but two digits are rare enough: the "19" or "20" of a year

# characters whose case variant, for the re engine, is an ASCII letter but which str.lower() keeps
# or maps elsewhere ("İ".lower() is two characters); tests check this table against the engine
_ENGINE_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_ENGINE_FOLD_PAIRS = tuple((chr(c), f) for c, f in _ENGINE_FOLDS.items())


def fold(text: str) -> str:
    """`text` lower-cased as the re engine compares letters under IGNORECASE (for gates only)."""
    if not text.isascii():      # (a replace per character mapped is much faster than translate())
        for char, folded in _ENGINE_FOLD_PAIRS:
            if char in text:
                text = text.replace(char, folded)
    return text.lower()


def required(pattern: str | re.Pattern) -> frozenset[str] | None:
    """Folded literal strings, at least one of which every match of `pattern` contains,
    or None when the pattern need not contain any string MIN_LITERAL letters long."""
    found = _sequence(_parse(pattern))
    if not found or not _long_enough(found):
        return None
    return frozenset(found)


def _long_enough(strings: frozenset[str]) -> bool:
    return all(len(s) >= (MIN_DIGITS if s.isdigit() else MIN_LITERAL) for s in strings)


def required_all(pattern: str | re.Pattern) -> tuple[frozenset[str], ...] | None:
    """Every set of folded strings (MIN_LITERAL letters long) each match of `pattern` needs one of:
    "the\\s+(?:end|start)\\s+of\\s+(?:May|June)" needs "the", one of "end" and "start", and one of
    "may" and "june". None when there is none. `required` is the most selective of them."""
    found = tuple(dict.fromkeys(s for s in _all_sets(_parse(pattern)) if s and _long_enough(s)))
    return found or None


def _parse(pattern: str | re.Pattern):
    """The parse tree of a pattern, compiled or not."""
    if isinstance(pattern, re.Pattern):
        return sre_parse.parse(pattern.pattern, pattern.flags)
    return sre_parse.parse(pattern, 0)


def _pieces(items: Iterable):
    """A sequence's elements in order, each run of adjacent literals given as one set of its string;
    zero-width \\b, ^ and $ are skipped (the letters around them stay adjacent)."""
    run: list[str] = []
    for op, av in items:
        if op is sre.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        if op is sre.AT:
            continue
        if run:
            yield frozenset({"".join(run)})
            run.clear()
        yield op, av
    if run:
        yield frozenset({"".join(run)})


def _all_sets(items: Iterable) -> list[frozenset[str]]:
    """The required sets of every element of a sequence, and of the elements of the sequences it
    must contain (groups, repeats at least once); a branch gives the union of its branches' sets."""
    out: list[frozenset[str]] = []
    for piece in _pieces(items):
        if isinstance(piece, frozenset):
            out.append(piece)
            continue
        op, av = piece
        if op is sre.SUBPATTERN:
            out.extend(_all_sets(av[-1]))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            if av[0] >= 1:
                out.extend(_all_sets(av[2]))
        elif op is sre.ATOMIC_GROUP:
            out.extend(_all_sets(av))
        elif op is sre.BRANCH:
            out.append(_element(op, av) or frozenset())
    return out


def _sequence(items: Iterable) -> frozenset[str] | None:
    """The most selective required set of a sequence: a run of literals, or one element's set."""
    options = [p if isinstance(p, frozenset) else _element(*p) for p in _pieces(items)]
    options = [o for o in options if o]
    if not options:
        return None
    return max(options, key=lambda s: (min(map(len, s)), -len(s)))


def _element(op, av) -> frozenset[str] | None:
    if op is sre.SUBPATTERN:
        return _sequence(av[-1])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _high, body = av
        return _sequence(body) if low >= 1 else None
    if op is sre.ATOMIC_GROUP:
        return _sequence(av)
    if op is sre.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            found = _sequence(branch)
            if not found:
                return None
            union |= found
        return frozenset(union)
    return None    # character classes, any character, lookarounds, back-references: no literal


class Gate:
    """The gate of one pattern: `may_match(folded)` is False only when the pattern cannot match the
    text whose `fold()` is `folded` (it needs a string the text lacks). The strings are looked for in
    one Aho-Corasick pass (a substring test each cost more than the patterns they saved)."""

    def __init__(self, pattern: str | re.Pattern | None, needs: Iterable[str] | None = None):
        """The gate of `pattern`, or (pattern None) of a pattern known to need one of `needs`."""
        self.needs = required(pattern) if pattern is not None else (frozenset(needs) if needs else None)
        self._automaton = None
        if self.needs is not None:
            self._automaton = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
            for s in sorted(self.needs):
                self._automaton.add_word(s)
            self._automaton.make_automaton()

    def may_match(self, folded: str) -> bool:
        if self._automaton is None:
            return True
        for _found in self._automaton.iter(folded):
            return True
        return False


T = TypeVar("T")


class Gates(Generic[T]):
    """Rules (anything with a `.pattern`) with their gates: `runnable(text)` yields, in rule order,
    the rules that may match `text`; the others cannot.

    The pass finds the strings of each rule's `required` set (which picks the rules to consider)
    and of its other required sets (`required_all`), which a rule must each find too: a date rule
    that needs "the" is considered in most sentences, and run only where "end" or "start" and a
    month's name are as well.

    A sentence is asked about more than once (a trigger's weapon is looked up twice, the date and
    trigger rules read the same masked text), so the answers for the last few texts are kept."""

    MEMO = 8     # texts remembered: those of one sentence and its clauses

    def __init__(self, rules: Sequence[T]):
        self.rules = tuple(rules)
        self.needs = tuple(required(r.pattern) for r in self.rules)   # per rule; None: always run
        self._always = tuple(i for i, needs in enumerate(self.needs) if needs is None)
        # per rule, the required sets besides `needs` (None: none)
        also = [None if needs is None else tuple(s for s in required_all(r.pattern) or () if s != needs) or None
                for r, needs in zip(self.rules, self.needs)]
        strings = sorted({s for needs in self.needs for s in needs or ()}
                         | {s for sets in also for strings in sets or () for s in strings})
        number = {s: k for k, s in enumerate(strings)}     # the automaton reports a string by its number
        users: list[list[int]] = [[] for _ in strings]    # string number -> rules whose `needs` has it
        for i, needs in enumerate(self.needs):
            for s in needs or ():
                users[number[s]].append(i)
        self._users = tuple(map(tuple, users))
        self._also = tuple(None if sets is None else tuple(frozenset(number[s] for s in ss) for ss in sets)
                           for sets in also)
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for s in strings:
            self._automaton.add_word(s, number[s])
        if strings:
            self._automaton.make_automaton()
        # text -> its runnable rules (callers only read them); lru_cache is safe across threads
        self._remembered = lru_cache(maxsize=self.MEMO)(self._runnable)

    def runnable(self, text: str):
        if self._automaton.kind != ahocorasick.AHOCORASICK:
            return self.rules
        return self._remembered(text)

    def _runnable(self, text: str) -> list[T]:
        present = {k for _end, k in self._automaton.iter(fold(text))}
        wanted = set(self._always)
        wanted.update(*map(self._users.__getitem__, present))
        also = self._also
        return [self.rules[i] for i in sorted(wanted)
                if also[i] is None or all(not present.isdisjoint(strings) for strings in also[i])]
