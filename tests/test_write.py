"""Writing: schema enforcement, dtypes in Parquet, atomic replacement."""
from datetime import date, datetime, timezone

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

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


# --- CSV text ----------------------------------------------------------------------------------------------------

# every type a column of the schema has (schema.PANDAS_TYPES), as pandas holds it
CSV_COLUMNS = {"text": "string", "count": "Int64", "offset": "int", "rank": "int8", "lat": "float",
               "day": "date", "at": "timestamp"}
# commas, quotes and line feeds must be quoted; the rest is written as it is (a carriage return is
# the one character quoted on purpose where pandas does not: see test_a_carriage_return_is_quoted)
CSV_ALPHABET = st.sampled_from([",", '"', "\n", " ", "a", "Z", "0", "-", ";", "'", "é", "я", "“", "”", "\t", "😀"])


def _csv_frame(rows: list[tuple]) -> pd.DataFrame:
    columns = list(zip(*rows)) if rows else [()] * len(CSV_COLUMNS)
    df = pd.DataFrame(index=range(len(rows)))
    for (column, kind), values in zip(CSV_COLUMNS.items(), columns):
        if kind == "timestamp":
            df[column] = pd.to_datetime(pd.Series(values, dtype=object), utc=True).astype(schema.PANDAS_TYPES[kind])
        elif kind in ("string", "date"):
            df[column] = pd.Series(values, dtype=object)
        else:
            df[column] = pd.array(values, dtype=schema.PANDAS_TYPES[kind])
    return df


def _pandas_csv(df: pd.DataFrame) -> bytes:
    """What the CSVs were written as before timeline made the lines in Arrow: pandas' `to_csv` of the
    frame, timestamps formatted as schema.CSV_TIMESTAMP."""
    df = df.copy()
    for column, kind in CSV_COLUMNS.items():
        if kind == "timestamp":
            df[column] = df[column].dt.strftime(schema.CSV_TIMESTAMP).where(df[column].notna(), None)
    return df.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _arrow_csv(df: pd.DataFrame, path) -> bytes:
    arrow = pa.schema([(c, schema.ARROW_TYPES[kind]) for c, kind in CSV_COLUMNS.items()])
    table = pa.Table.from_pandas(df, schema=arrow, preserve_index=False)
    write.write_csv(path, table.column_names, write.csv_pieces(table))
    return path.read_bytes()


csv_rows = st.lists(st.tuples(
    st.none() | st.text(CSV_ALPHABET, max_size=12),
    st.none() | st.integers(-2**63, 2**63 - 1),
    st.integers(-2**63, 2**63 - 1),
    st.none() | st.integers(-128, 127),
    st.none() | st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([30.0, 50.4501, 1e16, 1e-5, -0.0]),
    st.none() | st.dates(),
    st.none() | st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(timezone.utc)),
), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=csv_rows, chunk=st.sampled_from([1, 5, 100_000]))
@example(rows=[("a", None, 1, None, x, None, None) for x in (0.0, -0.0, 0.0, float("nan"), None)], chunk=100_000)
def test_csv_lines_are_what_pandas_writes(rows, chunk, tmp_path, monkeypatch):
    """The CSVs are made in Arrow (write.csv_text), to the byte what pandas' to_csv wrote for every dtype
    of the schema: quoting, floats (30.0, 1e-05, inf), nulls, dates and timestamps of any year, whole
    seconds of a time with microseconds (before 1970 too), in chunks of any size."""
    monkeypatch.setattr(write, "CSV_ROWS", chunk)
    df = _csv_frame(rows)
    assert _arrow_csv(df, tmp_path / "t.csv") == _pandas_csv(df)


def test_a_carriage_return_is_quoted_and_reads_back(tmp_path):
    """A bare carriage return ends a row for CSV readers (pandas wrote it unquoted): it is quoted."""
    df = _csv_frame([("a\rb", 1, 2, 3, 1.5, date(2025, 5, 2), datetime(2025, 5, 2, 6, tzinfo=timezone.utc))])
    text = _arrow_csv(df, tmp_path / "t.csv")
    assert text.split(b"\n")[1].startswith(b'"a\rb",1,2,3,1.5,2025-05-02,2025-05-02T06:00:00Z')
    back = pd.read_csv(tmp_path / "t.csv")
    assert len(back) == 1 and back.loc[0, "text"] == "a\rb"


def test_every_type_of_the_schema_has_csv_text():
    kinds = {t.type for name in schema.tables() for t in schema.table(name).columns}
    for kind in kinds:
        assert write.csv_text(pa.array([None], schema.ARROW_TYPES[kind])).to_pylist() == [None]
    with pytest.raises(TypeError, match="no CSV text"):
        write.csv_text(pa.array([True]))
