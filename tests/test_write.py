"""Writing: schema enforcement, dtypes in Parquet, atomic replacement."""
from datetime import date

import pandas as pd
import pyarrow.parquet as pq
import pytest

from timeline import schema, write
from timeline.errors import SchemaError


def events_frame():
    df = schema.empty("events")
    row = {c: None for c in df.columns}
    row.update(event_id="ev-1", event_date=date(2025, 5, 2), date_precision="day", event_type="ASSAULT",
               injured=46, n_mentions=2, n_sources=1, first_reported=pd.Timestamp("2025-05-03", tz="UTC"),
               last_reported=pd.Timestamp("2025-05-03", tz="UTC"), sources="a.txt", geo_precision=1)
    return pd.DataFrame([row])


def test_parquet_has_dates_and_nullable_counts(tmp_path):
    write.write_tables({"events": events_frame()}, tmp_path)
    arrow = pq.read_schema(tmp_path / "events.parquet")
    assert str(arrow.field("event_date").type) == "date32[day]"
    assert str(arrow.field("killed").type) == "int64" and arrow.field("killed").nullable
    df = pd.read_parquet(tmp_path / "events.parquet")
    assert df.loc[0, "injured"] == 46 and pd.isna(df.loc[0, "killed"])
    assert str(df["killed"].dtype) == "Int64"


def test_csv_header_is_the_schema(tmp_path):
    write.write_tables({"events": events_frame()}, tmp_path)
    header = (tmp_path / "events.csv").read_text().splitlines()[0].split(",")
    assert header == schema.table("events").names


def test_missing_column_is_refused_and_nothing_is_replaced(tmp_path):
    write.write_tables({"events": events_frame()}, tmp_path)
    before = (tmp_path / "events.parquet").read_bytes()
    with pytest.raises(SchemaError, match="missing columns \\['summary'\\]"):
        write.write_tables({"events": events_frame().drop(columns=["summary"])}, tmp_path)
    assert (tmp_path / "events.parquet").read_bytes() == before
    assert not list(tmp_path.glob(".tmp-*"))


def test_writes_are_byte_identical(tmp_path):
    write.write_tables({"events": events_frame()}, tmp_path / "a")
    write.write_tables({"events": events_frame()}, tmp_path / "b")
    for name in ("events.parquet", "events.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
