"""The records that flow through the pipeline, defined once.

read -> Document, split -> Item, extract -> Mention (with Figures).
Events are built by `merge` as a pandas table, not as records.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


# The columns that describe an event's place, in every table that has them.
PLACE_FIELDS = ("location", "admin1", "country", "latitude", "longitude", "geo_precision")


@dataclass(frozen=True)
class Document:
    """One input page (or one JSONL file) as read from disk."""

    source: str                 # file name as given (relative to its input folder)
    path: str                   # full path on disk
    kind: str                   # "text", "html" or "jsonl"
    text: str                   # decoded file content
    published: datetime | None  # page date: manifest, file name, then page metadata
    outlet: str | None = None
    url: str | None = None
    title: str | None = None
    notes: tuple[str, ...] = ()  # non-fatal remarks, e.g. "decoded as cp1252"


@dataclass(frozen=True)
class Item:
    """One live-blog post: the unit extraction works on."""

    item_id: str
    source: str
    url: str | None
    outlet: str | None
    published: datetime          # the page date (anchor when item_time is None)
    item_time: datetime | None   # the post's own time, when the page has one
    position: int                # 0-based order of the item in its page
    headline: str | None
    text: str
    split_method: str = "text"   # jsonld | markup | bullets | timed | text | jsonl

    @property
    def anchor(self) -> datetime:
        """The time relative dates ("yesterday") are resolved against."""
        return self.item_time or self.published


@dataclass(frozen=True)
class Figure:
    """One number reported in a sentence."""

    category: str       # killed, injured, drones, ... (a column of `events`)
    value: int
    qualifier: str      # exact, at_least, more_than, about, up_to, nearly
    unit: str           # the counted noun as written ("people", "drones", "years")
    text: str           # the figure phrase as written ("at least 46 people")
    char_start: int     # offsets in the item text
    char_end: int


@dataclass
class Mention:
    """One reported event, read from one sentence (or clause) of one item."""

    mention_id: str
    item_id: str
    source: str
    url: str | None
    sentence: str
    char_start: int
    char_end: int
    reported: datetime              # item time, else page date
    event_date: date
    date_precision: str             # day / week / month / year
    date_explicit: bool             # False when the date is only the anchor's
    date_window: int                # days of slack either side (overnight reports)
    event_type: str
    event_mode: str | None = None
    acled_event_type: str | None = None
    acled_sub_event_type: str | None = None
    actor: str | None = None
    actor_country: str | None = None
    target: str | None = None
    target_country: str | None = None
    location: str | None = None
    admin1: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    claimed_by: str | None = None
    figures: list[Figure] = field(default_factory=list)

    def figure_values(self) -> dict[str, int]:
        """Category -> value; the first figure of a category in the sentence wins."""
        values: dict[str, int] = {}
        for f in self.figures:
            values.setdefault(f.category, f.value)
        return values
