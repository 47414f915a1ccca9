"""Pattern gates (timeline.extract.gate): they may only skip patterns that cannot match."""
from __future__ import annotations

import re
from pathlib import Path

import _sre
import pytest
from re import _casefix

from timeline import pipeline, read, split
from timeline.extract import actions, dates, figures, gate
from timeline.extract.sentences import mask_quotes, split_sentences

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "data" / "raw", ROOT / "tests" / "gold" / "pages", ROOT.parent / "shared" / "seeds"]


@pytest.mark.parametrize("pattern, needs", [
    (r"yesterday\s+(?:morning|evening)", {"yesterday"}),
    (r"(?:early\s+)?this\s+(?:morning|afternoon)", {"morning", "afternoon"}),   # the rarer words win
    (r"shot\s+down|intercepted", {"shot", "intercepted"}),
    (r"\b(?:attack(?:s|ed)?)\b", {"attack"}),
    (r"(?:early\s+)?tonight", {"tonight"}),
    (r"(?-i:Kyiv)\s+region", {"region"}),
    (r"Kharkiv{1,2}", {"kharki"}),
    (r"(?:19|20)\d\d", {"19", "20"}),           # two digits are rare enough to gate on
])
def test_required_words_of_a_pattern(pattern, needs):
    assert gate.required(re.compile(pattern, re.I)) == needs


def test_every_required_set_of_a_pattern():
    pattern = re.compile(r"(?:at\s+)?the\s+(?:end|start)\s+of\s+(?-i:May|June)(?!\s+day)", re.I)
    assert gate.required_all(pattern) == ({"the"}, {"end", "start"}, {"may", "june"})   # not "at", not "day"
    assert gate.required(pattern) == {"the"}
    assert gate.required_all(r"\d+|yesterday") is None


@pytest.mark.parametrize("pattern", [
    r"(?:on\s+)?of",             # only short words: in nearly every sentence, not worth a gate
    r"\d+\s*km|miles",           # one branch has no literal word at least three letters long
    r"(?:yesterday)?",           # optional
    r"[a-z]+ly",                 # the only literal is short and follows a class
    r"(?:1|20)\d",               # one digit is not
])
def test_no_gate_when_nothing_is_required(pattern):
    assert gate.required(re.compile(pattern, re.I)) is None


def test_fold_matches_the_regex_engine_for_every_character():
    """Every character the re engine takes for an ASCII letter under IGNORECASE folds to that letter."""
    extra = {chr(k): {chr(v) for v in vs} for k, vs in _casefix._EXTRA_CASES.items()}
    wrong = []
    for cp in range(0x80, 0x110000):
        ch = chr(cp)
        low = chr(_sre.unicode_tolower(cp))
        variants = {low} | extra.get(low, set()) | extra.get(ch, set())
        ascii_letters = {v for v in variants if v.isascii() and v.isalpha()}
        if ascii_letters and gate.fold(ch) not in {a.lower() for a in ascii_letters}:
            wrong.append(f"U+{cp:04X}")
    assert not wrong


def test_fold_of_lookalikes():
    assert gate.fold("KİEV") == "kiev"
    assert gate.fold("\u017ftrike") == "strike"
    assert re.search("kiev", "KİEV", re.I) and re.search("strike", "\u017ftrike", re.I)


def test_boilerplate_gates_never_skip_a_pattern_that_matches_real_lines():
    """split.is_boilerplate tries only the patterns its gates let through: over every line of our
    pages and the seeds (markup included), none is skipped where it would have matched."""
    gates = split._boilerplate_gates()
    tasks = [t for t in read.plan_inputs([p for p in PAGES if p.exists()]) if isinstance(t, read.ReadTask)]
    lines = [" ".join(raw.split()) for t in tasks for raw in read.read_task(t).text.splitlines()]
    missed, skipped = [], 0
    for line in filter(None, lines):
        runs = {id(p) for p in gates.runnable(line)}
        for pattern in gates.rules:
            skipped += id(pattern) not in runs
            if id(pattern) not in runs and pattern.search(line):
                missed.append((pattern.pattern, line))
    assert not missed
    assert skipped > 0
    assert sum(split.is_boilerplate(line) for line in lines if line) > 20


def _sentences() -> list[str]:
    items, _ = pipeline.read_items([p for p in PAGES if p.exists()])
    out = [s.text for item in items for s in split_sentences(item.text)]
    assert len(out) > 500
    return out


def test_gates_never_skip_a_pattern_that_matches_real_sentences():
    """Over every sentence of our pages and the seeds: wherever a vocabulary pattern matches,
    its gate lets it run (a gate that said no would silently lose a date, a trigger or a weapon)."""
    sets = [dates._gated(), actions._rules(), actions._weapons()]
    gated = sum(needs is not None for s in sets for needs in s.needs)
    assert gated >= 0.9 * sum(len(s.rules) for s in sets)
    missed, skipped = [], 0
    for sentence in _sentences():
        for rules in sets:
            runs = {id(r) for r in rules.runnable(sentence)}
            for rule in rules.rules:
                skipped += id(rule) not in runs
                if id(rule) not in runs and rule.pattern.search(sentence):
                    missed.append((rule.pattern.pattern, sentence))
    assert not missed
    assert skipped > 0


WORD_EDGES = ["-", " ", "\u00a0", "’", "_", "9", "e", "\u00e9", "\u212a", "\u0130", "\u0131", "\u017f", "\u0663"]


def _variants(sentence: str) -> list[str]:
    """The sentence, its quotations masked, and each with one character glued before every word:
    where a gate wants a word start, a word character there must close it and no other may."""
    texts = [sentence, mask_quotes(sentence)]
    return texts + [re.sub(r"(?<!\w)(?=\w)", char, t) for t in texts for char in WORD_EDGES]


def test_gates_never_skip_a_pattern_that_matches_real_sentences_with_words_glued():
    """As above, over each sentence with a letter, digit, underscore, dash, space or a non-ASCII letter
    (some of them case variants of ASCII ones) put before every word: a gate that reads word starts
    never skips a pattern that matches, whatever stands before the word."""
    sets = [dates._gated(), actions._rules(), actions._weapons()]
    assert any(at_start for s in sets for r in s.rules for needs in (gate.required_at(r.pattern) or ())
               for _, at_start in [needs])
    missed, skipped = [], 0
    for sentence in _sentences()[::3]:
        for text in _variants(sentence):
            for rules in sets:
                runs = {id(r) for r in rules.runnable(text)}
                for rule in rules.rules:
                    if id(rule) not in runs:
                        skipped += 1
                        if rule.pattern.search(text):
                            missed.append((rule.pattern.pattern, text))
    assert not missed
    assert skipped > 0


@pytest.mark.parametrize("pattern, needs", [
    (r"\baid\b", {("aid", True)}),                    # \b before a letter: a word starts there
    (r"aid", {("aid", False)}),
    (r"said|\baid", {("said", False), ("aid", True)}),
    (r"(?<![\w-])today", {("today", True)}),            # no word character before it
    (r"[\s,]+aid", {("aid", True)}),                   # after a space or a comma
    (r"\w+\s+aid", {("aid", True)}),
    (r"(?<![\w-])(?:on\s+)?(?:monday|sunday)", {("monday", True), ("sunday", True)}),  # with "on " or not
    (r"\b(?:on\s*)?monday", {("monday", False)}),      # "onmonday"
    (r"\b(?:will|would)", {("will", True), ("would", True)}),   # not "ill" and "ould" (re writes w(?:ill|ould))
    (r"^(?:sign up|subscribe)", {("sign up", True), ("subscribe", True)}),
    (r"\s[–—|-]\s*the guardian$", {("the guardian", False)}),   # "\s*" may match nothing: "-the guardian"
    (r"(?a)\baid", {("aid", False)}),                  # ASCII \b: "éaid" has a word start there
    (r"\b(?a:aid)", {("aid", True)}),
    (r"(?a:\b)aid", {("aid", False)}),
    (r"\Baid", {("aid", False)}),                      # inside a word
    (r"(?<!x)aid", {("aid", False)}),                   # a lookbehind that lets letters through
    (r"\b(?=a)aid", {("aid", True)}),                   # a lookahead is zero width: \b still holds
    (r"[-/]\baid", {("aid", True)}),
    (r"-\baid", {("-aid", False)}),                     # one run of literals, \b inside it
])
def test_strings_needed_at_a_word_start(pattern, needs):
    assert gate.required_at(re.compile(pattern, re.I)) == needs
    assert gate.required(re.compile(pattern, re.I)) == {s for s, _ in needs}


def test_every_required_set_at_word_starts():
    assert gate.required_all_at(re.compile(r"night\s+raid", re.I)) == ({("night", False)}, {("raid", True)})
    assert gate.required_at(re.compile(r"\baid", re.I | re.ASCII)) == {("aid", False)}


def test_gates_read_word_starts():
    class Rule:
        def __init__(self, pattern, flags=re.I):
            self.pattern = re.compile(pattern, flags)

    rules = [Rule(r"\baid\b"), Rule(r"night\s+raid"), Rule(r"\baid", re.I | re.A), Rule(r"\b(?:will|would)\b")]
    gates = gate.Gates(rules)
    assert gates.runnable("he said it was killed") == [rules[2]]          # "aid" and "ill" inside words
    assert gates.runnable("Aid arrived, it will") == [rules[0], rules[2], rules[3]]   # at the very start too
    assert gates.runnable("the (aid) and a night-raid") == [rules[0], rules[1], rules[2]]
    assert gates.runnable("overnight_raid, éaid") == [rules[2]]            # ASCII \b: é is no word there
    assert re.search(r"\baid", "éaid", re.A) and not re.search(r"\baid", "éaid", re.I)
    one = gate.Gate(re.compile(r"\baid\b", re.I))
    assert one.needs == {"aid"}
    assert not one.may_match(gate.fold("Said it")) and not one.may_match(gate.fold("_aid, 9aid, \u212aaid"))
    assert one.may_match("aid") and one.may_match(gate.fold("more AID")) and one.may_match("-aid")


def test_word_characters_as_the_regex_engine_and_fold_read_them():
    """`_is_word` is re's \\w (str patterns), and `fold` keeps every character one character long and
    a word character or not as it was: a word start in the folded text is one in the text."""
    wrong = []
    for cp in range(0x110000):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        folded = gate.fold(ch)
        word = re.match(r"\w", ch) is not None
        if gate._is_word(ch) != word or len(folded) != 1 or gate._is_word(folded) != word:
            wrong.append(f"U+{cp:04X}")
    assert not wrong


def test_runnable_keeps_rule_order_and_ungated_rules():
    class Rule:
        def __init__(self, pattern):
            self.pattern = re.compile(pattern, re.I)

    rules = [Rule(r"yesterday"), Rule(r"\d+"), Rule(r"overnight"), Rule(r"night\s+raid")]
    runnable = gate.Gates(rules).runnable("Drones struck OVERNIGHT, 14 hurt")
    assert runnable == [rules[1], rules[2]]     # the raid rule needs "night" (in "overnight") and "raid"
    assert gate.Gates(rules).runnable("an overnight RAID") == [rules[1], rules[2], rules[3]]   # "night" inside a word
    assert gate.Gates(rules).runnable("calm day") == [rules[1]]
    assert gate.Gates([]).runnable("anything") == ()


def test_number_words_gate():
    """A number is digits (any script's, as `\\d` reads them) or opens the number words' gate."""
    v = figures.vocab()
    needs = dict(zip((g.name for g in v.gates.rules), v.gates.needs))["number_words"]
    assert needs and {"one", "twenty", "dozen"} <= needs
    for text in ("Twenty-five were hurt", "a dozen drones", "ONE person died"):
        assert v.number.search(text) and "number_words" in {g.name for g in v.gates.runnable(text)}
    assert "number_words" not in {g.name for g in v.gates.runnable("Missiles struck at dawn")}   # ("drones" has "one")
    assert figures.find_figures("\u0663 drones were shot down")[0].value == 3   # Arabic-Indic digit


def test_one_patterns_gate():
    toll = gate.Gate(re.compile(r"\bdeath\s+toll\b|\bnumber\s+of\s+dead\b", re.I))
    assert toll.may_match(gate.fold("The DEATH toll rose to 12"))
    assert toll.may_match(gate.fold("the number of dead"))
    assert not toll.may_match(gate.fold("Twelve people died"))
    assert gate.Gate(r"\d+").may_match("calm day")       # nothing required: always open


def test_money_and_numbers_run_wherever_they_match_in_real_sentences():
    """find_figures runs the money pattern only where a currency sign is, and the number pattern only
    where a digit is or the number words' gate opens: over every sentence of our pages and the seeds,
    neither is skipped where it would have matched. (The toll, singular and kin gates:
    test_figure_gates_in_one_pass_never_skip_a_pattern_that_matches_real_sentences.)"""
    v = figures.vocab()
    missed = []
    for sentence in _sentences():
        if v.money.search(sentence) and not figures.CURRENCY.search(sentence):
            missed.append(("money", sentence))
        opened = {g.name for g in v.gates.runnable(sentence)}
        if v.number.search(sentence) and not (figures.DIGIT.search(sentence) or "number_words" in opened):
            missed.append(("number", sentence))
    assert not missed


def test_figure_gates_in_one_pass_never_skip_a_pattern_that_matches_real_sentences():
    """find_figures asks `vocab().gates` (toll, number words, singular, kin in one pass) which patterns
    to run: over every sentence of our pages and the seeds, and each with characters glued before its
    words, none it leaves out matches; and it opens no less often than is needed."""
    v = figures.vocab()
    names = [g.name for g in v.gates.rules]
    assert names == ["toll", "number_words", "singular", "kin"]
    missed, closed = [], 0
    for sentence in _sentences():
        for text in _variants(sentence):
            opened = {g.name for g in v.gates.runnable(text)}
            for g in v.gates.rules:
                if g.name not in opened:
                    closed += 1
                    if g.pattern.search(text):
                        missed.append((g.name, text))
    assert not missed
    assert closed > 0
    assert {g.name for g in v.gates.runnable("the death toll rose to twenty, a man and his wife were hurt")} == set(names)


def test_speech_gate_never_skips_a_speech_verb_in_real_sentences():
    """extract_sentence looks for a speech verb (to type a quotation) only where its gate opens."""
    from timeline.extract import mention
    attribution = mention._attribution()
    assert attribution.speech_gate.needs is not None
    sentences = _sentences()
    missed = [s for s in sentences if attribution.speech.search(s) and not attribution.speech_gate.may_match(gate.fold(s))]
    assert not missed
    assert any(not attribution.speech_gate.may_match(gate.fold(s)) for s in sentences)


def test_background_gates_never_skip_a_phrase_in_real_sentences():
    """mention._without_background looks for "now that ..." and an earlier agreement only where its
    gates open: over every sentence of our pages and the seeds (and each with characters glued before
    its words), neither pattern is skipped where it matches."""
    from timeline.extract import mention
    gates = mention._background_gates()
    assert [g.pattern for g in gates.rules] == [mention.NOW_THAT, mention.AGREED_WORD]
    missed, closed = [], 0
    for sentence in _sentences():
        for text in _variants(sentence):
            opened = {g.pattern for g in gates.runnable(text)}
            for g in gates.rules:
                if g.pattern not in opened:
                    closed += 1
                    if g.pattern.search(text):
                        missed.append((g.pattern.pattern, text))
    assert not missed
    assert closed > 0
    assert len(gates.runnable("Now that the deal was SIGNED")) == 2



def test_remembered_choices_of_rules_are_those_worked_out_afresh():
    """Gates remembers which rules each combination of strings found lets through: over every sentence of
    our pages and the seeds, the rules a Gates gives after all the sentences before (remembering at most a
    few choices, so it also forgets) are those worked out with nothing remembered."""
    from timeline.vocab import load_csv
    texts = _sentences()
    for make in (lambda: gate.Gates(dates.rules()), lambda: actions._compiled(load_csv("event_triggers.csv"))):
        used, fresh = make(), make()
        used.CHOSEN = 64
        for text in texts + [mask_quotes(t) for t in texts]:
            fresh._chosen.clear()
            assert used._runnable(text) == fresh._runnable(text), text
            assert len(used._chosen) <= 64
        assert len(fresh._chosen) == 1
