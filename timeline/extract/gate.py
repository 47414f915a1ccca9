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

Word starts: where the pattern itself puts a word boundary before a literal
("\\baid", "(?<![\\w-])today", "military\\s+aid"), the literal must start a word
in the sentence too: the aid rule needs "aid" at a word start, so the "aid" of
"said" does not open its gate (`required_at`). re's parser writes
"(?:will|would)" as "w" and a branch of "ill" and "ould"; the gate joins them
back ("will", "would") rather than waiting for an "ill", which "killed" has.

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
from typing import Generic, Iterable, NamedTuple, Sequence, TypeVar

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
    found = required_at(pattern)
    return None if found is None else frozenset(s for s, _ in found)


def required_at(pattern: str | re.Pattern, ascii: bool = False) -> frozenset[tuple[str, bool]] | None:
    """`required`, each string with whether the pattern needs it at a word start: (string, True)
    when every match has it right after a character that is no word character (\\w), or at the start
    of the text, because the pattern says so right before it: "\\baid" (the letter after \\b starts a
    word), "(?<![\\w-])today", "military\\s+aid" (after a space). A gate then skips the "aid" of "said".
    `ascii`: the pattern was compiled with re.ASCII (its \\b and \\w then know only ASCII letters)."""
    tree = _parse(pattern)
    found = _sequence(tree, _START, _ascii(pattern, tree, ascii))
    if not found or not _long_enough(found):
        return None
    return found


def _long_enough(strings: frozenset) -> bool:
    return all(len(s) >= (MIN_DIGITS if s.isdigit() else MIN_LITERAL) for s in _strings(strings))


def _strings(needs) -> list[str]:
    """The strings of a set of (string, at a word start)."""
    return [s for s, _ in needs]


def required_all(pattern: str | re.Pattern) -> tuple[frozenset[str], ...] | None:
    """Every set of folded strings (MIN_LITERAL letters long) each match of `pattern` needs one of:
    "the\\s+(?:end|start)\\s+of\\s+(?:May|June)" needs "the", one of "end" and "start", and one of
    "may" and "june". None when there is none. `required` is the most selective of them."""
    found = required_all_at(pattern)
    return None if found is None else tuple(dict.fromkeys(frozenset(s for s, _ in needs) for needs in found))


def required_all_at(pattern: str | re.Pattern, ascii: bool = False) -> tuple[frozenset[tuple[str, bool]], ...] | None:
    """`required_all`, each string with whether it is needed at a word start (as `required_at`)."""
    tree = _parse(pattern)
    sets = _all_sets(tree, _START, _ascii(pattern, tree, ascii))
    found = tuple(dict.fromkeys(s for s in sets if s and _long_enough(s)))
    return found or None


def _parse(pattern: str | re.Pattern):
    """The parse tree of a pattern, compiled or not."""
    if isinstance(pattern, re.Pattern):
        return sre_parse.parse(pattern.pattern, pattern.flags)
    return sre_parse.parse(pattern, 0)


_ASCII_FLAGS = sre.SRE_FLAG_ASCII | sre.SRE_FLAG_LOCALE    # \b and \w then know only ASCII letters


def _ascii(pattern, tree, ascii: bool) -> bool:
    flags = tree.state.flags | (pattern.flags if isinstance(pattern, re.Pattern) else 0)
    return ascii or bool(flags & _ASCII_FLAGS)


def _group_ascii(av, ascii: bool) -> bool:
    """Whether a group (a SUBPATTERN's `av`) reads ASCII only: so outside it, or by its own flags."""
    return ascii or bool(av[1] & _ASCII_FLAGS)


# What the pattern guarantees about the character before the current position, as the parse tree is
# walked: nothing; that it is no word character when the next one is (after \b); that it is no word
# character (or there is none: the start of the text), whatever comes next.
_NOTHING, _IF_WORD, _EDGE = 0, 1, 2
_START = _NOTHING         # a pattern may start matching anywhere
_NO_WORD_CLASSES = frozenset({sre.CATEGORY_SPACE, sre.CATEGORY_NOT_WORD})
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def _is_word(char: str) -> bool:
    """`char` is a word character as the re engine's \\w reads text (str patterns, not ASCII)."""
    return char.isalnum() or char == "_"


def _edge_after(op, av, edge: int, ascii: bool) -> int:
    """What is known about the character before the position after element (op, av), which starts
    where `edge` holds (literal runs are handled by `_pieces`)."""
    if op is sre.AT:
        if av in (sre.AT_BEGINNING, sre.AT_BEGINNING_STRING):
            return _EDGE
        if av is sre.AT_BOUNDARY and not ascii:
            return max(edge, _IF_WORD)
        return edge                      # zero width: the character before stays the same
    if op is sre.ASSERT_NOT and av[0] < 0 and not ascii and len(av[1]) == 1 and av[1][0][0] is sre.IN \
            and (sre.CATEGORY, sre.CATEGORY_WORD) in av[1][0][1] \
            and not any(o is sre.NEGATE for o, _ in av[1][0][1]):
        return _EDGE                     # (?<![\w-]): the character before is no word character
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return edge
    if op is sre.LITERAL:
        return _EDGE if av < 128 and not _is_word(chr(av)) else _NOTHING
    if op is sre.IN:
        return _EDGE if not ascii and all(_no_word(o, a) for o, a in av) else _NOTHING
    if op in _REPEATS:
        low, _high, body = av
        after = _ends(body, _NOTHING, ascii)     # after any iteration (whatever came before it)
        return after if low >= 1 else min(edge, after)
    if op is sre.SUBPATTERN:
        return _ends(av[-1], edge, _group_ascii(av, ascii))
    if op is sre.ATOMIC_GROUP:
        return _ends(av, edge, ascii)
    if op is sre.BRANCH:
        return min(_ends(branch, edge, ascii) for branch in av[1])
    return _NOTHING


def _no_word(op, av) -> bool:
    """A member of a character class that matches no word character."""
    if op is sre.LITERAL:
        return av < 128 and not _is_word(chr(av))
    return op is sre.CATEGORY and av in _NO_WORD_CLASSES


def _ends(items, edge: int, ascii: bool) -> int:
    """What is known about the character before the end of a match of the sequence `items`."""
    for piece, edge in _pieces(items, edge, ascii, _with_end=True):
        pass
    return edge


def _pieces(items: Iterable, edge: int, ascii: bool, _with_end: bool = False):
    """A sequence's elements in order, each run of adjacent literals given as one set of its string
    (with whether it starts a word, see `required_at`), each with what holds at its start; zero-width
    \\b, ^ and $ are skipped (the letters around them stay adjacent). With _with_end, the last
    element is followed by (None, what holds at the end)."""
    run: list[str] = []
    starts_word = False
    for op, av in items:
        if op is sre.LITERAL and av < 128:
            char = chr(av)
            if not run:
                starts_word = edge == _EDGE or (edge == _IF_WORD and _is_word(char))
            run.append(char.lower())
            edge = _NOTHING if _is_word(char) else _EDGE
            continue
        if op is sre.AT:
            edge = _edge_after(op, av, edge, ascii)
            continue
        if run:
            yield frozenset({("".join(run), starts_word)}), None
            run.clear()
        yield (op, av), edge
        edge = _edge_after(op, av, edge, ascii)
    if run:
        yield frozenset({("".join(run), starts_word)}), None
    if _with_end:
        yield None, edge


def _all_sets(items: Iterable, edge: int, ascii: bool) -> list[frozenset[tuple[str, bool]]]:
    """The required sets of every element of a sequence, and of the elements of the sequences it
    must contain (groups, repeats at least once); a branch gives the union of its branches' sets."""
    out: list[frozenset[tuple[str, bool]]] = []
    before = None
    for piece, at in _pieces(items, edge, ascii):
        if isinstance(piece, frozenset):
            out.append(piece)
            before = piece
            continue
        op, av = piece
        if (joined := _joined(before, op, av, ascii)) is not None:
            out.append(joined)
        before = None
        if op is sre.SUBPATTERN:
            out.extend(_all_sets(av[-1], at, _group_ascii(av, ascii)))
        elif op in _REPEATS:
            if av[0] >= 1:
                out.extend(_all_sets(av[2], at, ascii))   # the first iteration starts where `at` holds
        elif op is sre.ATOMIC_GROUP:
            out.extend(_all_sets(av, at, ascii))
        elif op is sre.BRANCH:
            out.append(_element(op, av, at, ascii) or frozenset())
    return out


def _sequence(items: Iterable, edge: int, ascii: bool) -> frozenset[tuple[str, bool]] | None:
    """The most selective required set of a sequence: a run of literals, or one element's set."""
    options, before = [], None
    for piece, at in _pieces(items, edge, ascii):
        if isinstance(piece, frozenset):
            options.append(piece)
            before = piece
            continue
        options.append(_element(*piece, at, ascii))
        options.append(_joined(before, *piece, ascii))
        before = None
    options = [o for o in options if o]
    if not options:
        return None
    return max(options, key=lambda s: (min(map(len, _strings(s))), -len({*_strings(s)})))


def _joined(before: frozenset | None, op, av, ascii: bool) -> frozenset[tuple[str, bool]] | None:
    """A run of literals right before a branch whose branches each start with literals, as one set of
    strings: re's parser writes "(?:will|would)" as "w" and a branch of "ill" and "ould"; this gives
    "will" and "would" (which start a word where the "w" does), not "ill" (in "killed")."""
    if before is None or op is not sre.BRANCH:
        return None
    ((prefix, at_start),) = before
    out = set()
    for branch in av[1]:
        first = next(_pieces(branch, _NOTHING, ascii), (None, None))[0]
        if not isinstance(first, frozenset):
            return None
        ((lead, _),) = first
        out.add((prefix + lead, at_start))
    return frozenset(out)


def _element(op, av, edge: int, ascii: bool) -> frozenset[tuple[str, bool]] | None:
    if op is sre.SUBPATTERN:
        return _sequence(av[-1], edge, _group_ascii(av, ascii))
    if op in _REPEATS:
        low, _high, body = av
        return _sequence(body, edge, ascii) if low >= 1 else None
    if op is sre.ATOMIC_GROUP:
        return _sequence(av, edge, ascii)
    if op is sre.BRANCH:
        union: set[tuple[str, bool]] = set()
        for branch in av[1]:
            found = _sequence(branch, edge, ascii)
            if not found:
                return None
            union |= found
        return frozenset(union)
    return None    # character classes, any character, lookarounds, back-references: no literal


class Gate:
    """The gate of one pattern: `may_match(folded)` is False only when the pattern cannot match the
    text whose `fold()` is `folded` (it needs a string the text lacks, or has it only inside words
    where the pattern needs it at a word start). The strings are looked for in one Aho-Corasick pass
    (a substring test each cost more than the patterns they saved)."""

    def __init__(self, pattern: str | re.Pattern):
        found = required_at(pattern)
        self.needs = None if found is None else frozenset(s for s, _ in found)
        self._automaton = None
        if found is not None:
            anywhere = {s for s, at_start in found if not at_start}
            self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
            for s in sorted(self.needs):     # (string length, needed at a word start only)
                self._automaton.add_word(s, (len(s), s not in anywhere))
            self._automaton.make_automaton()

    def may_match(self, folded: str) -> bool:
        if self._automaton is None:
            return True
        for end, (length, at_start) in self._automaton.iter(folded):
            if not at_start or end < length or not _is_word(folded[end - length]):
                return True
        return False


T = TypeVar("T")


class Named(NamedTuple):
    """A pattern with a name, as `Gates` takes rules: `{r.name for r in gates.runnable(text)}` are the
    patterns worth running on `text`."""
    name: str
    pattern: re.Pattern


class Gates(Generic[T]):
    """Rules (anything with a `.pattern`) with their gates: `runnable(text)` yields, in rule order,
    the rules that may match `text`; the others cannot.

    The pass finds the strings of each rule's `required` set (which picks the rules to consider)
    and of its other required sets (`required_all`), which a rule must each find too: a date rule
    that needs "the" is considered in most sentences, and run only where "end" or "start" and a
    month's name are as well. A string a rule needs at a word start (`required_at`) counts for it
    only where it starts a word: the aid rule is not run for the "aid" in "said".

    A sentence is asked about more than once (a trigger's weapon is looked up twice, the date and
    trigger rules read the same masked text), so the answers for the last few texts are kept."""

    MEMO = 8     # texts remembered: those of one sentence and its clauses
    CHOSEN = 4096   # choices of rules remembered (forgotten all at once when full)

    def __init__(self, rules: Sequence[T]):
        self.rules = tuple(rules)
        found = [required_at(r.pattern, _compiled_ascii(r)) for r in self.rules]   # per rule; None: always run
        self.needs = tuple(None if f is None else frozenset(s for s, _ in f) for f in found)
        # per rule, the required sets besides `found` (None: none)
        also = [None if needs is None else tuple(s for s in required_all_at(r.pattern, _compiled_ascii(r)) or ()
                                                 if s != needs) or None
                for r, needs in zip(self.rules, found)]
        # each (string, at a word start) needed is one bit of a number: `present` has the bits of the
        # strings found (those found at a word start give both of theirs)
        strings = sorted({s for needs in found for s, _ in needs or ()}
                         | {s for sets in also for ss in sets or () for s, _ in ss})
        bit = {(s, at_start): 1 << (2 * k + at_start) for k, s in enumerate(strings) for at_start in (False, True)}
        users = dict.fromkeys(bit, 0)        # (string, at a word start) -> bits of the rules whose needs have it
        for i, needs in enumerate(found):
            for need in needs or ():
                users[need] |= 1 << i
        self._always = sum(1 << i for i, needs in enumerate(found) if needs is None)
        self._also = {i: tuple(sum(bit[need] for need in ss) for ss in sets)
                      for i, sets in enumerate(also) if sets is not None}
        at_start = {s for needs in found for s, start in needs or () if start} | {
            s for sets in also for ss in sets or () for s, start in ss if start}
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for s in strings:
            # (length, its bit, the rules it lets through; and where it starts a word: the same twice)
            self._automaton.add_word(s, (len(s), bit[s, False], users[s, False],
                                         bit[s, True] if s in at_start else 0, users[s, True]))
        if strings:
            self._automaton.make_automaton()
        # text -> its runnable rules (callers only read them); lru_cache is safe across threads
        self._remembered = lru_cache(maxsize=self.MEMO)(self._runnable)
        # (strings found, rules they let through) -> the runnable rules: texts of one kind find the same
        # few strings, and picking the rules out of the bits cost more than the pass that found them
        self._chosen: dict[tuple[int, int], list[T]] = {}

    def runnable(self, text: str):
        if self._automaton.kind != ahocorasick.AHOCORASICK:
            return self.rules
        return self._remembered(text)

    def _runnable(self, text: str) -> list[T]:
        folded = fold(text)
        present, wanted = 0, self._always
        for end, (length, bit, users, start_bit, start_users) in self._automaton.iter(folded):
            present |= bit
            wanted |= users
            if start_bit and (end < length or not _is_word(folded[end - length])):
                present |= start_bit
                wanted |= start_users
        key = (present, wanted)
        out = self._chosen.get(key)
        if out is not None:
            return out
        out, rules, also = [], self.rules, self._also
        while wanted:
            low = wanted & -wanted
            wanted ^= low
            i = low.bit_length() - 1
            if i not in also or all(present & needs for needs in also[i]):
                out.append(rules[i])
        if len(self._chosen) >= self.CHOSEN:
            self._chosen.clear()
        self._chosen[key] = out
        return out


def _compiled_ascii(rule) -> bool:
    """A rule that is itself a compiled pattern (its `.pattern` is then its source) compiled ASCII-only."""
    return isinstance(rule, re.Pattern) and bool(rule.flags & _ASCII_FLAGS)
