"""READ stage: find input files, apply `sources.csv`, decode each file into a Document.

Public API
    MAX_BYTES                                   files larger than this are refused
    discover(inputs) -> list[Path]              expand files and folders
    load_manifest(folder) -> (rows, problems)   parse `folder/sources.csv`
    read_document(path, manifest_row=None, source=None) -> Document
    read_inputs(inputs, strict=False) -> (documents, errors)
    plan_inputs(inputs) -> [ReadTask | InputError]   the files read_inputs reads, not yet read
    read_task(task) -> Document                      read one of them

Helpers also used by `split`: parse_datetime, html_tree, html_depth, jsonld_nodes,
jsonld_type, jsonl_records, load_json.

Hostile input is refused before it can cost much: files over MAX_BYTES by their size
alone (never read), HTML nested deeper than MAX_HTML_DEPTH before it is parsed (the
HTML parser's cost grows with the square of the depth), JSON nested deeper than
MAX_JSON_DEPTH (Python's decoder would raise RecursionError).

Every problem with one file is an InputError(path, one-line reason); `read_inputs`
collects them and goes on with the other files.
"""
from __future__ import annotations

import codecs
import csv
import email.utils
import io
import json
import os
import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

from selectolax.lexbor import LexborHTMLParser

from .errors import InputError
from .models import Document

MAX_BYTES = 50 * 1024 * 1024
MAX_HTML_DEPTH = 512        # browsers stop nesting elements at 512 levels (Blink's parser limit)
MAX_JSON_DEPTH = 100        # real JSON-LD and JSONL nest fewer than 20 levels
# Dates outside these years are refused: "0001-01-01" or "9999-12-31" is a placeholder, not
# a page date, and would overflow the arithmetic on dates and the tables' timestamps.
YEARS = range(1900, 2101)
MANIFEST_NAME = "sources.csv"
SUFFIX_KINDS = (((".txt",), "text"), ((".html", ".htm"), "html"), ((".jsonl",), "jsonl"))
CP1252_NOTE = "not UTF-8; decoded as cp1252"
UNDATED = "no publication date: add it to sources.csv or put YYYY-MM-DD in the file name"
PAGE_TYPES = ("LiveBlogPosting", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "Article")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_ISO_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
# HTML nesting, counted without parsing: start and end tags, comments, raw-text elements.
_TAG = re.compile(r"<(?:(!--)|(/?)([a-zA-Z][\w:-]*)[^<>]*?(/?)>)")
_RAW_TEXT = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript")
_RAW_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _RAW_TEXT}
# Elements that never nest: void ones, and those a parser closes when a sibling opens.
_FLAT = frozenset(("area base br col embed hr img input link meta source track wbr param keygen "
                   "p li dt dd option optgroup tr td th rt rp thead tbody tfoot colgroup caption "
                   "a button form nobr").split())


@dataclass(frozen=True)
class ManifestRow:
    """One row of `sources.csv`: what the user says about one file."""

    file: str                       # path relative to the manifest's folder (posix)
    published: datetime | None = None
    outlet: str | None = None
    url: str | None = None
    title: str | None = None
    row: int = 0                    # row number in sources.csv (the header is row 1)


@dataclass(frozen=True)
class PageMeta:
    """What a page says about itself (HTML metadata, or the dates of JSONL lines)."""

    published: datetime | None = None
    outlet: str | None = None
    url: str | None = None
    title: str | None = None


class JsonlLine(NamedTuple):
    """One non-blank line of a JSONL file: the object, or why it is unusable."""

    lineno: int
    record: dict[str, Any] | None
    problem: str | None


# ---------------------------------------------------------------- dates

def parse_datetime(value: object) -> datetime | None:
    """An ISO 8601 (or RFC 2822) date/datetime as an aware datetime; UTC when no zone is given.

    The zone a value carries is kept, so its local date is not shifted.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = _parse_rfc2822(text)
    if parsed is None or parsed.year not in YEARS:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def has_time_of_day(value: object) -> bool:
    """True when a date string carries a time of day ("2025-05-03T08:41"), not just a date."""
    return isinstance(value, str) and bool(_HAS_TIME.search(value))


def _parse_rfc2822(text: str) -> datetime | None:
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _parse_iso(text: str) -> datetime:
    """Strict ISO date/datetime for sources.csv, in YEARS; raises ValueError."""
    parsed = datetime.fromisoformat(text.strip())
    if parsed.year not in YEARS:
        raise ValueError(f"year {parsed.year} is out of range")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def date_from_name(name: str) -> datetime | None:
    """The last valid YYYY-MM-DD in a file name (or relative path), as midnight UTC."""
    for match in reversed(list(_ISO_DATE_IN_NAME.finditer(name))):
        try:
            return _parse_iso(match.group(0))
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------- discovery

def kind_of(path: Path) -> str | None:
    """'text', 'html' or 'jsonl' from the file suffix; None when unsupported."""
    suffix = path.suffix.lower()
    return next((kind for suffixes, kind in SUFFIX_KINDS if suffix in suffixes), None)


def discover(inputs: Sequence[str | Path]) -> list[Path]:
    """Input files: files as given, folders searched recursively (sorted by path).

    Hidden files and folders, `sources.csv` and unsupported suffixes inside folders are
    skipped; a file named explicitly is kept whatever its suffix (reading it will say
    why it cannot be used). A path that does not exist raises InputError.
    """
    return [path for path, _base in _expand_all(inputs)]


def _expand_all(inputs: Sequence[str | Path]) -> list[tuple[Path, Path]]:
    """(file, base folder) pairs, first occurrence of each file wins."""
    seen: set[Path] = set()
    pairs = []
    for item in inputs:
        for path, base in _expand(Path(item)):
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                pairs.append((path, base))
    return pairs


def _expand(path: Path) -> list[tuple[Path, Path]]:
    if path.is_dir():
        return [(p, path) for p in _walk_folder(path)]
    if path.exists():
        return [(path, path.parent)]
    raise InputError(path, "no such file or folder")


def _walk_folder(folder: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found += [Path(dirpath, f) for f in filenames if _wanted(f)]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _wanted(filename: str) -> bool:
    if filename.startswith(".") or filename == MANIFEST_NAME:
        return False
    return kind_of(Path(filename)) is not None


# ---------------------------------------------------------------- manifest

def load_manifest(folder: str | Path) -> tuple[dict[str, ManifestRow], list[InputError]]:
    """Rows of `folder/sources.csv` keyed by relative posix path, and the problems found.

    No manifest gives ({}, []). Column names are case-insensitive; unknown columns are
    ignored and missing ones are tolerated (except `file`). A bad row (bad date, absolute
    path, path escaping the folder, missing file, duplicate) is left out and reported as
    InputError(sources.csv, "row N: reason"); the other rows are still returned.
    """
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        return {}, []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [InputError(path, f"cannot read: {exc}")]
    return _parse_manifest(path, text)


def _parse_manifest(path: Path, text: str) -> tuple[dict[str, ManifestRow], list[InputError]]:
    reader = csv.DictReader(io.StringIO(text))
    columns = [(name or "").strip().lower() for name in reader.fieldnames or ()]
    if "file" not in columns:
        return {}, [InputError(path, "no 'file' column (expected file,published,outlet,url,title)")]
    rows: dict[str, ManifestRow] = {}
    problems: list[InputError] = []
    try:
        for raw in reader:
            _add_manifest_row(path, rows, problems, _normalise_keys(raw), reader.line_num)
    except csv.Error as exc:
        problems.append(InputError(path, f"row {reader.line_num}: {exc}"))
    return rows, problems


def _normalise_keys(raw: dict[Any, Any]) -> dict[str, str]:
    """Lower-case column names; drop the overflow of over-long rows; strip values."""
    return {
        str(k).strip().lower(): (v or "").strip()
        for k, v in raw.items()
        if k is not None and isinstance(v, (str, type(None)))
    }


def _add_manifest_row(path: Path, rows: dict[str, ManifestRow], problems: list[InputError],
                      raw: dict[str, str], rowno: int) -> None:
    try:
        row = _manifest_row(path.parent, raw, rowno)
    except ValueError as exc:
        problems.append(InputError(path, f"row {rowno}: {exc}"))
        return
    if row.file in rows:
        problems.append(InputError(path, f"row {rowno}: duplicate entry for {row.file} (row {rows[row.file].row} is used)"))
    else:
        rows[row.file] = row


def _manifest_row(folder: Path, raw: dict[str, str], rowno: int) -> ManifestRow:
    """One validated row; raises ValueError with the reason."""
    name = _safe_relative(raw.get("file", ""))
    if not (folder / name).is_file():
        raise ValueError(f"file not found: {name}")
    return ManifestRow(
        file=name,
        published=_manifest_date(raw.get("published", "")),
        outlet=raw.get("outlet") or None,
        url=raw.get("url") or None,
        title=raw.get("title") or None,
        row=rowno,
    )


def _manifest_date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return _parse_iso(value)
    except ValueError:
        raise ValueError(f"bad published date {value!r} (use YYYY-MM-DD or an ISO datetime, "
                         f"{YEARS.start}-{YEARS.stop - 1})") from None


def _safe_relative(name: str) -> str:
    """A manifest file name as a normalised relative posix path; raises ValueError."""
    posix = name.strip().replace("\\", "/")
    if not posix:
        raise ValueError("no file name")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix):
        raise ValueError(f"absolute path not allowed: {name}")
    norm = posixpath.normpath(posix)
    if norm == ".." or norm.startswith("../"):
        raise ValueError(f"path escapes the folder: {name}")
    return norm


# ---------------------------------------------------------------- decoding

def _read_text(path: Path) -> tuple[str, tuple[str, ...]]:
    """The decoded text of a file and any notes; raises InputError."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(path, f"too large: {_human_size(size)} (limit {_human_size(MAX_BYTES)})")
        data = b"" if size == 0 else path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    text, notes = _decode(path, data)
    if not text.strip():
        raise InputError(path, "empty file")
    if len(_CONTROL_CHARS.findall(text)) > max(2, len(text) // 100):
        raise InputError(path, "binary file (not text)")
    return text, notes


def _decode(path: Path, data: bytes) -> tuple[str, tuple[str, ...]]:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            return _decode_bom(path, data, codec, label), ()
    if b"\x00" in data:
        raise InputError(path, "binary file (NUL bytes)")
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), (CP1252_NOTE,)
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 or cp1252 text") from None


def _decode_bom(path: Path, data: bytes, codec: str, label: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise InputError(path, f"not valid {label} text (despite its byte-order mark)") from None


def _human_size(n: int) -> str:
    """212 MB, 1.5 MB, 300 KB, 12 B."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            value = n / scale
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{n} B"


def html_depth(text: str) -> int:
    """How deep the elements of an HTML text nest, counted from its tags without parsing.

    Linear in the text. Elements a parser never nests (void ones, <p>, <li>, <td>, ...)
    are not counted, nor tags inside comments, scripts and styles, so a long flat page
    of unclosed <p>s is shallow and 100,000 nested <div>s are 100,000 deep.
    """
    depth = deepest = pos = 0
    while (match := _TAG.search(text, pos)) is not None:
        pos = match.end()
        if match[1]:                                     # <!-- comment -->
            end = text.find("-->", match.start() + 4)
            if end < 0:
                break
            pos = end + 3
            continue
        name = match[3].lower()
        if name in _FLAT or match[4]:
            continue
        if match[2]:
            depth = max(depth - 1, 0)
        elif name in _RAW_END:
            end = _RAW_END[name].search(text, pos)
            if end is None:
                break
            pos = end.end()
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _check_html_depth(path: Path, text: str) -> None:
    depth = html_depth(text)
    if depth > MAX_HTML_DEPTH:
        raise InputError(path, f"HTML nested too deeply: {depth:,} levels (limit {MAX_HTML_DEPTH})")


# ---------------------------------------------------------------- JSON

def load_json(text: str, strict: bool = True) -> tuple[Any, str | None]:
    """Parse a JSON text: (value, None), or (None, why it is unusable).

    Never raises: a syntax error is "not valid JSON"; nesting deeper than
    MAX_JSON_DEPTH is "nested too deeply" whatever the call stack (Python's decoder
    raises RecursionError at about 1,000 levels, less when called from deep code).
    Integers too long for Python's int conversion are kept as their digits.
    """
    try:
        value = json.loads(text, strict=strict, parse_int=_json_int)
    except RecursionError:
        return None, "nested too deeply"
    except ValueError:
        return None, "not valid JSON"
    if _json_depth(value) > MAX_JSON_DEPTH:
        return None, "nested too deeply"
    return value, None


def _json_int(digits: str) -> int | str:
    """640 digits is the lowest limit Python's int() can be configured to accept."""
    return int(digits) if len(digits) <= 640 else digits


def _json_depth(value: Any) -> int:
    """The nesting depth of a parsed JSON value (iterative: no recursion limit)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (list, dict)):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                break
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


# ---------------------------------------------------------------- page metadata

def html_tree(text: str) -> LexborHTMLParser:
    """A tolerant HTML parse (lexbor never raises on malformed markup)."""
    return LexborHTMLParser(text)


def jsonld_nodes(tree: LexborHTMLParser) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Top-level JSON-LD objects of a page (lists and `@graph` flattened).

    Returns the objects and, for each script block that was unusable (not valid JSON,
    nested too deeply), its 1-based number and the reason; the other blocks are used.
    """
    nodes: list[dict[str, Any]] = []
    bad: list[tuple[int, str]] = []
    for number, script in enumerate(tree.css('script[type="application/ld+json"]'), start=1):
        data, problem = load_json(_strip_cdata(script.text()), strict=False)
        if problem:
            bad.append((number, problem))
        else:
            nodes += _flatten_jsonld(data)
    return nodes, bad


def _strip_cdata(text: str) -> str:
    if "<![CDATA[" not in text and "]]>" not in text:
        return text     # (nearly every block: the pattern would try its second branch at every character)
    return _CDATA.sub("", text)


_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")


def _flatten_jsonld(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [node for item in data for node in _flatten_jsonld(item)]
    if not isinstance(data, dict):
        return []
    graph = _flatten_jsonld(data.get("@graph", []))
    return ([data] if "@type" in data else []) + graph


def jsonld_type(node: dict[str, Any]) -> set[str]:
    """The schema.org types of a node, without prefixes ("schema:NewsArticle" -> NewsArticle)."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {re.split(r"[/:#]", v)[-1] for v in values if isinstance(v, str)}


def _text_value(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _first(*values: Any) -> Any:
    return next((v for v in values if v), None)


def _page_nodes(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Article-like JSON-LD nodes, LiveBlogPosting first, then NewsArticle, ..."""
    return [n for wanted in PAGE_TYPES for n in nodes if wanted in jsonld_type(n)]


def _publisher_name(node: dict[str, Any]) -> str | None:
    publisher = node.get("publisher")
    publisher = publisher[0] if isinstance(publisher, list) and publisher else publisher
    return _text_value(publisher.get("name")) if isinstance(publisher, dict) else None


def _meta(tree: LexborHTMLParser, key: str) -> str | None:
    node = tree.css_first(f'meta[property="{key}"]') or tree.css_first(f'meta[name="{key}"]')
    return _text_value(node.attributes.get("content")) if node else None


def _earliest_time(tree: LexborHTMLParser) -> datetime | None:
    times = [parse_datetime(n.attributes.get("datetime")) for n in tree.css("time[datetime]")]
    return min((t for t in times if t), default=None)


def _canonical_url(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first('link[rel="canonical"]')
    return _text_value(node.attributes.get("href")) if node else None


def _title(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("title")
    return _text_value(" ".join(node.text().split())) if node else None


def html_metadata(text: str) -> PageMeta:
    """Date, outlet, url and title a saved HTML page declares, in order of trust."""
    tree = html_tree(text)
    pages = _page_nodes(jsonld_nodes(tree)[0])
    return PageMeta(
        published=_first(*(parse_datetime(n.get("datePublished")) for n in pages),
                         parse_datetime(_meta(tree, "article:published_time")), _earliest_time(tree)),
        outlet=_first(*(_publisher_name(n) for n in pages), _meta(tree, "og:site_name")),
        url=_first(_canonical_url(tree), _meta(tree, "og:url"), *(_text_value(n.get("url")) for n in pages)),
        title=_first(*(_text_value(n.get("headline")) for n in pages), _meta(tree, "og:title"), _title(tree)),
    )


def jsonl_records(text: str) -> Iterator[JsonlLine]:
    """Each non-blank line of a JSONL text, parsed (problem set when unusable)."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        record, problem = load_json(line)
        if problem:
            yield JsonlLine(lineno, None, problem)
        elif isinstance(record, dict):
            yield JsonlLine(lineno, record, None)
        else:
            yield JsonlLine(lineno, None, "not a JSON object")


def jsonl_metadata(text: str) -> PageMeta:
    """A JSONL file's date is its earliest line's `published`."""
    dates = [parse_datetime(line.record.get("published")) for line in jsonl_records(text) if line.record]
    return PageMeta(published=min((d for d in dates if d), default=None))


def _page_metadata(kind: str, text: str) -> PageMeta:
    if kind == "html":
        return html_metadata(text)
    if kind == "jsonl":
        return jsonl_metadata(text)
    return PageMeta()


# ---------------------------------------------------------------- documents

def read_document(path: str | Path, manifest_row: ManifestRow | None = None,
                  source: str | None = None) -> Document:
    """Read and decode one file; raises InputError with a one-line reason.

    Date precedence: manifest row, YYYY-MM-DD in the file name, page metadata.
    Outlet, url and title: manifest row, then page metadata.
    """
    path = Path(path)
    kind = kind_of(path)
    if kind is None:
        raise InputError(path, f"unsupported file type {path.suffix or '(none)'!r} (use .txt, .html, .htm or .jsonl)")
    text, notes = _read_text(path)
    if kind == "html":
        _check_html_depth(path, text)
    source = source or path.name
    meta = _page_metadata(kind, text)
    row = manifest_row or ManifestRow(file=source)
    published = _first(row.published, date_from_name(source), meta.published)
    if published is None:
        raise InputError(path, UNDATED)
    return Document(
        source=source, path=str(path), kind=kind, text=text, published=published,
        outlet=_first(row.outlet, meta.outlet), url=_first(row.url, meta.url),
        title=_first(row.title, meta.title), notes=notes,
    )


@dataclass(frozen=True)
class ReadTask:
    """One file `read_inputs` reads: where it is, its `sources.csv` row, its name as a source."""

    path: Path
    row: ManifestRow | None
    source: str


def plan_inputs(inputs: Sequence[str | Path]) -> list[ReadTask | InputError]:
    """The files `read_inputs` reads, in its order, with the problems met finding them (missing
    inputs, bad `sources.csv` rows) in place. Reads folders and manifests, never the files, so the
    files can be read anywhere (`read_task`), e.g. by the workers of a cluster."""
    planner = _Planner()
    for item in inputs:
        planner.add_input(Path(item))
    return planner.plan


def read_task(task: ReadTask) -> Document:
    """Read the file of one task (see `read_document`)."""
    return read_document(task.path, task.row, task.source)


def read_inputs(inputs: Sequence[str | Path], strict: bool = False) -> tuple[list[Document], list[InputError]]:
    """Read every input file; return the documents and every problem met.

    Never stops at a bad file: missing inputs, bad manifest rows and unreadable files
    are all collected as InputErrors (in the order met). With strict=True the first
    InputError is raised instead. Documents come in discovery order.
    """
    documents: list[Document] = []
    errors: list[InputError] = []
    for entry in plan_inputs(inputs):
        try:
            if isinstance(entry, InputError):
                raise entry
            documents.append(read_task(entry))
        except InputError as exc:
            if strict:
                raise
            errors.append(exc)
    return documents, errors


class _Planner:
    """The state of one `plan_inputs` call: the plan so far, manifests and files seen."""

    def __init__(self) -> None:
        self.plan: list[ReadTask | InputError] = []
        self.manifests: dict[Path, dict[str, ManifestRow]] = {}
        self.seen: set[Path] = set()

    def add_input(self, item: Path) -> None:
        try:
            pairs = _expand(item)
        except InputError as exc:
            self.plan.append(exc)
            return
        for path, base in pairs:
            if path.resolve() not in self.seen:
                self.seen.add(path.resolve())
                row = self.manifest_row(path, base)
                self.plan.append(ReadTask(path, row, path.relative_to(base).as_posix()))

    def manifest_row(self, path: Path, base: Path) -> ManifestRow | None:
        """The row for `path` in the nearest sources.csv between its folder and `base`."""
        for folder in _folders_up_to(path.parent, base):
            row = self.manifest(folder).get(path.relative_to(folder).as_posix())
            if row:
                return row
        return None

    def manifest(self, folder: Path) -> dict[str, ManifestRow]:
        if folder not in self.manifests:
            rows, problems = load_manifest(folder)
            self.manifests[folder] = rows
            self.plan.extend(problems)
        return self.manifests[folder]


def _folders_up_to(folder: Path, base: Path) -> list[Path]:
    """`folder` and its parents, up to and including `base`."""
    chain = [folder]
    while chain[-1] != base and chain[-1] != chain[-1].parent:
        chain.append(chain[-1].parent)
    return chain
