"""Write the tables as Parquet and CSV, atomically.

Each file is written to a temporary name in the output folder and renamed
over the old one, so an interrupted run leaves the previous output intact.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import datapackage, schema
from .state import folder as state_folder, meta as state_meta, write_frame as write_state_frame
from .errors import OutputError


def write_tables(frames: dict[str, pd.DataFrame], out_dir: str | Path,
                 state: dict[str, pd.DataFrame] | None = None) -> list[Path]:
    """Write every table as `<name>.parquet` and `<name>.csv`; returns the paths written.

    `datapackage.json` (timeline.datapackage) describes the CSVs written,
    with their sizes and hashes.

    `state` (see timeline.state) goes to `.timeline/` beside the tables, for
    the next incremental build. All files are first written under temporary
    names; only when every one of them is complete are they renamed into
    place, tables first, state last.
    """
    out = Path(out_dir)
    _mkdir(out)
    _sweep(out)
    staged: list[tuple[Path, Path]] = []
    csvs: dict[str, Path] = {}
    try:
        for name, df in frames.items():
            df = sort_table(schema.enforce(df, name), name)
            staged.append((_stage(out, lambda p: _write_parquet(df, name, p)), out / f"{name}.parquet"))
            csvs[name] = _stage(out, lambda p: _write_csv(df, p))
            staged.append((csvs[name], out / f"{name}.csv"))
        staged.append((_stage(out, lambda p: datapackage.write(p, list(frames), csvs)), out / "datapackage.json"))
        if state is not None:
            folder = _mkdir(state_folder(out))
            for name, df in state.items():
                staged.append((_stage(folder, lambda p: write_state_frame(df, p)), folder / f"{name}.parquet"))
            staged.append((_stage(folder, lambda p: p.write_text(state_meta(), encoding="utf-8")),
                           folder / "state.json"))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, final in staged:
        os.replace(tmp, final)
    return [final for _, final in staged]


def _sweep(out: Path) -> None:
    """Remove the temporary files a killed build left behind (never read as output, but litter)."""
    for folder in (out, state_folder(out)):
        for tmp in folder.glob(".tmp-*"):
            tmp.unlink(missing_ok=True)


def _mkdir(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create output folder ({exc.strerror})") from exc
    return folder


def sort_table(df: pd.DataFrame, name: str) -> pd.DataFrame:
    keys = list(schema.table(name).sort)
    return df.sort_values(keys, kind="mergesort", na_position="last").reset_index(drop=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


def _stage(out: Path, writer) -> Path:
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=out)
    os.fchmod(fd, _FILE_MODE)  # mkstemp makes files private; outputs are ordinary files
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        writer(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{out}: cannot write ({exc.strerror})") from exc
    return tmp


def write_atomic(path: Path, writer) -> Path:
    """Write one file (`writer(tmp_path)`) under a temporary name beside it, then rename it into place."""
    os.replace(_stage(path.parent, writer), path)
    return path


def _write_parquet(df: pd.DataFrame, name: str, path: Path) -> None:
    arrow = pa.Table.from_pandas(df, schema=schema.table(name).arrow_schema(), preserve_index=False)
    pq.write_table(arrow, path, compression="zstd")


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df = df.copy()
    for col in df.columns:
        if isinstance(df[col].dtype, pd.DatetimeTZDtype):
            df[col] = df[col].dt.strftime(schema.CSV_TIMESTAMP).where(df[col].notna(), None)
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def read_tables(out_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The tables of a previous build (Parquet), for incremental merges and `inspect`."""
    out = Path(out_dir)
    frames = {}
    for name in schema.tables():
        path = out / f"{name}.parquet"
        if path.exists():
            try:
                frames[name] = pq.read_table(path).to_pandas()
            except (OSError, pa.ArrowException) as exc:
                raise OutputError(f"{path}: cannot read previous output ({exc})") from exc
    return frames
