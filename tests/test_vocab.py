"""Every vocabulary file is valid: unique keys, known categories and types, patterns that compile."""
import re

import pytest

from timeline import schema
from timeline.errors import SchemaError, VocabularyError
from timeline.vocab import load_csv, load_lines, read_text

FIGURES = set(schema.figure_categories())
EVENT_TYPES = set(next(c.values for c in schema.table("events").columns if c.name == "event_type"))


def keys(rows, column):
    return [r[column].lower() for r in rows]


@pytest.mark.parametrize("name, key", [
    ("figure_nouns.csv", "noun"), ("figure_verbs.csv", "phrase"), ("numbers.csv", "word"),
    ("event_triggers.csv", "pattern"), ("weapons.csv", "pattern"), ("attribution.csv", "phrase"),
    ("toll_phrases.csv", "phrase"), ("toll_verbs.csv", "verb"),
])
def test_keys_are_unique_and_filled(name, key):
    values = keys(load_csv(name), key)
    assert all(values), f"{name}: empty {key}"
    dupes = {v for v in values if values.count(v) > 1}
    assert not dupes, f"{name}: duplicate {key}: {sorted(dupes)}"


def test_figure_nouns_feed_real_columns():
    for row in load_csv("figure_nouns.csv"):
        assert row["kind"] in {"person", "direct", "weapon", "years"}, row
        assert row["singular"] in {"yes", "no"}, row
        if row["kind"] != "person":
            assert row["category"] in FIGURES, row


def test_figure_verbs_feed_real_columns():
    for row in load_csv("figure_verbs.csv"):
        assert row["applies"] in {"person", "weapon"}, row
        assert row["category"] in (FIGURES if row["applies"] == "person" else {"downed"}), row


def test_number_words():
    for row in load_csv("numbers.csv"):
        assert row["kind"] in {"unit", "ten", "scale", "qualifier", "vague"}, row
        if row["kind"] == "qualifier":
            assert row["value"] in {"at_least", "more_than", "up_to", "about", "nearly"}, row
        elif row["kind"] != "vague":
            assert row["value"].isdigit(), row


def test_triggers_have_plover_types_and_compile():
    for row in load_csv("event_triggers.csv"):
        re.compile(row["pattern"])
        assert row["event_type"] in EVENT_TYPES, row
        assert row["needs"] in {"", "weapon", "captives"}, row
        assert bool(row["acled_event_type"]) == bool(row["acled_sub_event_type"]), row


def test_weapons_compile_and_rank():
    ranks = [int(r["rank"]) for r in load_csv("weapons.csv")]
    assert len(set(ranks)) == len(ranks)
    for row in load_csv("weapons.csv"):
        re.compile(row["pattern"])
        assert row["mode"] and row["acled_sub_event_type"], row


def test_toll_and_attribution():
    assert {r["category"] for r in load_csv("toll_phrases.csv")} <= FIGURES
    assert {r["position"] for r in load_csv("toll_verbs.csv")} == {"after", "before"}
    assert {r["position"] for r in load_csv("attribution.csv")} <= {"before", "after"}


def test_abbreviations_have_no_full_stop_and_fit_the_look_back():
    from timeline.extract.sentences import LONGEST_ABBREVIATION

    abbreviations = load_lines("abbreviations.txt")
    assert all(not a.endswith(".") for a in abbreviations)
    assert all(len(a) < LONGEST_ABBREVIATION for a in abbreviations)   # the splitter looks back no further


def test_missing_file_is_a_vocabulary_error():
    with pytest.raises(VocabularyError, match="missing vocabulary file: timeline/data/nope.csv"):
        read_text("nope.csv")


def test_participles_are_single_lower_case_words_the_suffix_rule_does_not_cover():
    participles = load_lines("participles.txt")
    assert participles and all(re.fullmatch(r"[a-z]+", p) for p in participles)
    assert not [p for p in participles if p.endswith(("ed", "en", "wn"))]   # those need no line
    assert len(set(participles)) == len(participles)


def test_companions_are_single_lower_case_nouns():
    companions = load_lines("companions.txt")
    assert companions and all(re.fullmatch(r"[a-z]+", c) for c in companions)
    assert len(set(companions)) == len(companions)


def test_person_modifiers_are_single_lower_case_words():
    modifiers = load_lines("person_modifiers.txt")
    assert modifiers and all(re.fullmatch(r"[a-z]+", m) for m in modifiers)
    assert len(set(modifiers)) == len(modifiers)


def test_statement_channels_compile_and_name_a_known_channel():
    rows = load_csv("statement_channels.csv")
    assert {r["channel"] for r in rows} == {"post", "press", "address", "interview"}
    for r in rows:
        re.compile(r["pattern"])


def test_territory_claims_are_lower_case_patterns_that_compile():
    claims = load_lines("territory_claims.txt")
    assert claims and len(set(claims)) == len(claims)
    for pattern in claims:
        assert pattern == pattern.lower() and re.compile(pattern).groups == 0


def test_downed_weapons_name_a_launch_and_a_shoot_down_category():
    weapons = schema.downed_weapons()
    assert weapons and all(w in FIGURES and f"{w}_downed" in FIGURES for w in weapons)


def test_a_downed_weapon_without_its_shoot_down_category_is_a_schema_error(monkeypatch):
    broken = {**schema._load(), "downed_weapons": ["drones", "bombs"]}     # there is no bombs_downed
    monkeypatch.setattr(schema, "_load", lambda: broken)
    schema.downed_weapons.cache_clear()
    try:
        with pytest.raises(SchemaError, match="bombs_downed"):
            schema.downed_weapons()
    finally:
        schema.downed_weapons.cache_clear()


def test_figure_groups_name_figure_categories():
    """The groups the rules read (casualties, weapons and front-line clashes of an attack, launched
    weapons, national tallies) hold figure categories only."""
    for name in ("casualties", "weapons", "front_line", "launched", "national_tally"):
        group = schema.figure_group(name)
        assert group and group <= set(FIGURES), name
    assert schema.figure_group("launched") <= schema.figure_group("weapons")


def test_a_figure_group_naming_an_unknown_category_is_a_schema_error(monkeypatch):
    loaded = schema._load()
    broken = {**loaded, "figure_groups": {**loaded["figure_groups"], "launched": ["drones", "rockets"]}}
    monkeypatch.setattr(schema, "_load", lambda: broken)
    schema.figure_group.cache_clear()
    try:
        with pytest.raises(SchemaError, match="rockets"):
            schema.figure_group("launched")
        with pytest.raises(SchemaError, match="no group 'artillery'"):
            schema.figure_group("artillery")
    finally:
        schema.figure_group.cache_clear()
