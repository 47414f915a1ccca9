"""End to end: the real seeds, the shipped sample pages, determinism."""
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from timeline import pipeline, schema

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory):
    if not SEEDS.is_dir():
        pytest.skip(f"real seeds not found at {SEEDS} (they ship beside the repo, not in it)")
    out = tmp_path_factory.mktemp("seeds")
    report = pipeline.build([SEEDS], out)
    assert report.exit_code == 0 and report.files_read == 2
    return out


@pytest.fixture(scope="module")
def seed_events(seeds_out):
    return pd.read_parquet(seeds_out / "events.parquet")


def only(df, mask):
    rows = df[mask]
    assert len(rows) == 1, rows[["event_date", "event_type", "location", "summary"]].to_string()
    return rows.iloc[0]


def test_kharkiv_drone_attack_is_one_event(seed_events):
    kharkiv = seed_events[(seed_events.location == "Kharkiv") & (seed_events.event_type == "ASSAULT")]
    row = only(kharkiv, kharkiv.injured.notna())
    assert (row.actor, row.actor_country, row.event_mode) == ("Russia", "RUS", "drone")
    assert row.event_date == date(2025, 5, 2) and row.date_precision == "day"
    assert (row.injured, row.admin1, row.country, row.geo_precision) == (46, "Kharkiv Oblast", "UA", 1)
    assert abs(row.latitude - 49.99) < 0.1 and abs(row.longitude - 36.23) < 0.1
    assert row.n_mentions == 2


def test_overnight_drones_and_missiles(seed_events):
    row = only(seed_events, seed_events.drones.notna())
    assert (row.drones, row.missiles, row.actor_country) == (183, 2, "RUS")


def test_kherson_death_and_nikopol_injuries_are_separate(seed_events):
    kherson = only(seed_events, seed_events.killed.notna())
    assert (kherson.killed, kherson.location, kherson.admin1) == (1, "Kherson Oblast", "Kherson Oblast")
    nikopol = only(seed_events, seed_events.location == "Nikopol")
    assert (nikopol.injured, nikopol.admin1) == (4, "Dnipropetrovsk Oblast")
    assert kherson.event_id != nikopol.event_id


def test_trump_putin_call_is_a_consult_on_monday(seed_events):
    calls = seed_events[(seed_events.event_type == "CONSULT") & (seed_events.event_date == date(2025, 5, 19))]
    row = only(calls, calls.actor_country == "USA")
    assert row.target_country == "RUS"


def test_combat_clashes(seed_events):
    row = only(seed_events, seed_events.combat_clashes.notna())
    assert row.combat_clashes == 177 and row.event_date == date(2025, 5, 20)


def test_no_figure_from_ages_ordinals_or_durations(seeds_out):
    figures = pd.read_parquet(seeds_out / "figures.parquet")
    for trap in ("11-year-old", "17th", "86 days", "180-degree", "two-hour", "18th"):
        assert not figures.text.str.contains(trap, regex=False).any(), trap
    assert set(figures.value) <= {46, 183, 2, 1, 4, 177, 1000, 8}


def test_every_mention_points_at_its_sentence(seeds_out):
    items = pd.read_parquet(seeds_out / "items.parquet").set_index("item_id")
    mentions = pd.read_parquet(seeds_out / "mentions.parquet")
    for m in mentions.itertuples():  # a sentence's span, or one clause of it
        assert items.loc[m.item_id, "text"][m.char_start:m.char_end] in m.sentence
    events = pd.read_parquet(seeds_out / "events.parquet")
    assert set(mentions.event_id) == set(events.event_id)
    assert events.n_mentions.sum() == len(mentions)


@pytest.fixture(scope="module")
def raw_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("raw")
    report = pipeline.build([ROOT / "data" / "raw"], out)
    assert report.exit_code == 0, [str(e) for e in report.skipped]
    assert report.files_read == 5
    return out


def test_shipped_samples_give_a_meaningful_dataset(raw_out):
    events = pd.read_parquet(raw_out / "events.parquet")
    items = pd.read_parquet(raw_out / "items.parquet")
    assert set(items.split_method) >= {"text", "bullets", "timed", "jsonld", "jsonl"}
    assaults = events[events.event_type == "ASSAULT"]
    assert len(assaults) >= 20
    assert assaults.killed.notna().sum() >= 8 and assaults.location.notna().all()
    # The 24-25 May overnight attack is reported by two pages and merged across them.
    may25 = events[(events.event_date == date(2025, 5, 25)) & (events.drones == 298)]
    assert len(may25) == 1 and may25.iloc[0].n_sources == 2 and may25.iloc[0].missiles == 69
    # BBC posts carry times in Europe/London: 08:41 BST is 07:41 UTC.
    assert items[items.split_method == "timed"].item_time.notna().all()


def test_tables_follow_the_schema(raw_out):
    for name, table in schema.tables().items():
        df = pd.read_parquet(raw_out / f"{name}.parquet")
        assert list(df.columns) == table.names
        header = (raw_out / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header == ",".join(table.names)


def test_two_builds_are_byte_identical(tmp_path):
    for run in ("a", "b"):
        pipeline.build([ROOT / "data" / "raw"], tmp_path / run)
    for name in schema.tables():
        for ext in ("parquet", "csv"):
            a = (tmp_path / "a" / f"{name}.{ext}").read_bytes()
            assert a == (tmp_path / "b" / f"{name}.{ext}").read_bytes(), f"{name}.{ext}"
