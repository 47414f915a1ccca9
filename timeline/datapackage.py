"""Descriptions of the output generated from `data/schema.yaml`.

`descriptor()` is the Frictionless Data Package (v1) that every build writes
as `OUT/datapackage.json` beside the CSV tables; `markdown()` is
`docs/schema.md`. Both are pure functions of the schema (and, for the
package, of the CSV files' bytes), so the same input gives byte-identical
files: no timestamps, keys sorted.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterable, Mapping

from . import __version__, schema

# Our column types -> Frictionless field types (and the CSV format write._write_csv gives them).
FIELD_TYPES = {
    "string": "string",
    "date": "date",          # YYYY-MM-DD
    "timestamp": "datetime",  # YYYY-MM-DDTHH:MM:SSZ, UTC
    "float": "number",
    "int": "integer",
    "Int64": "integer",
    "int8": "integer",
}
# How write._write_csv writes a CSV: pandas' defaults with "\n" line ends, nulls as empty cells.
DIALECT = {"delimiter": ",", "doubleQuote": True, "header": True, "lineTerminator": "\n", "quoteChar": '"'}
MISSING_VALUES = [""]


def field(col: schema.Column) -> dict:
    """The Frictionless field of one column."""
    out: dict = {"name": col.name, "type": FIELD_TYPES[col.type], "description": col.description}
    if col.type == "timestamp":
        out["format"] = schema.CSV_TIMESTAMP
    constraints: dict = {}
    if not col.nullable:
        constraints["required"] = True
    if col.values:
        constraints["enum"] = list(col.values)
    if constraints:
        out["constraints"] = constraints
    if col.unit:
        out["unit"] = col.unit
        out["description"] = f"{col.description} (unit: {col.unit})"
    return out


def resource(tbl: schema.Table, names: Iterable[str], csv: Path | None = None) -> dict:
    """The tabular data resource of one table's CSV; `names` are the tables in the package.

    With `csv`, its size and sha256 are recorded, so a validator notices a
    CSV that was changed or is not the one this package was written with.
    """
    names = set(names)
    table_schema: dict = {"fields": [field(c) for c in tbl.columns], "missingValues": MISSING_VALUES}
    if tbl.primary_key:
        table_schema["primaryKey"] = [tbl.primary_key]
    keys = [{"fields": [col], "reference": {"resource": ref, "fields": [schema.table(ref).primary_key]}}
            for col, ref in tbl.foreign_keys if ref in names]
    if keys:
        table_schema["foreignKeys"] = keys
    out = {
        "name": tbl.name,
        "path": f"{tbl.name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": tbl.description,
        "dialect": DIALECT,
        "schema": table_schema,
    }
    if csv is not None:
        digest, size = hashlib.sha256(), 0
        with open(csv, "rb") as fh:
            while block := fh.read(1 << 20):   # a block at a time: a large build's CSV is not held
                digest.update(block)
                size += len(block)
        out["bytes"] = size
        out["hash"] = "sha256:" + digest.hexdigest()
    return out


def descriptor(names: Iterable[str] | None = None, csvs: Mapping[str, Path] | None = None) -> dict:
    """The Data Package of the tables `names` (default: all), in schema order.

    `csvs` maps a table name to its CSV file (possibly still under its
    temporary name) to record its size and hash. Foreign keys to tables that
    are not in the package are left out.
    """
    wanted = set(schema.tables() if names is None else names)
    tables = [t for t in schema.tables().values() if t.name in wanted]
    csvs = csvs or {}
    return {
        "name": "timeline-events",
        "title": "Russia-Ukraine war events from news live blogs",
        "description": "Deduplicated events extracted by timeline from saved live-blog pages, with the "
                       "mentions, items and figures they come from. Column definitions: docs/schema.md.",
        "profile": "tabular-data-package",
        "timeline_version": __version__,
        "resources": [resource(t, wanted, csvs.get(t.name)) for t in tables],
    }


def dumps(package: dict) -> str:
    """Deterministic JSON text: keys sorted, two-space indent, UTF-8, final newline."""
    return json.dumps(package, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, names: Iterable[str] | None = None, csvs: Mapping[str, Path] | None = None) -> None:
    path.write_text(dumps(descriptor(names, csvs)), encoding="utf-8")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(names: Iterable[str] | None = None) -> str:
    """docs/schema.md: one section per table (all, or `names`), one row per column."""
    wanted = set(schema.tables() if names is None else names)
    lines = [
        "# Output tables",
        "",
        "Generated from `timeline/data/schema.yaml` by `make docs` (`timeline schema --markdown`);"
        " do not edit by hand.",
        "Every build writes each table as `OUT/<table>.parquet` and `OUT/<table>.csv`, and",
        "`OUT/datapackage.json`, a [Frictionless Data Package](https://specs.frictionlessdata.io/data-package/)",
        "with the same definitions. In the CSVs a null is an empty cell, a date is `YYYY-MM-DD` and a",
        "timestamp is UTC `YYYY-MM-DDTHH:MM:SSZ`. Types: `string`, `date`, `timestamp`, `float`,",
        "`int` (never null), `Int64` (integer, null when not reported), `int8` (small integer, nullable).",
        "A CSV is UTF-8 with a header row, each row ending in a line feed; a value holding a comma, a double",
        "quote or a line break (line feed or carriage return) is quoted, its double quotes doubled.",
    ]
    for tbl in schema.tables().values():
        if tbl.name not in wanted:
            continue
        lines += ["", f"## {tbl.name}", "", _cell(tbl.description) + ".", ""]
        facts = [f"Sorted by {', '.join(f'`{k}`' for k in tbl.sort)}."]
        if tbl.primary_key:
            facts.append(f"Primary key `{tbl.primary_key}`.")
        for col, ref in tbl.foreign_keys:
            facts.append(f"`{col}` refers to `{ref}.{schema.table(ref).primary_key}`.")
        lines += [" ".join(facts), "", "| column | type | description | allowed values / unit |",
                  "|---|---|---|---|"]
        for col in tbl.columns:
            extra = ", ".join(f"`{v}`" for v in col.values) if col.values else (col.unit or "")
            lines.append(f"| `{col.name}` | {col.type} | {_cell(col.description)} | {_cell(extra)} |")
    return "\n".join(lines) + "\n"
