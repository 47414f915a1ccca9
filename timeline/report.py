"""`timeline report`: one self-contained HTML page to look at a build.

`DIR/report.html` holds a day-by-day timeline of the events (date, type, place,
figures, summary, the sentences that reported it and links to the sources),
filters by type, country and text, and three charts: killed and injured per
day, drones and missiles launched and downed per night, events by type.

Everything is inside the one file: the styles and the filter script
(`data/report.css`, `data/report.js`) and plotly.js, so it opens from disk with
no network. Every text from a page is HTML-escaped, links are kept only for
http(s) URLs, and the chart data is JSON with `<`, `>` and `&` escaped, so a
hostile page cannot put markup or script into the report. The page is a pure
function of the build: the same tables give a byte-identical file (fixed chart
ids, no time of writing).
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from . import __version__, schema, write
from .errors import OutputError
from .vocab import load_csv, read_text

REPORT_NAME = "report.html"
NEEDED = ("events", "mentions", "items")
CHART_CONFIG = {"displaylogo": False, "responsive": True}
AIR_SERIES = (("drones", "drones launched", "#d35400"), ("drones_downed", "drones downed", "#f5b041"),
              ("missiles", "missiles launched", "#1f5fa8"), ("missiles_downed", "missiles downed", "#85c1e9"))
CASUALTY_SERIES = (("killed", "killed", "#922b21"), ("injured", "injured", "#e59866"))
PRECISION_RANK = {"year": 0, "month": 1, "week": 2, "day": 3}  # a month is listed before its first day


@dataclass(frozen=True)
class Build:
    """The tables of one build that the report shows."""

    events: pd.DataFrame
    mentions: pd.DataFrame
    items: pd.DataFrame


def write_report(out_dir: str | Path) -> Path:
    """Write `out_dir/report.html` for the build in `out_dir` (atomically); returns its path."""
    out = Path(out_dir)
    page = render(load_build(out))
    return write.write_atomic(out / REPORT_NAME, lambda p: p.write_text(page, encoding="utf-8", newline="\n"))


def load_build(out_dir: Path) -> Build:
    """The events, mentions and items of the build in `out_dir`; an OutputError when there is none."""
    if not out_dir.is_dir():
        raise OutputError(f"{out_dir}: no such folder; run `timeline build PAGES --out {out_dir}` first")
    missing = [f"{name}.parquet" for name in NEEDED if not (out_dir / f"{name}.parquet").is_file()]
    if missing:
        raise OutputError(f"{out_dir}: no build here ({', '.join(missing)} missing); "
                          f"run `timeline build PAGES --out {out_dir}` first")
    frames = write.read_tables(out_dir)
    for name in NEEDED:
        absent = [c for c in schema.table(name).names if c not in frames[name].columns]
        if absent:
            raise OutputError(f"{out_dir / f'{name}.parquet'}: not a timeline table (no column {absent[0]}); "
                              f"rebuild it with `timeline build PAGES --out {out_dir} --rebuild`")
    return Build(*(write.sort_table(frames[name], name) for name in NEEDED))


def render(build: Build) -> str:
    """The whole report page."""
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>timeline report</title>",
        f"<style>\n{read_text('report.css')}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head>",
        "<body>",
        _header(build),
        "<main>",
        _charts(build.events),
        '<section id="events"><h2>Events, day by day</h2>',
        _filters(build.events),
        _timeline(build),
        "</section>",
        _pages(build),
        "</main>",
        f"<footer>Written by timeline {__version__} from the tables in this folder "
        "(events.parquet, mentions.parquet, items.parquet). Figures are as the pages reported them; "
        "columns are described in datapackage.json.</footer>",
        f"<script>\n{read_text('report.js')}</script>",
        "</body>",
        "</html>",
        "",
    ])


def esc(value) -> str:
    """HTML-escaped text ('' for null), quotes included, so it is safe in text and attributes."""
    return "" if not _filled(value) else html.escape(str(value), quote=True)


def _filled(value) -> bool:
    return value is not None and value is not pd.NA and value == value


def _header(build: Build) -> str:
    ev = build.events
    dates = ev["event_date"].dropna()
    span = f" from {min(dates)} to {max(dates)}" if len(dates) else ""
    pages = build.items["source"].nunique()
    return (f"<header><h1>timeline report</h1>\n<p class=\"lede\">{_count(len(ev), 'event')}{span}, "
            f"from {_count(len(build.mentions), 'mention')} in {_count(pages, 'page')}.</p></header>")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


# --- charts -------------------------------------------------------------------------------------

def casualties_per_day(events: pd.DataFrame) -> pd.DataFrame:
    """Killed and injured summed over the events of each day (events dated to the day only)."""
    return _per_day(events, [c for c, _, _ in CASUALTY_SERIES])


def air_attacks_per_night(events: pd.DataFrame) -> pd.DataFrame:
    """Drones and missiles launched and downed, summed over the events of each date."""
    return _per_day(events, [c for c, _, _ in AIR_SERIES])


def _per_day(events: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    day = events[(events["date_precision"] == "day") & events["event_date"].notna()]
    day = day[day[columns].notna().any(axis=1)]
    if day.empty:
        return pd.DataFrame({"event_date": [], **{c: pd.Series([], dtype="Int64") for c in columns}})
    sums = day.groupby("event_date", sort=True)[columns].sum(min_count=1)
    return sums.astype("Int64").reset_index()


def events_by_type(events: pd.DataFrame) -> pd.Series:
    """How many events of each type, most frequent first (ties by name)."""
    counts = events["event_type"].value_counts()
    order = sorted(counts.index, key=lambda t: (-counts[t], t))
    return counts[order]


def _charts(events: pd.DataFrame) -> str:
    cas, air, types = casualties_per_day(events), air_attacks_per_night(events), events_by_type(events)
    return "\n".join([
        '<section id="charts"><h2>Charts</h2><div class="charts">',
        _chart("chart-casualties", _day_bars(cas, CASUALTY_SERIES, "Killed and injured per day", "people"),
               "Sum over the events of each day; events dated only to a week or month are left out."),
        _chart("chart-types", _type_bars(types), "Every event of the build, by PLOVER type."),
        _chart("chart-air", _day_bars(air, AIR_SERIES, "Drones and missiles per night: launched vs downed",
                                      "drones or missiles"),
               "Sum over the events of each date: an overnight attack has the date the page gave it.", wide=True),
        "</div></section>",
    ])


def _chart(div_id: str, fig: go.Figure, note: str, wide: bool = False) -> str:
    body = pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=CHART_CONFIG,
                       default_height=f"{fig.layout.height}px")
    return f'<div class="chart{" wide" if wide else ""}">{body}<p>{esc(note)}</p></div>'


def _layout(title: str, **extra) -> dict:
    layout = dict(template="none", title={"text": title, "font": {"size": 15}}, height=320,
                  margin={"l": 50, "r": 10, "t": 40, "b": 40}, font={"family": "DejaVu Sans, sans-serif", "size": 12},
                  legend={"orientation": "h", "y": -0.18}, paper_bgcolor="white", plot_bgcolor="white")
    return {**layout, **extra}


def _day_bars(frame: pd.DataFrame, series, title: str, unit: str) -> go.Figure:
    x = [d.isoformat() for d in frame["event_date"]]
    bars = [go.Bar(x=x, y=[None if pd.isna(v) else int(v) for v in frame[col]], name=label, marker_color=colour)
            for col, label, colour in series]
    return go.Figure(bars, layout=_layout(title, barmode="group",
                                          xaxis={"type": "date", "tickformat": "%d %b", "gridcolor": "#eee"},
                                          yaxis={"title": {"text": unit}, "gridcolor": "#eee", "rangemode": "tozero"}))


def _type_bars(counts: pd.Series) -> go.Figure:
    bar = go.Bar(x=[int(n) for n in counts.values][::-1], y=list(counts.index)[::-1], orientation="h",
                 marker_color="#5d6d7e", name="events")
    height = max(320, 60 + 22 * len(counts))
    return go.Figure([bar], layout=_layout("Events by type", height=height, showlegend=False,
                                           xaxis={"title": {"text": "events"}, "gridcolor": "#eee"},
                                           yaxis={"automargin": True}))


# --- filters and timeline -----------------------------------------------------------------------

def _country_names() -> dict[str, str]:
    return {row["iso2"]: row["name"] for row in load_csv("countries.csv") if row["iso2"]}


def _filters(events: pd.DataFrame) -> str:
    types = events_by_type(events)
    type_opts = "".join(f'<option value="{esc(t)}">{esc(t)} ({n})</option>' for t, n in types.items())
    names = _country_names()
    codes = events["country"].fillna("-").value_counts()
    order = sorted(codes.index, key=lambda c: (c == "-", names.get(c, c)))
    country_opts = "".join(f'<option value="{esc(c)}">{esc(_country_label(c, names))} ({codes[c]})</option>'
                           for c in order)
    return (
        '<div class="filters">'
        f'<label>Type<select id="f-type"><option value="">all types</option>{type_opts}</select></label>'
        f'<label>Country<select id="f-country"><option value="">all countries</option>{country_opts}</select></label>'
        '<label>Search<input id="f-q" type="search" placeholder="words in the event, e.g. Kharkiv drones"></label>'
        '<button id="f-reset" type="button">Show all</button>'
        f'<span id="shown" role="status">{len(events)} of {len(events)} events</span></div>'
    )


def _country_label(code: str, names: dict[str, str]) -> str:
    return "no place named" if code == "-" else names.get(code, code)


def _timeline(build: Build) -> str:
    events = build.events
    if events.empty:
        return '<p class="none">No events in this build.</p>'
    reports = _reports_by_event(build.mentions)
    links = _link_labels(build.items)
    names = _country_names()
    parts = []
    for (date, precision), group in _periods(events):
        rows = "\n".join(_event(ev, reports.get(ev["event_id"], []), links, names)
                         for ev in group.to_dict("records"))
        key = f"{date.isoformat()} {precision}" if date is not None else "undated"
        parts.append(f'<section class="day" data-date="{key}"><h3>{_heading(date, precision)} '
                     f'<span class="n">({len(group)})</span></h3>\n{rows}\n</section>')
    return "\n".join(parts)


def _periods(events: pd.DataFrame):
    """The events grouped by date and date precision (a day, or a week or month that starts then), in
    date order; events with no date last."""
    dated = events[events["event_date"].notna()].copy()
    dated["_rank"] = dated["date_precision"].map(PRECISION_RANK).fillna(len(PRECISION_RANK))
    for (date, _, precision), group in dated.groupby(["event_date", "_rank", "date_precision"], sort=True, dropna=False):
        yield (date, precision), group
    undated = events[events["event_date"].isna()]
    if not undated.empty:
        yield (None, None), undated


def _heading(date, precision) -> str:
    if date is None:
        return "Date not known"
    if precision == "month":
        return f"{date:%B %Y} (some time that month)"
    if precision == "year":
        return f"{date:%Y} (some time that year)"
    day = f"{date:%A} {date.day} {date:%B %Y}"
    return f"Week of {day}" if precision == "week" else day


def _reports_by_event(mentions: pd.DataFrame) -> dict[str, list[dict]]:
    """Each event's mentions (sentence, url, source, report time), in report order."""
    ordered = mentions.sort_values(["reported", "source", "char_start", "mention_id"], kind="mergesort")
    out: dict[str, list[dict]] = {}
    for m in ordered[["event_id", "sentence", "url", "source", "reported"]].to_dict("records"):
        out.setdefault(m["event_id"], []).append(m)
    return out


def _event(ev: dict, reports: list[dict], links: dict[str, str], names: dict[str, str]) -> str:
    country = ev["country"] if _filled(ev["country"]) else "-"
    head = [f'<span class="type">{esc(ev["event_type"])}</span>']
    if _filled(ev["event_mode"]):
        head.append(f'<span class="mode">{esc(ev["event_mode"])}</span>')
    head.append(f'<span class="place">{esc(_place(ev, names))}</span>')
    return "\n".join([
        f'<article class="event" id="{esc(ev["event_id"])}" data-type="{esc(ev["event_type"])}" '
        f'data-country="{esc(country)}">',
        f'<div class="head">{" ".join(head)}</div>',
        _figures(ev),
        f'<p class="summary">{esc(ev["summary"])}</p>',
        _who(ev),
        _sources(ev, links),
        _reports(reports, links),
        "</article>",
    ])


def _place(ev: dict, names: dict[str, str]) -> str:
    """'Kharkiv, Kharkiv Oblast, Ukraine': the place, its region and its country, each named once."""
    country = names.get(ev["country"], ev["country"]) if _filled(ev["country"]) else None
    parts: list[str] = []
    for part in (ev["location"], ev["admin1"], country):
        if _filled(part) and str(part) not in parts:
            parts.append(str(part))
    return ", ".join(parts) or "no place named"


def _figures(ev: dict) -> str:
    figs = [f'<span class="fig">{esc(cat.replace("_", " "))} <b>{int(ev[cat]):,}</b></span>'
            for cat in schema.figure_categories() if _filled(ev[cat])]
    return f'<div class="figs">{"".join(figs)}</div>' if figs else ""


def _who(ev: dict) -> str:
    parts = []
    for role, name, country in (("by", "actor", "actor_country"), ("against", "target", "target_country")):
        if _filled(ev[name]):
            code = f" ({esc(ev[country])})" if _filled(ev[country]) and ev[country] != ev[name] else ""
            parts.append(f"{role} {esc(ev[name])}{code}")
    if _filled(ev["claimed_by"]):
        parts.append(f"according to {esc(ev['claimed_by'])}")
    return f'<p class="who">{"; ".join(parts)}</p>' if parts else ""


def _sources(ev: dict, links: dict[str, str]) -> str:
    refs = [_link(s, links) for s in str(ev["sources"]).split(";") if s] if _filled(ev["sources"]) else []
    return (f'<p class="src">{ev["n_mentions"]} mention(s) from {ev["n_sources"]} source(s): '
            f'{", ".join(refs)} &middot; <code>{esc(ev["event_id"])}</code></p>')


def _reports(reports: list[dict], links: dict[str, str]) -> str:
    if not reports:
        return ""
    rows = "".join(f'<li>&ldquo;{esc(m["sentence"])}&rdquo; &mdash; '
                   f'{_link(m["url"] if _filled(m["url"]) else m["source"], links)}{_when(m["reported"])}</li>'
                   for m in reports)
    return f"<details><summary>the sentences that reported it ({len(reports)})</summary><ol>{rows}</ol></details>"


def _when(reported) -> str:
    return f", {reported:%Y-%m-%d %H:%M} UTC" if _filled(reported) else ""


def _link_labels(items: pd.DataFrame) -> dict[str, str]:
    """Outlet names by item url and by file name, to label source links."""
    labels: dict[str, str] = {}
    for it in items.itertuples():
        outlet = it.outlet if _filled(it.outlet) else None
        for key in (it.url, it.source):
            if _filled(key) and outlet:
                labels.setdefault(str(key), str(outlet))
    return labels


def _link(ref: str, labels: dict[str, str]) -> str:
    """A link to an http(s) source, labelled with its outlet; any other reference as escaped text."""
    ref = str(ref).strip()
    label = labels.get(ref)
    parts = urlsplit(ref)
    if parts.scheme in ("http", "https") and parts.netloc:
        text = label or parts.netloc
        return f'<a href="{esc(ref)}" rel="noopener noreferrer" target="_blank">{esc(text)}</a>'
    return esc(f"{label} ({ref})" if label else ref)


def _pages(build: Build) -> str:
    items = build.items
    if items.empty:
        return ""
    counts = build.mentions.groupby("source").size()
    rows = []
    for source, grp in items.groupby("source", sort=True):
        first = grp.iloc[0]
        published = f"{first['published']:%Y-%m-%d}" if _filled(first["published"]) else ""
        url = _link(first["url"], {}) if _filled(first["url"]) else ""
        rows.append(f"<tr><td>{esc(source)}</td><td>{esc(first['outlet'])}</td><td>{published}</td>"
                    f'<td class="n">{len(grp)}</td><td class="n">{int(counts.get(source, 0))}</td><td>{url}</td></tr>')
    return ('<section id="pages"><h2>Pages read</h2><table class="pages"><thead><tr><th>file</th><th>outlet</th>'
            "<th>published</th><th>items</th><th>mentions</th><th>url</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></section>")
