"""The output schema, read once from `data/schema.yaml`.

Everything that needs column names or types (the Parquet schema, the CSV
header, the pandas dtypes, `timeline schema`, docs) derives them from here.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import pyarrow as pa
import yaml

from .errors import SchemaError
from .vocab import read_text

CSV_TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"  # how timestamps (UTC) are written in the CSVs

ARROW_TYPES = {
    "string": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "float": pa.float64(),
    "int": pa.int64(),
    "Int64": pa.int64(),
    "int8": pa.int8(),
}
PANDAS_TYPES = {
    "string": "object",
    "date": "object",
    "timestamp": "datetime64[us, UTC]",
    "float": "float64",
    "int": "int64",
    "Int64": "Int64",
    "int8": "Int8",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    values: tuple[str, ...] | None = None
    unit: str | None = None

    @property
    def nullable(self) -> bool:
        return self.type != "int"


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    sort: tuple[str, ...]
    columns: tuple[Column, ...]
    primary_key: str | None = None
    foreign_keys: tuple[tuple[str, str], ...] = ()  # (column, table whose primary key it refers to)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, ARROW_TYPES[c.type], nullable=c.nullable) for c in self.columns]
        )


def _flatten(columns: list) -> list[dict]:
    flat: list[dict] = []
    for col in columns:
        flat.extend(_flatten(col) if isinstance(col, list) else [col])
    return flat


def _column(spec: dict) -> Column:
    if spec.get("type") not in ARROW_TYPES:
        raise SchemaError(f"schema.yaml: column {spec.get('name')!r} has unknown type {spec.get('type')!r}")
    values = tuple(spec["values"]) if spec.get("values") else None
    return Column(spec["name"], spec["type"], spec.get("description", ""), values, spec.get("unit"))


@lru_cache(maxsize=None)
def _load() -> dict:
    return yaml.safe_load(read_text("schema.yaml"))


@lru_cache(maxsize=None)
def tables() -> dict[str, Table]:
    """Every output table, in the order they are written."""
    out = {}
    for name, spec in _load()["tables"].items():
        cols = tuple(_column(c) for c in _flatten(spec["columns"]))
        keys = tuple((spec.get("foreign_keys") or {}).items())
        out[name] = Table(name, spec["description"], tuple(spec["sort"]), cols, spec.get("primary_key"), keys)
    names = {t.name: {c.name for c in t.columns} for t in out.values()}
    for tbl in out.values():
        if tbl.primary_key is not None and tbl.primary_key not in names[tbl.name]:
            raise SchemaError(f"schema.yaml: table {tbl.name}: primary key {tbl.primary_key!r} is not a column")
        for col, ref in tbl.foreign_keys:
            if col not in names[tbl.name] or ref not in out or out[ref].primary_key is None:
                raise SchemaError(f"schema.yaml: table {tbl.name}: foreign key {col!r} -> {ref!r} "
                                  "needs a column and a table with a primary key")
    return out


def table(name: str) -> Table:
    return tables()[name]


@lru_cache(maxsize=None)
def figure_categories() -> tuple[str, ...]:
    """The figure categories, which are also `events` columns."""
    return tuple(_load()["figure_categories"])


@lru_cache(maxsize=None)
def figure_group(name: str) -> frozenset[str]:
    """A group of figure categories the rules read together (`figure_groups` in schema.yaml)."""
    groups = _load().get("figure_groups") or {}
    if name not in groups:
        raise SchemaError(f"schema.yaml: figure_groups has no group {name!r}")
    unknown = [c for c in groups[name] if c not in figure_categories()]
    if unknown:
        raise SchemaError(f"schema.yaml: figure group {name!r} names {unknown}, which are not figure categories")
    return frozenset(groups[name])


@lru_cache(maxsize=None)
def downed_weapons() -> tuple[str, ...]:
    """The weapon categories counted both as launched and as shot down (`<weapon>_downed`)."""
    weapons = tuple(_load()["downed_weapons"])
    for weapon in weapons:
        if weapon not in figure_categories() or f"{weapon}_downed" not in figure_categories():
            raise SchemaError(f"schema.yaml: downed weapon {weapon!r} needs figure categories {weapon!r} "
                              f"and {weapon + '_downed'!r}")
    return weapons


def enforce(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Columns of `df` in schema order with schema dtypes; raises on missing or extra columns."""
    tbl = table(name)
    missing = [c for c in tbl.names if c not in df.columns]
    extra = [c for c in df.columns if c not in tbl.names]
    if missing or extra:
        raise SchemaError(f"table {name}: missing columns {missing}, unknown columns {extra}")
    df = df[tbl.names].copy()
    for col in tbl.columns:
        df[col.name] = _cast(df[col.name], col)
    return df


def _cast(series: pd.Series, col: Column) -> pd.Series:
    if col.type == "timestamp":
        return pd.to_datetime(series, utc=True).astype(PANDAS_TYPES["timestamp"])
    if col.type == "date":
        return pd.to_datetime(series).dt.date.astype("object").where(series.notna(), None)
    if col.type == "string":
        return series.astype("object").where(series.notna(), None)
    return series.astype(PANDAS_TYPES[col.type])


def empty(name: str) -> pd.DataFrame:
    """An empty frame with the table's columns and dtypes."""
    return _empty(name).copy()


@lru_cache(maxsize=None)
def _empty(name: str) -> pd.DataFrame:
    return enforce(pd.DataFrame({c: [] for c in table(name).names}), name)     # (~15 ms: made once)
