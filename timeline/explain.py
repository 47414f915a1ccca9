"""Why an event is what it is: its mentions, how each joined, and the history of its figures.

`timeline inspect --event EVENT_ID --out DIR` prints this; it reads only the
tables and the state a build wrote, so it explains exactly that build.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import state, write
from .errors import OutputError


@dataclass
class Story:
    event: dict              # the events row
    mentions: pd.DataFrame   # its mentions in report order, with joined_to and reason
    figures: pd.DataFrame    # every value reported for it, oldest report first


def explain_event(out_dir: str | Path, event_id: str) -> Story:
    """The story of one event of the build in `out_dir`; `event_id` may be a unique prefix."""
    frames = write.read_tables(out_dir)
    if "events" not in frames or "mentions" not in frames:
        raise OutputError(f"{out_dir}: no build here (run timeline build --out {out_dir} first)")
    events = frames["events"]
    found = events[events["event_id"].str.startswith(event_id)]
    if len(found) != 1:
        why = "no event" if found.empty else f"{len(found)} events"
        raise OutputError(f"{out_dir}: {why} with id {event_id!r}")
    event = found.iloc[0].to_dict()
    mentions = frames["mentions"]
    mentions = mentions[mentions["event_id"] == event["event_id"]]
    links = state.links(out_dir)
    if links is not None:
        mentions = mentions.merge(links[["mention_id", "joined_to", "reason"]], on="mention_id", how="left")
    else:
        mentions = mentions.assign(joined_to=None, reason="(no state: built by an older version)")
    mentions = mentions.sort_values(["reported", "source", "char_start"], kind="mergesort")
    figures = frames.get("figures", pd.DataFrame(columns=["event_id", "reported"]))
    figures = figures[figures["event_id"] == event["event_id"]].sort_values(
        ["category", "reported", "mention_id", "char_start"], kind="mergesort")
    return Story(event, mentions.reset_index(drop=True), figures.reset_index(drop=True))
