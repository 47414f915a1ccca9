"""READ stage: discovery, sources.csv, decoding, dates and metadata, error collection."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from timeline import read
from timeline.errors import InputError
from timeline.read import (
    CP1252_NOTE, UNDATED, ManifestRow, discover, load_manifest, read_document, read_inputs,
)

UTC = timezone.utc
STORY = "Russian drones struck a fuel depot near Lviv overnight, the regional governor said.\n"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def reason(exc_info: pytest.ExceptionInfo[InputError]) -> str:
    return exc_info.value.reason


# ---------------------------------------------------------------- dates

def test_manifest_date_beats_file_name_date(tmp_path):
    write(tmp_path, "blog-2025-06-01.txt", STORY)
    write(tmp_path, "sources.csv", "file,published,outlet,url,title\n"
                                   "blog-2025-06-01.txt,2025-05-03,The Daily Example,https://ex.org/b,Live: Lviv\n")
    docs, errors = read_inputs([tmp_path])
    assert errors == []
    (doc,) = docs
    assert doc.published == datetime(2025, 5, 3, tzinfo=UTC)
    assert (doc.outlet, doc.url, doc.title) == ("The Daily Example", "https://ex.org/b", "Live: Lviv")
    assert doc.source == "blog-2025-06-01.txt" and doc.kind == "text"


def test_manifest_datetime_naive_is_utc_and_aware_keeps_its_zone(tmp_path):
    write(tmp_path, "a.txt", STORY)
    write(tmp_path, "b.txt", STORY)
    write(tmp_path, "sources.csv", "file,published\na.txt,2025-05-03T09:30:00\nb.txt,2025-05-03T09:30:00+03:00\n")
    rows, problems = load_manifest(tmp_path)
    assert problems == []
    assert rows["a.txt"].published == datetime(2025, 5, 3, 9, 30, tzinfo=UTC)
    assert rows["b.txt"].published.utcoffset() == timedelta(hours=3)


def test_date_from_file_name(tmp_path):
    path = write(tmp_path, "kyiv-live-2025-05-20.txt", STORY)
    doc = read_document(path)
    assert doc.published == datetime(2025, 5, 20, tzinfo=UTC)
    assert doc.published.tzinfo is not None
    assert doc.source == "kyiv-live-2025-05-20.txt"


def test_invalid_date_in_file_name_is_ignored(tmp_path):
    path = write(tmp_path, "kyiv-live-2025-13-45.txt", STORY)
    with pytest.raises(InputError) as exc:
        read_document(path)
    assert reason(exc) == UNDATED


def test_undated_text_file_gives_the_exact_error(tmp_path):
    path = write(tmp_path, "kyiv-live.txt", STORY)
    with pytest.raises(InputError) as exc:
        read_document(path)
    assert str(exc.value) == (
        f"{path}: no publication date: add it to sources.csv or put YYYY-MM-DD in the file name")


def test_jsonld_date_outlet_url_title(fixtures_dir):
    doc = read_document(fixtures_dir / "liveblog_graph.html")
    assert doc.kind == "html"
    assert doc.published == datetime(2025, 6, 2, 5, 30, tzinfo=timezone(timedelta(hours=1)))
    assert doc.outlet == "Example News"
    assert doc.url == "https://news.example.org/world/ukraine-live-talks"
    assert doc.title == "Ukraine war latest: talks resume"


def test_manifest_beats_jsonld(tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "liveblog_graph.html", tmp_path / "talks.html")
    write(tmp_path, "sources.csv", "file,published,outlet\ntalks.html,2025-06-01,Other Outlet\n")
    (doc,), errors = read_inputs([tmp_path])
    assert errors == []
    assert doc.published == datetime(2025, 6, 1, tzinfo=UTC)
    assert doc.outlet == "Other Outlet"
    assert doc.title == "Ukraine war latest: talks resume"     # not in the manifest: from the page


def test_meta_published_time_then_earliest_time_element(tmp_path):
    meta = write(tmp_path, "m.html", '<html><head><meta property="article:published_time" '
                 'content="2025-04-08T06:00:00Z"></head><body><time datetime="2025-04-01">x</time></body></html>')
    times = write(tmp_path, "t.html", '<body><time datetime="2025-04-08T10:00:00Z">10:00</time>'
                  '<p>Text</p><time datetime="2025-04-08T07:15:00Z">07:15</time></body>')
    assert read_document(meta).published == datetime(2025, 4, 8, 6, 0, tzinfo=UTC)
    assert read_document(times).published == datetime(2025, 4, 8, 7, 15, tzinfo=UTC)


def test_malformed_jsonld_is_skipped_and_the_next_source_used(tmp_path):
    page = ('<html><head><script type="application/ld+json">{"@type": "LiveBlogPosting", '
            '"datePublished": "2025-01-01",</script>'
            '<meta property="article:published_time" content="2025-04-09T05:00:00+03:00">'
            '<meta property="og:site_name" content="Steppe Post"></head>'
            '<body><div><p>Unclosed <b>markup <p>everywhere</body>')
    doc = read_document(write(tmp_path, "broken.html", page))
    assert doc.published == datetime(2025, 4, 9, 5, 0, tzinfo=timezone(timedelta(hours=3)))
    assert doc.outlet == "Steppe Post"


@pytest.mark.parametrize("wrapped", [
    '{"@type": "LiveBlogPosting", "datePublished": "2025-04-08T06:00:00Z"}',
    '//<![CDATA[\n{"@type": "LiveBlogPosting", "datePublished": "2025-04-08T06:00:00Z"}\n//]]>',
    ' <![CDATA[{"@type": "LiveBlogPosting", "datePublished": "2025-04-08T06:00:00Z"}]]> ',
])
def test_jsonld_in_a_cdata_section_or_not(tmp_path, wrapped):
    page = f'<html><head><script type="application/ld+json">{wrapped}</script></head><body><p>Text</p></body></html>'
    assert read_document(write(tmp_path, "p.html", page)).published == datetime(2025, 4, 8, 6, 0, tzinfo=UTC)


def test_malformed_first_jsonld_block_then_valid_one(fixtures_dir):
    doc = read_document(fixtures_dir / "liveblog_two_scripts.html")
    assert doc.published == datetime(2025, 7, 14, 6, 0, tzinfo=UTC)
    assert doc.outlet == "Harbour Times"
    assert doc.title == "Live: Black Sea updates"


def test_jsonl_document_date_is_the_earliest_line(fixtures_dir):
    doc = read_document(fixtures_dir / "items.jsonl")
    assert doc.kind == "jsonl"
    assert doc.published == datetime(2025, 3, 9, 22, 40, tzinfo=UTC)


# ---------------------------------------------------------------- decoding and refusals

def test_empty_and_blank_files(tmp_path):
    for name, content in (("empty-2025-05-01.txt", b""), ("blank-2025-05-01.txt", b" \n\t\n")):
        with pytest.raises(InputError) as exc:
            read_document(write(tmp_path, name, content))
        assert reason(exc) == "empty file"


def test_binary_file_with_nul_bytes(tmp_path):
    path = write(tmp_path, "image-2025-05-01.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError) as exc:
        read_document(path)
    assert reason(exc) == "binary file (NUL bytes)"


def test_control_characters_are_not_text(tmp_path):
    path = write(tmp_path, "noise-2025-05-01.txt", bytes(range(1, 9)) * 20)
    with pytest.raises(InputError) as exc:
        read_document(path)
    assert reason(exc) == "binary file (not text)"


def test_cp1252_is_decoded_with_a_note(tmp_path):
    text = "Officials in Odesa said the caf\u00e9 was hit \u2013 \u201cno one was hurt\u201d.\n"
    doc = read_document(write(tmp_path, "odesa-2025-05-01.txt", text.encode("cp1252")))
    assert doc.text == text
    assert doc.notes == (CP1252_NOTE,)
    assert CP1252_NOTE == "not UTF-8; decoded as cp1252"


def test_utf8_is_decoded_without_a_note(tmp_path):
    doc = read_document(write(tmp_path, "kyiv-2025-05-01.txt", "Kyiv\u2019s mayor spoke.\n"))
    assert doc.text == "Kyiv\u2019s mayor spoke.\n" and doc.notes == ()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_byte_order_marks(tmp_path, encoding):
    text = "Kherson was shelled again \u2014 two people were hurt.\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    doc = read_document(write(tmp_path, "kherson-2025-05-01.txt", data))
    assert doc.text == text and doc.notes == ()


def test_neither_utf8_nor_cp1252(tmp_path):
    path = write(tmp_path, "odd-2025-05-01.txt", b"Plain start \x81\x8d\x90 then bytes cp1252 lacks")
    with pytest.raises(InputError) as exc:
        read_document(path)
    assert reason(exc) == "not UTF-8 or cp1252 text"


def test_too_large_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge-2025-05-01.txt"
    with path.open("wb") as handle:
        handle.truncate(212 * 1024 * 1024)      # sparse: no disk used, never read
    with pytest.raises(InputError) as exc:
        read_document(path)
    assert reason(exc) == "too large: 212 MB (limit 50 MB)"


def test_too_large_with_a_small_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_BYTES", 1024)
    path = write(tmp_path, "big-2025-05-01.txt", "x" * 3000)
    with pytest.raises(InputError) as exc:
        read_document(path)
    assert reason(exc) == "too large: 2.9 KB (limit 1 KB)"
    assert read_document(write(tmp_path, "small-2025-05-01.txt", "x" * 1000)).text == "x" * 1000


def test_unsupported_suffix_named_explicitly(tmp_path):
    path = write(tmp_path, "notes-2025-05-01.pdf", "%PDF-1.4")
    with pytest.raises(InputError) as exc:
        read_document(path)
    assert reason(exc) == "unsupported file type '.pdf' (use .txt, .html, .htm or .jsonl)"


# ---------------------------------------------------------------- sources.csv

MANIFEST = (
    "file,published,outlet,url,title,notes\n"        # row 1; `notes` is an unknown column
    "good.txt,2025-05-03,The Daily Example,,Live page,checked by hand\n"
    "bad-date.txt,03/05/2025,The Daily Example,,,\n"
    "../../etc/passwd,2025-05-03,,,,\n"
    "/etc/hosts,2025-05-03,,,,\n"
    "missing.txt,2025-05-03,,,,\n"
    "good.txt,2025-05-04,,,,duplicate\n"
    "nodate-2025-05-09.txt,,Wire,,,\n"
)


def manifest_folder(tmp_path: Path) -> Path:
    for name in ("good.txt", "bad-date.txt", "nodate-2025-05-09.txt"):
        write(tmp_path, name, STORY)
    write(tmp_path, "sources.csv", MANIFEST)
    return tmp_path


def test_bad_manifest_rows_are_reported_and_good_rows_kept(tmp_path):
    rows, problems = load_manifest(manifest_folder(tmp_path))
    assert set(rows) == {"good.txt", "nodate-2025-05-09.txt"}
    assert rows["good.txt"] == ManifestRow(
        file="good.txt", published=datetime(2025, 5, 3, tzinfo=UTC), outlet="The Daily Example",
        url=None, title="Live page", row=2)
    assert rows["nodate-2025-05-09.txt"].published is None
    assert [p.reason for p in problems] == [
        "row 3: bad published date '03/05/2025' (use YYYY-MM-DD or an ISO datetime, 1900-2100)",
        "row 4: path escapes the folder: ../../etc/passwd",
        "row 5: absolute path not allowed: /etc/hosts",
        "row 6: file not found: missing.txt",
        "row 7: duplicate entry for good.txt (row 2 is used)",
    ]
    assert all(Path(p.path).name == "sources.csv" for p in problems)
    assert str(problems[1]).endswith("sources.csv: row 4: path escapes the folder: ../../etc/passwd")


def test_read_inputs_uses_good_rows_and_collects_manifest_problems(tmp_path):
    docs, errors = read_inputs([manifest_folder(tmp_path)])
    by_source = {d.source: d for d in docs}
    assert sorted(by_source) == ["good.txt", "nodate-2025-05-09.txt"]
    assert by_source["good.txt"].published == datetime(2025, 5, 3, tzinfo=UTC)
    assert by_source["nodate-2025-05-09.txt"].published == datetime(2025, 5, 9, tzinfo=UTC)
    assert by_source["nodate-2025-05-09.txt"].outlet == "Wire"
    reasons = [e.reason for e in errors]
    assert len(reasons) == 6
    assert reasons[-1] == UNDATED            # bad-date.txt: its row was refused, no other date
    assert errors[-1].path.endswith("bad-date.txt")


def test_manifest_columns_are_case_insensitive_and_may_be_missing(tmp_path):
    write(tmp_path, "a.txt", STORY)
    write(tmp_path, "sources.csv", "\ufeffFile , Published\na.txt,2025-02-01\n")
    rows, problems = load_manifest(tmp_path)
    assert problems == [] and rows["a.txt"].published == datetime(2025, 2, 1, tzinfo=UTC)
    assert rows["a.txt"].outlet is None


def test_manifest_without_file_column(tmp_path):
    write(tmp_path, "sources.csv", "name,published\na.txt,2025-02-01\n")
    rows, problems = load_manifest(tmp_path)
    assert rows == {}
    assert [p.reason for p in problems] == ["no 'file' column (expected file,published,outlet,url,title)"]


def test_no_manifest(tmp_path):
    assert load_manifest(tmp_path) == ({}, [])


def test_manifest_in_a_subfolder_keys_paths_relative_to_itself(tmp_path):
    write(tmp_path, "may/kyiv.txt", STORY)
    write(tmp_path, "may/sources.csv", "file,published\nkyiv.txt,2025-05-11\n")
    (doc,), errors = read_inputs([tmp_path])
    assert errors == []
    assert doc.source == "may/kyiv.txt"
    assert doc.published == datetime(2025, 5, 11, tzinfo=UTC)


def test_explicit_file_uses_the_manifest_beside_it(tmp_path):
    path = write(tmp_path, "kyiv.txt", STORY)
    write(tmp_path, "sources.csv", "file,published\nkyiv.txt,2025-05-12\n")
    (doc,), errors = read_inputs([path])
    assert errors == [] and doc.published == datetime(2025, 5, 12, tzinfo=UTC)


# ---------------------------------------------------------------- discovery and collection

def test_discover_is_recursive_sorted_and_skips_what_is_not_input(tmp_path):
    for name in ("b-2025-01-01.txt", "a/z-2025-01-01.html", "a/y.htm", "c.jsonl", "notes.md",
                 ".hidden.txt", ".cache/x.txt", "sources.csv"):
        write(tmp_path, name, STORY)
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == ["a/y.htm", "a/z-2025-01-01.html", "b-2025-01-01.txt", "c.jsonl"]


def test_discover_keeps_explicit_files_once(tmp_path):
    path = write(tmp_path, "one-2025-01-01.txt", STORY)
    assert discover([path, tmp_path, str(path)]) == [path]


def test_discover_missing_path(tmp_path):
    with pytest.raises(InputError) as exc:
        discover([tmp_path / "nope"])
    assert reason(exc) == "no such file or folder"


def test_read_inputs_never_stops_at_a_bad_file(tmp_path):
    write(tmp_path, "a-2025-05-01.txt", STORY)
    write(tmp_path, "b-2025-05-01.txt", b"")
    write(tmp_path, "c-2025-05-01.txt", b"\x00\x01binary")
    write(tmp_path, "d-2025-05-02.txt", STORY)
    docs, errors = read_inputs([tmp_path, tmp_path / "missing-folder"])
    assert [d.source for d in docs] == ["a-2025-05-01.txt", "d-2025-05-02.txt"]
    assert [(Path(e.path).name, e.reason) for e in errors] == [
        ("b-2025-05-01.txt", "empty file"),
        ("c-2025-05-01.txt", "binary file (NUL bytes)"),
        ("missing-folder", "no such file or folder"),
    ]


def test_read_inputs_strict_raises_the_first_error(tmp_path):
    write(tmp_path, "a-2025-05-01.txt", STORY)
    write(tmp_path, "b-2025-05-01.txt", b"")
    with pytest.raises(InputError) as exc:
        read_inputs([tmp_path], strict=True)
    assert reason(exc) == "empty file"


# ---------------------------------------------------------------- hostile structure

def test_html_nested_100k_deep_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    page = "<html><body>" + "<div>" * 100_000 + "<p>A drone hit Sumy.</p>" + "</div>" * 100_000 + "</body></html>"
    path = write(tmp_path, "nested-2025-05-01.html", page)
    monkeypatch.setattr(read, "html_tree", lambda text: pytest.fail("the page was parsed"))
    with pytest.raises(InputError) as exc:
        read_document(path)
    assert reason(exc) == "HTML nested too deeply: 100,002 levels (limit 512)"


@pytest.mark.parametrize("html, depth", [
    ("<html><body><div><section><p>x</p></section></div></body></html>", 4),
    ("<body>" + "<p>unclosed paragraph" * 5000 + "<ul>" + "<li>unclosed item" * 5000 + "</ul>", 2),
    ("<body><br><img src=x><hr/><div/><p>x</body>", 1),
    ("<body><!-- <div><div><div> --><script>var s = '<div><div>';</script><style>/*<div>*/</style></body>", 1),
    ("<body>" + "<blockquote>" * 600, 601),
    ("<body><!-- never closed <div><div>", 1),
])
def test_html_depth_counts_real_nesting_only(html, depth):
    assert read.html_depth(html) == depth


def test_a_long_flat_page_is_not_too_deep(tmp_path):
    page = "<html><body>" + "<p>Two people were hurt in Kherson." * 20_000 + "</body></html>"
    assert read_document(write(tmp_path, "flat-2025-05-01.html", page)).kind == "html"


def test_entity_bomb_is_not_expanded(tmp_path):
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(9))
    page = f"<!DOCTYPE html [{entities}]><html><body><p>Odesa port was hit. &j;</p></body></html>"
    doc = read_document(write(tmp_path, "bomb-2025-05-01.html", page))
    assert len(doc.text) == len(page)
    body = read.html_tree(doc.text).body.text()
    assert body.endswith("Odesa port was hit. &j;") and len(body) < 50      # 10**10 bytes if expanded


@pytest.mark.parametrize("depth", [900, 100_000])
def test_deeply_nested_json_is_refused_without_recursion_error(depth):
    for text in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        assert read.load_json(text) == (None, "nested too deeply")


def test_json_depth_limit_is_the_same_at_any_stack_depth():
    limit = read.MAX_JSON_DEPTH
    ok, too_deep = "[" * limit + "]" * limit, "[" * (limit + 1) + "]" * (limit + 1)

    def nested(n):
        if n:
            return nested(n - 1)
        return read.load_json(ok)[1], read.load_json(too_deep)[1]
    assert nested(0) == nested(700) == (None, "nested too deeply")


def test_json_integers_too_long_for_int_are_kept_as_digits():
    value, problem = read.load_json('{"id": ' + "9" * 5000 + "}")
    assert problem is None and value == {"id": "9" * 5000}


def test_jsonl_lines_nested_too_deeply_are_reported():
    text = '{"published": "2025-05-01", "text": ' + "[" * 5000 + "]" * 5000 + "}\n" \
           '{"published": "2025-05-01", "text": "A drone hit Sumy."}\n'
    lines = list(read.jsonl_records(text))
    assert [(line.lineno, line.problem) for line in lines] == [(1, "nested too deeply"), (2, None)]


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "1899-12-31", "2101-01-01"])
def test_placeholder_dates_out_of_range_are_not_dates(tmp_path, value):
    assert read.parse_datetime(value) is None
    write(tmp_path, "a.txt", STORY)
    write(tmp_path, "sources.csv", f"file,published\na.txt,{value}\n")
    rows, problems = load_manifest(tmp_path)
    assert rows == {}
    assert [p.reason for p in problems] == [
        f"row 2: bad published date {value!r} (use YYYY-MM-DD or an ISO datetime, 1900-2100)"]
    assert read.date_from_name(f"page-{value[:10]}.txt") is None


def test_dates_at_the_ends_of_the_range_are_kept():
    assert read.parse_datetime("1900-01-01T00:00:00+14:00").year == 1900
    assert read.parse_datetime("2100-12-31T23:59:59-12:00").year == 2100
