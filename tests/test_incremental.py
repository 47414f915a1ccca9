"""Incremental builds: new pages merge into an earlier build, events keep their ids, nothing else moves.

The pages in tests/fixtures/incremental report the Kharkiv attack of 7 June 2025
on three days (first report, a revised injured count at 09:20 BST, a recap),
plus other events of those days. The BBC page has a post at 00:40 British
Summer Time, which is still the previous day in UTC: its date must survive
being stored and read back.
"""
import json
from dataclasses import replace
from datetime import timedelta
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from timeline import pipeline, state
from timeline.cli import app
from timeline.extract.mention import extract_item

PAGES = Path(__file__).parent / "fixtures" / "incremental"
DAY1, DAY2, DAY3 = "ukraine-live-2025-06-07.txt", "bbc-live-2025-06-08.txt", "ukraine-live-2025-06-09.txt"
TABLES = [f"{t}.{ext}" for t in ("events", "mentions", "items", "figures") for ext in ("parquet", "csv")]


def page(name: str) -> Path:
    return PAGES / name


def snapshot(out: Path) -> dict[str, bytes]:
    files = [*TABLES, *(f".timeline/{f}" for f in ("items.parquet", "mentions.parquet", "links.parquet", "events.parquet",
                                                   "state.json"))]
    return {f: (out / f).read_bytes() for f in files}


def events(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "events.parquet")


def kharkiv(out: Path) -> pd.Series:
    ev = events(out)
    rows = ev[(ev.location == "Kharkiv") & (ev.event_type == "ASSAULT")]
    assert len(rows) == 1, rows.to_string()
    return rows.iloc[0]


@pytest.fixture
def scratch(tmp_path) -> Path:
    out = tmp_path / "scratch"
    pipeline.build([page(DAY1), page(DAY2), page(DAY3)], out)
    return out


def test_incremental_path_gives_the_same_files_as_a_build_from_scratch(tmp_path, scratch):
    out = tmp_path / "inc"
    for name in (DAY1, DAY2, DAY3):
        pipeline.build([page(name)], out)
    assert snapshot(out) == snapshot(scratch)


def test_a_late_night_post_keeps_its_local_date_through_the_stored_state(tmp_path, scratch):
    out = tmp_path / "inc"
    pipeline.build([page(DAY2)], out)      # the 00:40 BST post is stored, then extracted again below
    pipeline.build([page(DAY1), page(DAY3)], out)
    ev = events(out)
    odesa = ev[ev.location == "Odesa"].iloc[0]
    assert str(odesa.event_date) == "2025-06-08"
    # the same events as from scratch (only the Kharkiv id differs: it was first seen on day 2 here)
    pd.testing.assert_frame_equal(events(out).drop(columns="event_id"), events(scratch).drop(columns="event_id"))


def test_inputs_already_seen_change_nothing(tmp_path):
    out = tmp_path / "out"
    pipeline.build([PAGES], out)
    before = snapshot(out)
    report = pipeline.build([page(DAY2)], out)
    assert report.kept == 7 and snapshot(out) == before
    pipeline.build([PAGES], out)
    assert snapshot(out) == before


def test_events_keep_their_ids_when_later_pages_add_mentions(tmp_path):
    out = tmp_path / "out"
    pipeline.build([page(DAY1)], out)
    first = kharkiv(out)
    ids_day1 = set(events(out).event_id)
    pipeline.build([page(DAY2)], out)
    pipeline.build([page(DAY3)], out)
    later = kharkiv(out)
    assert later.event_id == first.event_id
    assert ids_day1 <= set(events(out).event_id)
    assert (first.injured, later.injured) == (17, 21)     # the revision wins...
    assert (later.n_mentions, later.n_sources) == (3, 3)


def test_figures_keep_every_reported_value_with_its_time(tmp_path, scratch):
    figures = pd.read_parquet(scratch / "figures.parquet")
    injured = figures[(figures.event_id == kharkiv(scratch).event_id) & (figures.category == "injured")]
    history = injured.sort_values("reported")[["value", "reported"]]
    assert list(history.value) == [17, 21, 21]             # ...and the history is kept, for plotting
    assert history.reported.is_monotonic_increasing


def test_an_event_keeps_its_id_when_an_earlier_report_is_added_later(tmp_path):
    """Backfilling an older page: the id stays the one users already have."""
    out = tmp_path / "out"
    pipeline.build([page(DAY3)], out)
    known = kharkiv(out).event_id
    pipeline.build([page(DAY1)], out)
    assert kharkiv(out).event_id == known and kharkiv(out).n_mentions == 2


def test_a_page_read_again_replaces_its_earlier_items(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(page(DAY1), folder / DAY1)
    out = tmp_path / "out"
    pipeline.build([folder], out)
    assert (events(out).location == "Kherson Oblast").any()
    text = (folder / DAY1).read_text(encoding="utf-8")
    (folder / DAY1).write_text("\n".join(l for l in text.splitlines() if "Kherson" not in l) + "\n",
                               encoding="utf-8")
    report = pipeline.build([folder], out)
    assert report.kept == 0
    assert not (events(out).location == "Kherson Oblast").any()


def test_rebuild_ignores_the_earlier_build(tmp_path):
    out = tmp_path / "out"
    pipeline.build([page(DAY1)], out)
    result = CliRunner().invoke(app, ["build", str(page(DAY3)), "--out", str(out), "--rebuild"])
    assert result.exit_code == 0, result.output
    assert set(pd.read_parquet(out / "items.parquet").source) == {DAY3}


def test_the_summary_says_how_many_items_were_kept(tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    runner.invoke(app, ["build", str(page(DAY1)), "--out", str(out)])
    result = runner.invoke(app, ["build", str(page(DAY2)), "--out", str(out)])
    assert result.exit_code == 0
    assert "kept 4 items of the earlier build; 7 items" in result.stdout


@pytest.mark.parametrize("name", ["links.parquet", "mentions.parquet"])
def test_an_unreadable_state_is_a_clear_error_and_the_build_is_left_alone(tmp_path, name):
    out = tmp_path / "out"
    pipeline.build([page(DAY1)], out)
    (out / state.STATE_DIR / name).write_bytes(b"not parquet")
    before = (out / "events.parquet").read_bytes()
    result = CliRunner().invoke(app, ["build", str(page(DAY2)), "--out", str(out)])
    assert result.exit_code == 1
    assert "cannot read the previous build's state" in result.stderr and "--rebuild" in result.stderr
    assert (out / "events.parquet").read_bytes() == before


def test_inspect_event_shows_each_mention_and_why_it_was_merged(tmp_path, scratch):
    event_id = kharkiv(scratch).event_id
    result = CliRunner().invoke(app, ["inspect", "--event", event_id[:10], "--out", str(scratch)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert f"{event_id}: ASSAULT" in text and "in Kharkiv, Kharkiv Oblast, UA" in text
    assert "first report" in text and "same place Kharkiv" in text
    assert "revised figures (injured 17 -> 21)" in text
    assert "3 mention(s) from 3 source(s)" in text


def test_inspect_event_refuses_an_unknown_or_ambiguous_id(tmp_path, scratch):
    result = CliRunner().invoke(app, ["inspect", "--event", "ev-nothing", "--out", str(scratch)])
    assert result.exit_code == 1 and "no event with id 'ev-nothing'" in result.stderr
    result = CliRunner().invoke(app, ["inspect", "--event", "ev-", "--out", str(scratch)])
    assert result.exit_code == 1 and "6 events with id 'ev-'" in result.stderr


@pytest.fixture
def extracted(monkeypatch) -> list[str]:
    """The source of every item a build extracts (rather than takes from the earlier build)."""
    sources: list[str] = []

    def counting(items, progress=None):
        sources.extend(i.source for i in items)
        return [extract_item(i) for i in items]

    monkeypatch.setattr(pipeline, "extract_each", counting)
    return sources


def test_a_new_page_is_the_only_one_extracted_and_the_files_are_those_from_scratch(tmp_path, scratch, extracted):
    out = tmp_path / "inc"
    pipeline.build([page(DAY1), page(DAY2)], out)
    extracted.clear()
    report = pipeline.build([page(DAY3)], out)
    assert set(extracted) == {DAY3} and report.kept == 7 and report.extracted_again == 0
    assert snapshot(out) == snapshot(scratch)


def test_the_stored_mentions_are_those_extraction_gives(tmp_path):
    """Every field survives the state, times with their zone (the BBC page is in British Summer Time)."""
    out = tmp_path / "out"
    pipeline.build([PAGES], out)
    previous = state.load(out)
    for source in (DAY1, DAY2, DAY3):
        items = previous.items_of(source)
        stored = previous.mentions_of(source, items)
        assert stored == [extract_item(i) for i in items]
        assert any(m.figures for found in stored for m in found)
    bst = [m.reported for m in previous.mentions_of(DAY2, previous.items_of(DAY2))[0]]
    assert bst and {str(t.tzinfo) for t in bst} == {"Europe/London"}


def test_stored_mentions_that_do_not_line_up_with_the_items_are_not_used(tmp_path):
    out = tmp_path / "out"
    pipeline.build([page(DAY1)], out)
    previous = state.load(out)
    items = previous.items_of(DAY1)
    assert previous.mentions_of(DAY1, items) is not None
    assert previous.mentions_of(DAY1, items[1:]) is None


def test_the_earlier_event_of_each_mention_is_its_last_link(tmp_path):
    """Earlier events are looked up as arrays (a million mentions are no dict): a mention id the links
    have twice takes its last link, as `dict(zip(...))` of the links would; a new id has none."""
    out = tmp_path / "out"
    pipeline.build([page(DAY1), page(DAY2)], out)
    links = pd.read_parquet(out / state.STATE_DIR / "links.parquet")
    twice = links.mention_id.iloc[0]
    links = pd.concat([links, links.iloc[[0]].assign(event_id="ev-later")], ignore_index=True)
    links.to_parquet(out / state.STATE_DIR / "links.parquet", index=False)
    asked = [*links.mention_id.iloc[::-1], "not-a-mention"]
    earlier = state.load(out).earlier([m.encode() for m in asked])
    expected = dict(zip(links.mention_id, links.event_id))
    assert [earlier.get(n) for n in range(len(asked))] == [expected.get(m) for m in asked]
    assert earlier.get(0) == "ev-later" and earlier.get(len(asked) - 1) is None
    assert len(set(expected.values())) > 3


def test_a_page_added_to_a_build_without_mentions_gives_the_files_from_scratch(tmp_path):
    """The earlier build's state holds items but no mentions (an empty mentions.parquet)."""
    calm = tmp_path / "pages" / "weather-live-2025-06-06.txt"
    calm.parent.mkdir()
    calm.write_text("Live: the weather\n\nIt was sunny and calm across the city all afternoon.\n", encoding="utf-8")
    first = pipeline.build([calm], tmp_path / "inc")
    assert first.items == 1 and first.mentions == 0
    added = pipeline.build([page(DAY1)], tmp_path / "inc")
    assert added.kept == 1 and added.extracted_again == 0
    pipeline.build([calm, page(DAY1)], tmp_path / "scratch")
    assert snapshot(tmp_path / "inc") == snapshot(tmp_path / "scratch")


@pytest.mark.parametrize("change", ["another extractor", "an older state"])
def test_mentions_from_another_extractor_are_extracted_again_with_a_warning(tmp_path, scratch, extracted, change):
    out = tmp_path / "inc"
    pipeline.build([page(DAY1), page(DAY2)], out)
    folder = out / state.STATE_DIR
    if change == "another extractor":     # timeline or a vocabulary changed since that build
        meta = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        (folder / "state.json").write_text(json.dumps({**meta, "extractor": "0" * 64}), encoding="utf-8")
    else:                                 # written before the state kept the mentions
        (folder / "state.json").write_text('{"format": 1, "timeline": "0.1.0"}', encoding="utf-8")
        (folder / "mentions.parquet").unlink()
    extracted.clear()
    report = pipeline.build([page(DAY3)], out)
    assert set(extracted) == {DAY1, DAY2, DAY3} and report.extracted_again == 7
    assert any("7 items of the earlier build were extracted again" in w for w in report.warnings)
    assert snapshot(out) == snapshot(scratch)


def test_the_extractor_digest_follows_every_file_of_the_package_and_nothing_else(tmp_path):
    package = tmp_path / "timeline"
    (package / "data").mkdir(parents=True)
    (package / "mention.py").write_text("RULES = 1\n")
    (package / "data" / "actors.csv").write_text("name\nRussia\n")
    first = state.extractor(package)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "mention.cpython-311.pyc").write_bytes(b"compiled")
    state.extractor.cache_clear()
    assert state.extractor(package) == first
    (package / "data" / "actors.csv").write_text("name\nRussia\nUkraine\n")
    state.extractor.cache_clear()
    assert state.extractor(package) != first


# ---------------------------------------------------------------- the earlier build's merge, taken again

GOLD_PAGES = Path(__file__).parent / "gold" / "pages"
LATEST, MIDDLE = "wire-items-2025-09.jsonl", "kyiv-independent-roundup-2025-07-02.txt"   # 7-12 Sep; 29 Jun-2 Jul


def gold_pages(tmp_path: Path, *leaving_out: str) -> Path:
    """The gold pages in a folder of their own, but for `leaving_out` (each a page's name)."""
    folder = tmp_path / ("pages-" + "-".join(leaving_out))
    folder.mkdir(parents=True)
    for each in GOLD_PAGES.iterdir():
        if each.name not in leaving_out:
            shutil.copy(each, folder / each.name)
    return folder


@pytest.fixture
def compared(monkeypatch) -> list:
    """The event date of each mention the merge compares with the events open (rather than taking
    the event it joined in the earlier build)."""
    from timeline import merge
    dates: list = []
    found = merge._Scan._found

    def counting(self, rec, *args):
        dates.append(rec["event_date"])
        return found(self, rec, *args)

    monkeypatch.setattr(merge._Scan, "_found", counting)
    return dates


def without_replay(monkeypatch) -> None:
    """Builds from here on merge every mention anew (the earlier build's merge is not taken again)."""
    earlier = state.Previous.earlier
    monkeypatch.setattr(state.Previous, "earlier", lambda self, ids: replace(earlier(self, ids), replay=None))


def test_adding_the_latest_page_compares_only_the_days_it_reaches(tmp_path, compared):
    """The mentions dated before the earliest day of the new page's mentions are merged as the earlier
    build merged them; only the rest are compared; the files are those from scratch."""
    pipeline.build([gold_pages(tmp_path, LATEST)], tmp_path / "inc")
    earlier = pd.read_parquet(tmp_path / "inc" / "mentions.parquet")
    pipeline.build([GOLD_PAGES], tmp_path / "scratch")
    scratch = pd.read_parquet(tmp_path / "scratch" / "mentions.parquet")
    first_day = scratch[scratch.source == LATEST].event_date.min()
    compared.clear()
    report = pipeline.build([GOLD_PAGES / LATEST], tmp_path / "inc")
    assert report.kept > 0
    before = int((earlier.event_date < first_day).sum())
    assert 0 < before < report.mentions
    assert report.merged_as_before == before
    assert len(compared) == report.mentions - before and min(compared) == first_day
    assert snapshot(tmp_path / "inc") == snapshot(tmp_path / "scratch")


@pytest.fixture
def worked_out(monkeypatch) -> list:
    """The first report's date of each event the merge works out from its mentions (`merge._event`)."""
    from timeline import merge
    dates: list = []
    event = merge._event

    def counting(cluster):
        dates.append(cluster.first["event_date"])
        return event(cluster)

    monkeypatch.setattr(merge, "_event", counting)
    return dates


def test_events_no_new_mention_can_join_are_the_earlier_builds(tmp_path, worked_out):
    """Adding the latest page: the events begun more than the date window before its earliest day are
    taken whole from the earlier build (its rows, its links), not worked out again; the files are
    those from scratch."""
    from timeline.merge import MAX_WINDOW
    pipeline.build([gold_pages(tmp_path, LATEST)], tmp_path / "inc")
    pipeline.build([GOLD_PAGES], tmp_path / "scratch")
    scratch = pd.read_parquet(tmp_path / "scratch" / "mentions.parquet")
    first_day = scratch[scratch.source == LATEST].event_date.min()
    worked_out.clear()
    report = pipeline.build([GOLD_PAGES / LATEST], tmp_path / "inc")
    assert worked_out and min(worked_out) >= first_day - timedelta(days=MAX_WINDOW)
    assert len(worked_out) < report.events / 2
    assert snapshot(tmp_path / "inc") == snapshot(tmp_path / "scratch")


@pytest.mark.parametrize("copy", ["none", "unreadable", "of other events"])
def test_without_a_usable_copy_of_the_earlier_events_they_are_worked_out_again(tmp_path, worked_out, copy):
    """A state with no copy of the events (written before it kept one), an unreadable one, or one whose
    events the links do not name: the events are worked out from their mentions, with the same files."""
    pipeline.build([gold_pages(tmp_path, LATEST)], tmp_path / "inc")
    events = tmp_path / "inc" / ".timeline" / "events.parquet"
    if copy == "none":
        events.unlink()
    elif copy == "unreadable":
        events.write_bytes(b"PAR1 this is not Parquet")
    else:
        table = pq.read_table(events)
        table = table.set_column(0, "event_id", pa.array([f"ev-{k:016x}" for k in range(table.num_rows)]))
        pq.write_table(table, events)
    pipeline.build([GOLD_PAGES], tmp_path / "scratch")
    worked_out.clear()
    report = pipeline.build([GOLD_PAGES / LATEST], tmp_path / "inc")
    assert len(worked_out) == report.events
    assert (report.merged_as_before > 0) == (copy != "of other events")   # (links that do not fit: all anew)
    assert snapshot(tmp_path / "inc") == snapshot(tmp_path / "scratch")


@pytest.mark.parametrize("change", ["a page backfilled", "a page read again, revised"])
def test_taking_the_earlier_merge_gives_the_files_of_merging_everything_anew(tmp_path, monkeypatch, compared, change):
    """A page that reaches back into the middle of the archive: the days before it are taken from the
    earlier build, and the files are byte for byte those of merging every mention again."""
    if change == "a page backfilled":
        inputs = [gold_pages(tmp_path, MIDDLE)]
        added = GOLD_PAGES / MIDDLE
    else:
        inputs = [GOLD_PAGES / name for name in sorted(p.name for p in GOLD_PAGES.iterdir())]
        added = tmp_path / "again" / MIDDLE
        added.parent.mkdir()
        text = (GOLD_PAGES / MIDDLE).read_text(encoding="utf-8")
        # a revised count, and the record attack it recalls redated: the page's earliest mention moves on
        revised = text.replace(" 52 drones", " 58 drones", 1).replace("on June 29 it fired", "on July 1 it fired", 1)
        assert revised != text
        added.write_text(revised, encoding="utf-8")
    outs = []
    for run in ("taken again", "anew"):
        if run == "anew":
            without_replay(monkeypatch)
        out = tmp_path / run
        pipeline.build(inputs, out)
        compared.clear()
        report = pipeline.build([added], out)
        outs.append(out)
        if run == "taken again":
            taken = report.merged_as_before
            assert 0 < taken < report.mentions and len(compared) == report.mentions - taken
        else:
            assert report.merged_as_before == 0 and len(compared) == report.mentions
    assert snapshot(outs[0]) == snapshot(outs[1])


@pytest.mark.parametrize("misfit", ["names a mention of another event", "joins an event already finished",
                                    "begins an event for another reason"])
def test_links_that_do_not_fit_the_mentions_are_not_taken(tmp_path, monkeypatch, misfit):
    """A state whose links name a mention of another event, have a mention join an event begun more
    than the date window before it (which could take it no more), or begin an event for a reason other
    than a first report: every mention is merged anew, and the files are those of merging anew."""
    from timeline.merge import MAX_WINDOW
    outs = []
    for run in ("taken again", "anew"):
        if run == "anew":
            without_replay(monkeypatch)
        out = tmp_path / run
        pipeline.build([gold_pages(tmp_path / run, LATEST)], out)
        path = out / state.STATE_DIR / "links.parquet"
        links = pd.read_parquet(path)
        if misfit == "names a mention of another event":
            joining = links.index[links.joined_to.notna()][0]
            other_event = links.mention_id[links.event_id != links.event_id[joining]].iloc[0]
            links.loc[joining, "joined_to"] = other_event
        elif misfit == "begins an event for another reason":
            links.loc[links.index[links.joined_to.isna()][0], "reason"] = "same type ASSAULT"
        else:   # (both long before the new page's mentions, whose days are merged anew)
            day = pd.read_parquet(out / "mentions.parquet").set_index("mention_id").event_date
            first = links[links.joined_to.isna()].assign(day=lambda f: f.mention_id.map(day)).sort_values("day").iloc[0]
            late = links.index[links.joined_to.notna() & (links.mention_id.map(day) - first.day
                                                          > timedelta(days=MAX_WINDOW))][0]
            links.loc[late, ["event_id", "joined_to"]] = [first.event_id, first.mention_id]
        links.to_parquet(path, index=False)
        report = pipeline.build([GOLD_PAGES / LATEST], out)
        assert report.merged_as_before == 0
        outs.append(out)
    assert snapshot(outs[0]) == snapshot(outs[1])


ZAPORIZHZHIA = "Russian drones hit an apartment block in Zaporizhzhia, injuring 11 people including two children, " \
               "governor Ivan Fedorov said."


def test_a_report_taken_as_before_is_still_compared_within_the_date_window(tmp_path):
    """The recap page's mentions are dated 15 August, so the 14 August report is taken as the earlier
    build merged it; it is still in the window of the recap's near-identical sentence, which joins it
    for that reason, as in a build from scratch."""
    pages = tmp_path / "pages"
    pages.mkdir()
    first = pages / "frontline-live-2025-08-14.txt"
    first.write_text(f"Ukraine war live: apartment block hit\n{ZAPORIZHZHIA}\n", encoding="utf-8")
    recap = pages / "morning-recap-2025-08-15.txt"
    recap.write_text(f"Ukraine war live: the morning recap\n{ZAPORIZHZHIA}\n"
                     "In Sumy, a woman was killed when a guided bomb struck a shop.\n", encoding="utf-8")
    pipeline.build([first], tmp_path / "inc")
    report = pipeline.build([recap], tmp_path / "inc")
    pipeline.build([pages], tmp_path / "scratch")
    assert report.merged_as_before == 1
    links = pd.read_parquet(tmp_path / "inc" / ".timeline" / "links.parquet")
    assert links.reason.str.startswith("near-identical sentence").sum() == 1
    assert snapshot(tmp_path / "inc") == snapshot(tmp_path / "scratch")


def test_verbose_says_how_many_mentions_were_merged_as_before(tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    runner.invoke(app, ["build", str(gold_pages(tmp_path, LATEST)), "--out", str(out)])
    result = runner.invoke(app, ["build", str(GOLD_PAGES / LATEST), "--out", str(out), "--verbose"])
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if line.startswith("merge: ")]
    assert len(said) == 1 and " of 260 mentions merged as the earlier build merged them" in said[0]
    assert int(said[0].split()[1].replace(",", "")) > 0


def test_a_kept_page_gives_from_its_rows_what_its_mentions_give(tmp_path):
    """The rows of the state become what merge reads of the `Mention`s they store (the columns of their
    mentions frame), value for value and type for type (the BBC page's times keep their zone), and the
    same rows of every spill (items, mentions, figures, the next state's mentions) and the same columns
    for merge."""
    from timeline import columns as merge_columns, tables
    out = tmp_path / "out"
    pipeline.build([PAGES], out)
    previous = state.load(out)
    pages = [previous.page(source) for source in (DAY1, DAY2, DAY3)]
    items = [item for kept in pages for item in state.item_objects(kept.items)]
    found = [each for kept in pages for each in previous.mentions_of(kept.items["source"][0].as_py(),
                                                                       state.item_objects(kept.items))]
    mentions = [m for each in found for m in each]
    assert any(m.figures for m in mentions)
    joined = state.KeptPage.joined(pages)
    data, _ = tables.stored_mention_columns(joined.mentions, joined.items)
    expected = merge_columns._lists(tables.mentions_frame(mentions, items).drop(columns="event_id"))
    assert list(data) == list(expected)
    for column, values in expected.items():
        assert data[column] == values, column
        assert [type(v) for v in data[column]] == [type(v) for v in values], column
    assert [t.tzinfo for t in data["reported"]] == [m.reported.tzinfo for m in mentions]
    assert {str(t.tzinfo) for t, source in zip(data["reported"], data["source"]) if source == DAY2} == {"Europe/London"}
    spills, first = [], pages[0].items.num_rows
    for way in ("objects", "rows"):
        with tables.BuildTables(tmp_path) as built:
            built.add(items[:first], found[:first])     # (a page before: rows are numbered on from it)
            if way == "objects":
                built.add(items[first:], found[first:])
            else:
                built.add_kept(state.KeptPage.joined(pages[1:]))
            columns = built.close()
            spills.append(([pq.read_table(s.path) for s in (built.items, built.mentions, built.figures, built.extracted)],
                           {name: columns[name] for name in ("mention_id", "day", "ts", "fig_cat", "fig_value")}))
    for ours, theirs in zip(spills[0][0], spills[1][0]):
        assert ours.num_rows and ours.equals(theirs)
    for name, values in spills[0][1].items():
        assert list(values) == list(spills[1][1][name]), name


@pytest.mark.parametrize("batch", [3, 2000])
def test_kept_pages_are_taken_as_rows_between_pages_read_now(tmp_path, monkeypatch, batch):
    """A page read again between kept pages, in batches that cut runs of kept pages: no `Mention` is
    made of a kept page's rows, and the files are those from scratch."""
    monkeypatch.setattr(pipeline, "BATCH_ITEMS", batch)
    names = sorted(p.name for p in GOLD_PAGES.iterdir())
    pipeline.build([GOLD_PAGES / name for name in names], tmp_path / "scratch")
    out = tmp_path / "inc"
    pipeline.build([GOLD_PAGES / name for name in names], out)

    def refused(row):
        raise AssertionError("a kept page's mention was made into an object")

    monkeypatch.setattr(state, "_mention", refused)
    report = pipeline.build([GOLD_PAGES / MIDDLE], out)
    assert names.index(MIDDLE) not in (0, len(names) - 1)
    assert report.kept == report.items - sum(1 for _ in pipeline.read_items([GOLD_PAGES / MIDDLE])[0])
    assert report.extracted_again == 0
    assert snapshot(out) == snapshot(tmp_path / "scratch")
