"""`timeline report`: the page a person opens, checked as HTML and in a real browser."""
from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from typer.testing import CliRunner

from browser import Visit, browser, open_page, png_pixels
from timeline import schema
from timeline.cli import app
from timeline.report import air_attacks_per_night, casualties_per_day, events_by_type

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
runner = CliRunner()

# One page with markup in its sentence, its file name, its outlet and a javascript: url (via sources.csv).
HOSTILE_FILE = "odesa-<img src=x onerror=alert(2)>-2025-06-10.txt"
HOSTILE_TEXT = ("Russian drones struck Odesa overnight, killing two people and injuring nine "
                "<script>alert('pwned')</script><img src=x onerror=\"window.pwned=1\">, the regional governor said.\n")
HOSTILE_MANIFEST = f'file,published,outlet,url\n"{HOSTILE_FILE}",2025-06-10,<i>Evil</i> News,javascript:alert(1)\n'
OUR_SCRIPTS = 5  # plotly.js, one per chart (3), the filters


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def build_and_report(inputs, out: Path) -> Path:
    assert invoke("build", inputs, "--out", out, "-q").exit_code == 0
    result = invoke("report", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out / 'report.html'}\n"
    return out / "report.html"


@pytest.fixture(scope="module")
def raw_report(tmp_path_factory) -> Path:
    """report.html of a build of the shipped sample pages (data/raw)."""
    return build_and_report(RAW, tmp_path_factory.mktemp("raw") / "out")


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "in"
    folder.mkdir()
    (folder / HOSTILE_FILE).write_text(HOSTILE_TEXT, encoding="utf-8")
    (folder / "sources.csv").write_text(HOSTILE_MANIFEST, encoding="utf-8")
    return build_and_report(folder, folder.parent / "out")


def events_of(report: Path) -> pd.DataFrame:
    return pd.read_parquet(report.parent / "events.parquet")


# --- the file ---------------------------------------------------------------------------------

def test_every_event_is_one_row_under_its_date(raw_report):
    events = events_of(raw_report)
    tree = HTMLParser(raw_report.read_text(encoding="utf-8"))
    rows = tree.css("article.event")
    assert [r.attributes["id"] for r in rows] == list(events.event_id)  # in the build's order
    for row, ev in zip(rows, events.itertuples()):
        day = row.parent
        assert day.attributes["data-date"] == f"{ev.event_date.isoformat()} {ev.date_precision}"
        assert row.attributes["data-type"] == ev.event_type
        assert row.css_first("p.summary").text() == ev.summary
    kharkiv = events[(events.location == "Kharkiv") & events.killed.notna()].iloc[0]
    row = tree.css_first(f"article#{kharkiv.event_id}")
    assert f"killed {kharkiv.killed}" in [span.text() for span in row.css("span.fig")]
    assert "Kharkiv, Kharkiv Oblast, Ukraine" == row.css_first("span.place").text()


def test_the_page_holds_everything_it_needs(raw_report):
    page = raw_report.read_text(encoding="utf-8")
    tree = HTMLParser(page)
    assert not re.search(r"<(script|link|img|iframe|source|embed)\b[^>]*\b(src|href)\s*=", page, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page, re.I)
    scripts = tree.css("script")
    assert len(scripts) == OUR_SCRIPTS and "plotly" in scripts[0].text()[:300].lower()
    links = [a.attributes["href"] for a in tree.css("a")]
    assert links and all(href.startswith(("http://", "https://")) for href in links)


def test_same_build_gives_a_byte_identical_report_wherever_it_is(raw_report, tmp_path):
    first = raw_report.read_bytes()
    assert invoke("report", "--out", raw_report.parent).exit_code == 0
    assert raw_report.read_bytes() == first
    copy = tmp_path / "elsewhere"
    shutil.copytree(raw_report.parent, copy)
    (copy / "report.html").unlink()
    assert invoke("report", "--out", copy).exit_code == 0
    assert (copy / "report.html").read_bytes() == first
    assert re.findall(r'id="(chart-[a-z]+)" class="plotly-graph-div"', first.decode()) == [
        "chart-casualties", "chart-types", "chart-air"]


def test_text_from_pages_is_escaped_never_markup(hostile_report):
    page = hostile_report.read_text(encoding="utf-8")
    tree = HTMLParser(page)
    assert len(tree.css("script")) == OUR_SCRIPTS
    assert not tree.css("img") and not tree.css("main i")
    assert "<script>alert('pwned')" not in page and "onerror=alert(2)>" not in page
    summary = tree.css_first("p.summary").text()
    assert "<script>alert('pwned')</script><img src=x onerror=\"window.pwned=1\">" in summary
    assert not [a for a in tree.css("a") if "javascript:" in a.attributes.get("href", "")]
    assert "javascript:alert(1)" in tree.css_first("p.src").text()  # shown as text, not a link
    assert HOSTILE_FILE in tree.css_first("table.pages").text()


# --- chart data -------------------------------------------------------------------------------

def frame(*rows: dict) -> pd.DataFrame:
    base = {c: None for c in schema.table("events").names}
    base.update(date_precision="day", event_type="ASSAULT")
    return pd.DataFrame([{**base, **r} for r in rows]).astype(
        {c: "Int64" for c in schema.figure_categories()})


def test_casualties_per_day_sum_the_events_of_each_day_and_leave_out_vague_dates():
    events = frame(
        {"event_date": date(2025, 6, 17), "killed": 28, "injured": 134},
        {"event_date": date(2025, 6, 17), "killed": 1, "injured": 9},
        {"event_date": date(2025, 6, 16), "injured": 17},
        {"event_date": date(2025, 6, 16), "drones": 440},                      # no casualty figure
        {"event_date": date(2025, 6, 2), "killed": 1000, "date_precision": "week"},
    )
    got = casualties_per_day(events)
    assert [d.isoformat() for d in got.event_date] == ["2025-06-16", "2025-06-17"]
    assert pd.isna(got.killed[0]) and got.killed[1] == 29
    assert list(got.injured) == [17, 143]


def test_air_attacks_keep_launched_and_downed_apart():
    events = frame(
        {"event_date": date(2025, 6, 17), "drones": 440, "missiles": 32, "drones_downed": 410, "missiles_downed": 18},
        {"event_date": date(2025, 6, 17), "drones_downed": 17, "event_type": "ASSAULT"},
        {"event_date": date(2025, 6, 10), "killed": 2},
    )
    got = air_attacks_per_night(events)
    assert len(got) == 1
    assert got.iloc[0][["drones", "drones_downed", "missiles", "missiles_downed"]].tolist() == [440, 427, 32, 18]


def test_events_by_type_most_frequent_first_ties_by_name():
    events = frame({"event_type": "CONSULT"}, {"event_type": "ASSAULT"}, {"event_type": "AGREE"},
                   {"event_type": "CONSULT"})
    assert list(events_by_type(events).items()) == [("CONSULT", 2), ("AGREE", 1), ("ASSAULT", 1)]


# --- errors -----------------------------------------------------------------------------------

def test_no_folder_is_one_clear_line(tmp_path):
    result = invoke("report", "--out", tmp_path / "nope")
    assert result.exit_code == 1
    assert result.stderr == (f"error: {tmp_path / 'nope'}: no such folder; "
                             f"run `timeline build PAGES --out {tmp_path / 'nope'}` first\n")


def test_a_folder_without_a_build_is_one_clear_line(tmp_path):
    (tmp_path / "events.parquet").write_bytes(b"")
    result = invoke("report", "--out", tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (f"error: {tmp_path}: no build here (mentions.parquet, items.parquet missing); "
                             f"run `timeline build PAGES --out {tmp_path}` first\n")
    assert not (tmp_path / "report.html").exists()


def test_a_broken_table_is_named(tmp_path, inputs):
    out = tmp_path / "out"
    assert invoke("build", inputs, "--out", out, "-q").exit_code == 0
    (out / "events.parquet").write_bytes(b"not parquet")
    result = invoke("report", "--out", out)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {out / 'events.parquet'}: cannot read")
    assert len(result.stderr.splitlines()) == 1


def test_a_table_from_something_else_is_named_with_its_missing_column(tmp_path, inputs):
    out = tmp_path / "out"
    assert invoke("build", inputs, "--out", out, "-q").exit_code == 0
    pd.read_parquet(out / "events.parquet").drop(columns=["summary"]).to_parquet(out / "events.parquet")
    result = invoke("report", "--out", out)
    assert result.exit_code == 1
    assert result.stderr == (f"error: {out / 'events.parquet'}: not a timeline table (no column summary); "
                             f"rebuild it with `timeline build PAGES --out {out} --rebuild`\n")


def test_a_build_with_no_events_still_gives_a_page(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "quiet-2025-06-10.txt").write_text("The weather in Kyiv was mild.\n", encoding="utf-8")
    page = build_and_report(folder, tmp_path / "out").read_text(encoding="utf-8")
    assert "No events in this build." in page and "0 of 0 events" in page
    assert "0 events, from 0 mentions in 1 page." in page


# --- in a browser -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chrome(chromium):
    """One headless Chromium for the module's browser tests; each test opens its own page."""
    with browser(chromium) as context:
        yield context


def visible_rows(page) -> list[str]:
    return page.eval_on_selector_all("article.event", "rows => rows.filter(r => r.offsetParent !== null)"
                                                      ".map(r => r.id)")


def test_report_renders_in_chromium_with_no_errors_and_no_network(chrome, raw_report, tmp_path):
    events = events_of(raw_report)
    visit = Visit()
    page = open_page(chrome, raw_report.as_uri(), visit)
    for chart in ("chart-casualties", "chart-types", "chart-air"):
        page.wait_for_selector(f"#{chart} .main-svg", timeout=20_000)
    bars = page.eval_on_selector_all("#chart-types g.point", "bars => bars.length")
    assert bars == events.event_type.nunique()
    assert visible_rows(page) == list(events.event_id)
    assert page.text_content("#shown") == f"{len(events)} of {len(events)} events"
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot))
    page.close()
    assert visit.errors == [] and visit.refused == [] and visit.dialogs == []
    assert visit.requests == [raw_report.as_uri()]
    width, height, pixels = png_pixels(shot.read_bytes())
    assert (width, height) == (1280, 1000)
    colours = Counter(pixels)
    (_, background), = colours.most_common(1)
    assert len(colours) > 50 and background < 0.95 * len(pixels)  # not one colour: charts and text drawn


def test_filters_show_only_matching_rows(chrome, raw_report):
    events = events_of(raw_report)
    page = open_page(chrome, raw_report.as_uri(), Visit())
    page.select_option("#f-type", "ASSAULT")
    assert visible_rows(page) == list(events[events.event_type == "ASSAULT"].event_id)
    page.select_option("#f-country", "RU")
    assert visible_rows(page) == list(events[(events.event_type == "ASSAULT") & (events.country == "RU")].event_id)
    assert "#type=ASSAULT&country=RU" in page.url
    page.click("#f-reset")
    page.fill("#f-q", "kharkiv DRONE")
    shown = visible_rows(page)
    texts = page.eval_on_selector_all("article.event", "rows => rows.map(r => [r.id, r.textContent.toLowerCase()])")
    assert shown and shown == [i for i, t in texts if "kharkiv" in t and "drone" in t]
    hidden_days = page.eval_on_selector_all("section.day", "ds => ds.filter(d => d.hidden).length")
    assert hidden_days > 0
    page.fill("#f-q", "no event says this")
    assert visible_rows(page) == [] and page.text_content("#shown") == f"0 of {len(events)} events"
    page.close()


def test_a_filtered_address_opens_filtered(chrome, raw_report):
    events = events_of(raw_report)
    page = open_page(chrome, raw_report.as_uri() + "#type=SANCTION&q=russia", Visit())
    assert visible_rows(page) == [e.event_id for e in events.itertuples() if e.event_type == "SANCTION"
                                  and "russia" in page.text_content(f"#{e.event_id}").lower()]
    assert page.input_value("#f-type") == "SANCTION" and page.input_value("#f-q") == "russia"
    page.close()


def test_hostile_page_runs_no_script_in_chromium(chrome, hostile_report):
    visit = Visit()
    page = open_page(chrome, hostile_report.as_uri(), visit)
    page.wait_for_selector("#chart-types .main-svg")
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.title() == "timeline report"
    assert "<script>alert('pwned')</script>" in page.text_content("p.summary")
    page.click("p.src")  # the javascript: url is text, not a link
    page.close()
    assert visit.dialogs == [] and visit.errors == [] and visit.refused == []
