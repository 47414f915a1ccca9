"""`timeline evaluate`: slot-filling scores on hand-made system tables, and the command end to end."""
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from timeline import schema
from timeline.cli import app
from timeline.evaluate import GoldError, load_gold, score

PAGE = ("Russian drones struck Odesa overnight, killing two people and injuring nine, the governor said.\n"
        "Two people died and nine were hurt in the Odesa attack, officials added.\n"
        "Zelensky called on allies to send more air defence systems.\n")

GOLD = """
page: odesa-2025-06-10.txt
published: 2025-06-10
events:
  - id: odesa-strike
    snippets: ["struck Odesa overnight", "died and nine were hurt"]
    event_date: 2025-06-10
    event_type: ASSAULT
    actor_country: RUS
    location: Odesa
    admin1: Odesa Oblast
    country: UA
    figures: {killed: 2, injured: 9}
  - id: air-defence-appeal
    snippets: ["called on allies"]
    event_type: REQUEST
    actor_country: UKR
"""


@pytest.fixture
def gold_file(tmp_path):
    (tmp_path / "odesa-2025-06-10.txt").write_text(PAGE, encoding="utf-8")
    path = tmp_path / "odesa.yaml"
    path.write_text(GOLD, encoding="utf-8")
    return path


def frames(rows):
    """System tables: one event per row of `rows` (mention sentence, event fields)."""
    mentions, events = [], []
    for i, (sentence, fields) in enumerate(rows):
        eid = fields.pop("event_id", f"ev-{i}")
        mentions.append({"source": "odesa-2025-06-10.txt", "sentence": sentence, "event_id": eid,
                         "mention_id": f"m-{i}", "item_id": f"it-{i}", "char_start": 0, "char_end": len(sentence)})
        ev = {c: None for c in schema.table("events").names}
        ev.update(event_id=eid, summary=sentence, **fields)
        events.append(ev)
    return pd.DataFrame(mentions), pd.DataFrame(events).drop_duplicates("event_id")


def test_scores_fields_figures_dedup_and_spurious(gold_file):
    strike = dict(event_id="ev-a", event_date=date(2025, 6, 10), date_precision="day", event_type="ASSAULT",
                  actor_country="RUS", location="Odesa", admin1="Odesa Oblast", country="UA", killed=2, injured=8)
    mentions, events = frames([
        ("Russian drones struck Odesa overnight, killing two people.", dict(strike)),
        ("Two people died and nine were hurt in the Odesa attack.", dict(strike)),
        ("Zelensky called on allies to send more air defence systems.", dict(event_type="REQUEST", actor_country="UKR")),
        ("Some commentary that is not an event.", dict(event_type="ACCUSE", location="Kyiv")),
    ])
    report = score([load_gold(gold_file)], mentions, events)
    s = report.scores
    assert (s["event"].tp, s["event"].fp, s["event"].fn) == (2, 1, 0)
    assert (s["killed"].tp, s["killed"].fp, s["killed"].fn) == (1, 0, 0)
    assert (s["injured"].tp, s["injured"].fp, s["injured"].fn) == (0, 1, 1)  # 8 reported, gold says 9
    assert (s["location"].tp, s["location"].fp) == (1, 1)  # the spurious Kyiv row is a false positive
    assert (report.dedup_pairs, report.dedup_joined, report.over_merges) == (1, 1, 0)
    assert "odesa.yaml:odesa-strike injured: gold=9 system=8" in report.misses


def test_two_gold_events_on_one_system_event_is_an_over_merge(gold_file):
    both = dict(event_id="ev-x", event_type="ASSAULT")
    mentions, events = frames([
        ("Russian drones struck Odesa overnight.", dict(both)),
        ("Zelensky called on allies to act.", dict(both)),
    ])
    report = score([load_gold(gold_file)], mentions, events)
    assert report.over_merges == 1
    # --misses names the event and the gold events it holds
    assert [m for m in report.misses if m.startswith("over-merge")] == [
        f"over-merge[ev-x] holds {gold_file.name}:air-defence-appeal, {gold_file.name}:odesa-strike"]


def test_missed_event_counts_every_gold_field_as_missed(gold_file):
    mentions, events = frames([("Something else entirely.", dict(event_type="ASSAULT"))])
    report = score([load_gold(gold_file)], mentions, events)
    assert report.scores["event"].fn == 2 and report.scores["location"].fn == 1
    assert report.scores["event"].recall == 0.0


@pytest.mark.parametrize("text, message", [
    ("events: []", "a gold file needs 'page' and a list of 'events'"),
    ("page: x.txt\nevents:\n  - id: a\n    event_type: ASSAULT", "event 1 needs at least one snippet"),
    ("page: x.txt\nevents:\n  - {id: a, snippets: [s], figures: {dead: 1}}", "unknown figure categories ['dead']"),
    ("page: x.txt\nevents:\n  - {id: a, snippets: [s], place: Kyiv}", "unknown fields ['place']"),
])
def test_malformed_gold_is_refused(tmp_path, text, message):
    path = tmp_path / "g.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GoldError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_gold(path)


def test_command_builds_and_scores_the_gold_pages(gold_file):
    result = CliRunner().invoke(app, ["evaluate", str(gold_file), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["gold_events"] == 2
    assert data["fields"]["event"]["recall"] == 1.0
    assert data["fields"]["location"]["tp"] == 1 and data["over_merges"] == 0


def test_clauses_of_one_sentence_are_matched_clause_by_clause(gold_file):
    sentence = "Russian drones struck Odesa overnight, while Zelensky called on allies to send air defences."
    cut = sentence.index("Zelensky")
    mentions = pd.DataFrame([
        {"source": "odesa-2025-06-10.txt", "sentence": sentence, "event_id": "ev-a", "mention_id": "m-a",
         "item_id": "it", "char_start": 0, "char_end": cut - 8},
        {"source": "odesa-2025-06-10.txt", "sentence": sentence, "event_id": "ev-b", "mention_id": "m-b",
         "item_id": "it", "char_start": cut, "char_end": len(sentence)},
    ])
    events = pd.DataFrame([{**{c: None for c in schema.table("events").names}, "event_id": e, "summary": sentence}
                           for e in ("ev-a", "ev-b")])
    items = pd.DataFrame([{"item_id": "it", "text": sentence}])
    report = score([load_gold(gold_file)], mentions, events, items)
    assert report.over_merges == 0 and report.scores["event"].tp == 2


RECAP = "Two people were killed in Tuesday's drone strike on Odesa, officials said.\n"


def test_gold_events_sharing_a_cluster_across_pages_are_scored_as_one(gold_file, tmp_path):
    (tmp_path / "recap-2025-06-11.txt").write_text(RECAP, encoding="utf-8")
    (tmp_path / "recap.yaml").write_text(
        "page: recap-2025-06-11.txt\nevents:\n"
        "  - {id: odesa-recap, cluster: odesa-0610, snippets: [\"Tuesday's drone strike on Odesa\"]}\n",
        encoding="utf-8")
    gold_file.write_text(GOLD.replace("  - id: odesa-strike\n", "  - id: odesa-strike\n    cluster: odesa-0610\n"),
                         encoding="utf-8")
    pages = [load_gold(gold_file), load_gold(tmp_path / "recap.yaml")]
    mentions, events = frames([
        ("Russian drones struck Odesa overnight, killing two.", dict(event_id="ev-a", event_type="ASSAULT")),
        ("Two people died and nine were hurt in Odesa.", dict(event_id="ev-a", event_type="ASSAULT")),
        ("Zelensky called on allies to send more air defence systems.", dict(event_id="ev-a", event_type="REQUEST")),
    ])
    recap = pd.DataFrame([{"source": "recap-2025-06-11.txt", "sentence": RECAP.strip(), "event_id": "ev-r",
                           "mention_id": "m-r", "item_id": "it-r", "char_start": 0, "char_end": len(RECAP)}])
    report = score(pages, pd.concat([mentions, recap]), pd.concat([events, events.iloc[:1].assign(event_id="ev-r")]))
    # gold pairs: three mentions of the Odesa strike (two on the page, one in the recap) = 3; one merged
    assert (report.dedup_pairs, report.dedup_joined) == (3, 1)
    # the build merged the appeal into the strike: 3 merged pairs, of which 1 is right
    assert report.merged_pairs == 3 and report.dedup_precision == pytest.approx(1 / 3)
    assert report.over_merges == 1  # ev-a carries the strike and the appeal; ev-r alone is not an over-merge


def test_a_clustered_event_is_scored_on_what_all_its_pages_report_latest_value_first(tmp_path):
    (tmp_path / "day1-2025-06-10.txt").write_text("Russian drones killed two people in Odesa overnight.\n", "utf-8")
    (tmp_path / "day2-2025-06-11.txt").write_text(
        "The toll from Tuesday's strike on Odesa rose to three, with nine injured.\n", "utf-8")
    for name, page, day, figures in (("a", "day1-2025-06-10.txt", "2025-06-10", "{killed: 2}"),
                                     ("b", "day2-2025-06-11.txt", "2025-06-11", "{killed: 3, injured: 9}")):
        (tmp_path / f"{name}.yaml").write_text(
            f"page: {page}\npublished: {day}\nevents:\n"
            f"  - {{id: odesa, cluster: odesa-0610, snippets: [Odesa], figures: {figures}}}\n", "utf-8")
    pages = [load_gold(tmp_path / "a.yaml"), load_gold(tmp_path / "b.yaml")]
    mentions = pd.DataFrame([
        {"source": p.page.name, "sentence": p.page.read_text("utf-8").strip(), "event_id": "ev-o",
         "mention_id": f"m-{n}", "item_id": f"it-{n}", "char_start": 0, "char_end": 80} for n, p in enumerate(pages)])
    events = pd.DataFrame([{**{c: None for c in schema.table("events").names}, "event_id": "ev-o",
                            "summary": "Odesa", "killed": 3, "injured": 9}])
    report = score(pages, mentions, events)
    # day 1's entry expects the merged event's latest toll (3) and the injured count only day 2 reported
    assert (report.scores["killed"].tp, report.scores["killed"].fp) == (2, 0)
    assert (report.scores["injured"].tp, report.scores["injured"].fp) == (2, 0)
