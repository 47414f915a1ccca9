"""Self-describing output: OUT/datapackage.json and docs/schema.md, both generated from schema.yaml."""
import json
from pathlib import Path

import frictionless
import pytest
from typer.testing import CliRunner

from timeline import datapackage, pipeline, schema, write
from timeline.cli import app

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    pipeline.build([RAW], out)
    return out


def errors(report) -> list[str]:
    return sorted({e.type for e in report.errors} | {e.type for t in report.tasks for e in t.errors})


def test_a_build_of_data_raw_is_a_valid_data_package(built):
    report = frictionless.validate(str(built / "datapackage.json"))
    assert report.valid, errors(report)
    assert {t.name: t.stats["rows"] > 0 for t in report.tasks} == dict.fromkeys(schema.tables(), True)


def test_empty_tables_and_a_partial_write_are_valid_packages(tmp_path):
    write.write_tables({n: schema.empty(n) for n in schema.tables()}, tmp_path / "empty")   # every file skipped
    assert frictionless.validate(str(tmp_path / "empty" / "datapackage.json")).valid
    write.write_tables({"figures": schema.empty("figures")}, tmp_path / "one")   # no tables to refer to
    package = json.loads((tmp_path / "one" / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == ["figures"]
    assert "foreignKeys" not in package["resources"][0]["schema"]
    assert frictionless.validate(str(tmp_path / "one" / "datapackage.json")).valid


def test_the_package_is_the_schema(built):
    package = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package"
    resources = {r["name"]: r for r in package["resources"]}
    assert list(resources) == list(schema.tables())
    for name, res in resources.items():
        assert (res["path"], res["format"], res["mediatype"], res["encoding"]) == (
            f"{name}.csv", "csv", "text/csv", "utf-8")
        assert [f["name"] for f in res["schema"]["fields"]] == schema.table(name).names
        assert res["bytes"] == (built / f"{name}.csv").stat().st_size
    fields = {f["name"]: f for f in resources["events"]["schema"]["fields"]}
    assert fields["killed"] == {"name": "killed", "type": "integer", "unit": "people",
                                "description": "People killed (unit: people)"}    # nullable: not required
    assert fields["n_mentions"]["constraints"] == {"required": True}
    assert fields["event_date"]["type"] == "date" and fields["latitude"]["type"] == "number"
    assert fields["first_reported"] == {"name": "first_reported", "type": "datetime", "format": "%Y-%m-%dT%H:%M:%SZ",
                                        "description": "Earliest report time (item time, else page date), UTC"}
    assert fields["event_type"]["constraints"]["enum"][-1] == "ASSAULT"
    assert resources["events"]["schema"]["primaryKey"] == ["event_id"]
    assert resources["mentions"]["schema"]["foreignKeys"] == [
        {"fields": ["event_id"], "reference": {"resource": "events", "fields": ["event_id"]}},
        {"fields": ["item_id"], "reference": {"resource": "items", "fields": ["item_id"]}}]
    assert {"fields": ["mention_id"], "reference": {"resource": "mentions", "fields": ["mention_id"]}} in \
        resources["figures"]["schema"]["foreignKeys"]


def test_the_package_is_byte_identical_and_sorted(built, tmp_path):
    pipeline.build([RAW], tmp_path)
    text = (tmp_path / "datapackage.json").read_text(encoding="utf-8")
    assert text == (built / "datapackage.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("table, old, new, error", [
    ("figures", ",exact,", ",roughly,", "constraint-error"),          # not an allowed value
    ("events", ",ASSAULT,", ",ATTACK,", "constraint-error"),
    ("mentions", ",2025-", ",yesterday-", "type-error"),               # not a timestamp/date
])
def test_frictionless_refuses_a_csv_that_breaks_the_schema(built, tmp_path, table, old, new, error):
    for name in schema.tables():
        text = (built / f"{name}.csv").read_text(encoding="utf-8")
        if name == table:
            assert old in text
            text = text.replace(old, new, 1)
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    datapackage.write(tmp_path / "datapackage.json")                  # without sizes and hashes
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid and error in errors(report)


def test_frictionless_refuses_a_dangling_reference_and_an_edited_csv(built, tmp_path):
    for name in schema.tables():
        (tmp_path / f"{name}.csv").write_bytes((built / f"{name}.csv").read_bytes())
    (tmp_path / "datapackage.json").write_bytes((built / "datapackage.json").read_bytes())
    events = (tmp_path / "events.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "events.csv").write_text(events[0] + "".join(events[2:]), encoding="utf-8")  # drop an event
    assert "hash-count" in errors(frictionless.validate(str(tmp_path / "datapackage.json")))
    datapackage.write(tmp_path / "datapackage.json")
    assert errors(frictionless.validate(str(tmp_path / "datapackage.json"))) == ["foreign-key"]


def test_docs_schema_md_is_what_the_schema_generates():
    committed = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert committed == datapackage.markdown(), "docs/schema.md is out of date: run `make docs`"


def test_docs_list_every_column_with_its_allowed_values_or_unit():
    text = datapackage.markdown()
    for tbl in schema.tables().values():
        assert f"\n## {tbl.name}\n" in text
    assert "| `qualifier` | string | exact, at_least, more_than, about, up_to, nearly | `exact`, `at_least`," in text
    assert "| `drones_downed` | Int64 | Drones shot down or suppressed | drones |" in text


def test_schema_command_prints_the_markdown():
    runner = CliRunner()
    result = runner.invoke(app, ["schema", "--markdown"])
    assert result.exit_code == 0 and result.stdout == datapackage.markdown()
    one = runner.invoke(app, ["schema", "items", "--markdown"]).stdout
    assert "## items" in one and "## events" not in one
    bad = runner.invoke(app, ["schema", "nope"])
    assert bad.exit_code == 1 and bad.stderr == "error: unknown table 'nope' (tables: events, mentions, items, figures)\n"
