"""SPLIT stage: one Document -> its Items, one live-blog post each.

Public API
    split_document(doc) -> (items, warnings)     warnings about left-out parts are `Skipped`
    item_id(source, position, text) -> str
    is_boilerplate(line) -> bool
    boilerplate_patterns() -> tuple of compiled patterns (timeline/data/boilerplate.txt)
    strip_prefix(line) -> str       corpus/export tags removed (timeline/data/line_prefixes.txt)

Ordered fallbacks; each Item records the path taken in `split_method`:
    html   JSON-LD liveBlogUpdate ("jsonld") -> per-post markup ("markup")
           -> the page's main text, split as a plain-text page (below)
    jsonl  one item per valid line ("jsonl"); bad lines become warnings
    text   boilerplate lines dropped, then
           "Published at 08:41 BST"-style headers -> "timed"
           otherwise bullet lines -> "bullets", other paragraphs grouped into
           posts -> "text": a lead paragraph plus the quote / continuation
           paragraphs that follow it.

Short lines without final punctuation (standfirsts, section headings) are never
items of their own: such a line becomes the headline of the next item (of every
bullet that follows, in a bullet section); one with no item after it is dropped.

Times: item_time keeps the zone the page gives (Europe/London for BBC-style
headers, the offset of a JSON-LD or JSONL timestamp); `published` is the page date.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from .errors import InputError, VocabularyError
from .extract.gate import Gates
from .models import Document, Item
from .read import (
    MAX_HTML_DEPTH, UNDATED, YEARS, has_time_of_day, html_depth, html_tree, jsonl_records, jsonld_nodes, jsonld_type,
    parse_datetime,
)
from .vocab import load_lines

BOILERPLATE_FILE = "boilerplate.txt"
PREFIXES_FILE = "line_prefixes.txt"
LONDON = "Europe/London"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Never post text: dropped before posts are looked for (captions, scripts, share buttons, ...).
_NOT_POST = ("script", "style", "noscript", "template", "svg", "aside", "form", "figure", "figcaption",
             "iframe", "button", "select")
# Page furniture around the posts, dropped too before the page's main text is read.
_NON_CONTENT = _NOT_POST + ("nav", "footer", "header")
_PAGE_BLOCKS = "p, li, h1, h2, h3, h4, h5, h6, blockquote, pre, dd"
_POST_BLOCKS = "p, li, blockquote, pre, h5, h6"

# --- plain-text cues (grammar, not vocabulary: pronouns, connectives, speech verbs)
_TERMINAL = re.compile(r"[.!?:;…“”\"’')\]»]\s*$")
_SENTENCE_BREAK = re.compile(r"[.!?][\"”’]?\s+[A-Z“\"]")
_BULLET = re.compile(r"^[-•*▪◦‣–]\s+(?=\S)")
_REPORTING = (r"(?:said|says|added|adds|told|tells|wrote|writes|insisted|stated|warned|noted|claimed"
              r"|explained|continued|posted|tweeted|argued|replied|responded|confirmed|declared)")
_PRONOUN_START = re.compile(r"^(?:He|She|They|It|Its|His|Her|Their|This|These|Those|Such)\b")
_HONORIFIC_START = re.compile(r"^(?:Mr|Mrs|Ms|Miss)\.?\s+[A-Z]")
_CONNECTIVE_START = re.compile(
    r"^(?:But|However|And|Also|Elsewhere|Meanwhile|Separately|Still|Yet|Instead|Additionally"
    r"|Moreover|Furthermore|In addition|Nevertheless|Nonetheless|Even so)\b")
_PARTICIPLE_START = re.compile(
    r"^(?!(?:During|Nothing|Something|Everything|Anything|Beijing|King|Spring|Morning|Evening)\b)"
    r"[A-Z][a-z]+ing\s+[a-z“\"‘][^.]*?,")
_CLAUSE_THEN_PRONOUN = re.compile(r"^[^.,;:“”\"]{1,80},\s+(?:he|she|they|it)\s+[a-z]")
_ROLE_ATTRIBUTION = re.compile(rf"^The\s+((?:[\w’'-]+\s+){{1,5}}?)(?:has\s+|had\s+|also\s+)?{_REPORTING}\b")
# "... downed six of the missiles and 245 of the drones in that attack": the attack of the post before
_REFERS_BACK = re.compile(r"\b(?:in|during)\s+(?:that|this|the\s+same)\s+(?:attack|strike|assault|barrage)\b"
                          r"|\b(?:of|from)\s+(?:those|these)\s+(?:drones|missiles)\b")
_THE_MEASURES = re.compile(r"^The\s+[A-Z]{2,}\s+(?:package|measures|sanctions|deal|agreement)\b")
_ALSO_EARLY = re.compile(r"^(?:\S+\s+){0,7}also\b")
_SPEECH_THEN_QUOTE = re.compile(
    rf"\b(?:{_REPORTING}|saying|writing|adding|posting)\b[^.:“”\"]{{0,40}}:\s*[“\"‘]")
_PRONOUN_SAID = re.compile(rf"\b(?:he|she|they)\s+(?:also\s+)?{_REPORTING}\b")
_FULL_NAME = re.compile(r"\b[A-Z][\w’'-]+\s+[A-Z][\w’'-]+")
_OPENING_FUNCTION_WORD = re.compile(
    r"^(?:As|If|When|While|After|Before|Since|Although|Though|Because|With|Without|Despite"
    r"|In|On|At|For|By|Asked|But|And|Yet)\s+")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
_POSSESSIVE_NAME = re.compile(r"^([A-Z][\w-]*(?:\s+[A-Z][\w-]*){1,2})[’']s\b")

_TIMED_HEADER = re.compile(
    r"^(?P<lead>(?:published|posted)\s+(?:at\s+)?)?"
    r"(?:(?P<day>\d{1,2})\s+(?P<month>[a-z]{3,9})\.?,?\s+(?:(?P<year>\d{4}),?\s+)?)?"
    r"(?P<hour>\d{1,2})(?P<sep>[:.])(?P<minute>\d{2})"
    r"(?:\s*(?P<zone>bst|gmt|utc|british summer time|greenwich mean time))?"
    r"(?:,?\s+(?P<day2>\d{1,2})\s+(?P<month2>[a-z]{3,9})(?:\s+(?P<year2>\d{4}))?)?$",
    re.IGNORECASE,
)


class Skipped(str):
    """A warning that part of a file (a JSONL line, a JSON-LD block) was left out."""


@dataclass
class _Draft:
    """An item before it has a position and an id."""

    paragraphs: list[str]
    method: str
    headline: str | None = None
    item_time: datetime | None = None
    published: datetime | None = None
    url: str | None = None
    outlet: str | None = None
    key: str | None = None          # an id the input gives (JSONL `id`)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


# ---------------------------------------------------------------- entry point

def split_document(doc: Document) -> tuple[list[Item], list[str]]:
    """The items of one document and warnings about what was skipped.

    Raises InputError when a non-JSONL document has no publication date.
    """
    if doc.kind == "jsonl":
        drafts, warnings = _jsonl_drafts(doc)
    elif doc.published is None:
        raise InputError(doc.path, UNDATED)
    elif doc.kind == "html":
        drafts, warnings = _html_drafts(doc)
    else:
        drafts, warnings = _text_drafts(doc.text, doc), []
    kept = [d for d in drafts if d.text.strip()]
    return [_make_item(doc, position, draft) for position, draft in enumerate(kept)], warnings


def item_id(source: str, position: int, text: str) -> str:
    """Stable id: first 16 hex chars of sha1(source, position, text)."""
    return hashlib.sha1(f"{source}\x1f{position}\x1f{text}".encode("utf-8")).hexdigest()[:16]


def _make_item(doc: Document, position: int, draft: _Draft) -> Item:
    ident = (hashlib.sha1(f"{doc.source}\x1fid\x1f{draft.key}".encode("utf-8")).hexdigest()[:16]
             if draft.key else item_id(doc.source, position, draft.text))
    return Item(
        item_id=ident, source=doc.source, url=draft.url or doc.url, outlet=draft.outlet or doc.outlet,
        published=draft.published or doc.published, item_time=draft.item_time, position=position,
        headline=draft.headline, text=draft.text, split_method=draft.method,
    )


# ---------------------------------------------------------------- boilerplate

@lru_cache(maxsize=None)
def boilerplate_patterns() -> tuple[re.Pattern[str], ...]:
    """The compiled patterns of timeline/data/boilerplate.txt (case-insensitive)."""
    return _patterns(BOILERPLATE_FILE)


@lru_cache(maxsize=None)
def prefix_patterns() -> tuple[re.Pattern[str], ...]:
    """The compiled patterns of timeline/data/line_prefixes.txt (case-insensitive)."""
    return _patterns(PREFIXES_FILE)


def _patterns(name: str) -> tuple[re.Pattern[str], ...]:
    patterns = []
    for source in load_lines(name):
        try:
            patterns.append(re.compile(source, re.IGNORECASE))
        except re.error as exc:
            raise VocabularyError(f"timeline/data/{name}: bad pattern {source!r}: {exc}") from exc
    return tuple(patterns)


def strip_prefix(line: str) -> str:
    """A line without the corpus/export tag glued to its start, if it has one."""
    for pattern in prefix_patterns():
        match = pattern.match(line)
        if match:
            return line[match.end():]
    return line


def is_boilerplate(line: str) -> bool:
    """True when a (stripped) line is site furniture: cookie, login, sign-up, comments, ...
    Only the patterns whose words the line has are tried (timeline.extract.gate)."""
    return any(pattern.search(line) for pattern in _boilerplate_gates().runnable(line))


@lru_cache(maxsize=None)
def _boilerplate_gates() -> Gates[re.Pattern[str]]:
    return Gates(boilerplate_patterns())


def _is_title_line(line: str, title: str | None) -> bool:
    """The page title repeated in the text, alone or as "<title> – <outlet>"."""
    if not title or not line.startswith(title):
        return False
    return re.fullmatch(r"(?:\s*[–—|-]\s*[^.!?]{1,60})?", line[len(title):]) is not None


def _clean_lines(text: str, title: str | None) -> list[str]:
    """Non-blank lines, whitespace collapsed, boilerplate and title lines dropped, hard wraps joined."""
    lines = (strip_prefix(" ".join(raw.replace("\u200b", "").split())) for raw in text.splitlines())
    return _unwrap([ln for ln in lines if ln and not is_boilerplate(ln) and not _is_title_line(ln, title)])


def _unwrap(lines: list[str]) -> list[str]:
    """Join a line to the previous one when that one stops mid-sentence and this starts lower-case."""
    joined: list[str] = []
    for line in lines:
        if joined and line[0].islower() and not _TERMINAL.search(joined[-1]) and not _BULLET.match(joined[-1]):
            joined[-1] += " " + line
        else:
            joined.append(line)
    return joined


# ---------------------------------------------------------------- plain text

def _text_drafts(text: str, doc: Document) -> list[_Draft]:
    paragraphs = _clean_lines(text, doc.title)
    if any(_timed_header(p, doc.published) for p in paragraphs):
        return _split_timed(paragraphs, doc.published)
    return _split_untimed(paragraphs)


def _split_timed(paragraphs: list[str], page_date: datetime) -> list[_Draft]:
    """BBC style: a time header starts a post, a short next line is its headline."""
    preamble: list[str] = []
    posts: list[_Draft] = []
    for para in paragraphs:
        when = _timed_header(para, page_date)
        if when is not None:
            posts.append(_Draft([], "timed", item_time=when))
        elif not posts:
            preamble.append(para)
        elif posts[-1].headline is None and not posts[-1].paragraphs and _is_headline(para):
            posts[-1].headline = para
        else:
            posts[-1].paragraphs.append(para)
    return _split_untimed(preamble) + [_headline_as_text(post) for post in posts]


def _headline_as_text(draft: _Draft) -> _Draft:
    if not draft.paragraphs and draft.headline:
        draft.paragraphs, draft.headline = [draft.headline], None
    return draft


def _is_headline(para: str) -> bool:
    return len(para) <= 150 and len(para.split()) <= 25 and not para.endswith(".") and not _BULLET.match(para)


def _timed_header(line: str, page_date: datetime | None) -> datetime | None:
    """The time a "Published at 08:41 BST" / "14 May 08:41" / "08:41 GMT" line gives, else None."""
    match = _TIMED_HEADER.match(line)
    if not match or page_date is None or not (match["lead"] or match["zone"] or match["sep"] == ":"):
        return None
    day = _header_date(match, page_date)
    hour, minute = int(match["hour"]), int(match["minute"])
    if day is None or hour > 23 or minute > 59:
        return None
    zone = timezone.utc if (match["zone"] or "").lower() == "utc" else ZoneInfo(LONDON)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def _header_date(match: re.Match[str], page_date: datetime) -> date | None:
    """The header's own day and month, else the page date (in London)."""
    local = page_date.astimezone(ZoneInfo(LONDON)).date()
    day, month, year = match["day"] or match["day2"], match["month"] or match["month2"], match["year"] or match["year2"]
    if not day:
        return local
    if month[:3].lower() not in _MONTHS:
        return None
    try:
        found = date(int(year or local.year), _MONTHS.index(month[:3].lower()) + 1, int(day))
        found = found.replace(year=found.year - 1) if not year and found > local + timedelta(days=1) else found
    except ValueError:
        return None
    return found if found.year in YEARS else None


def _split_untimed(paragraphs: list[str]) -> list[_Draft]:
    """Bullets one item each; other paragraphs grouped into lead + continuation posts."""
    drafts: list[_Draft] = []
    heading, fresh = None, False      # fresh: the previous line was the heading
    for para in paragraphs:
        role = _paragraph_role(para, drafts[-1] if drafts and not fresh else None)
        if role == "bullet":
            drafts.append(_Draft([_BULLET.sub("", para, count=1)], "bullets", headline=heading))
            fresh = False
        elif role == "heading":
            heading, fresh = para, True
        elif role == "continue":
            drafts[-1].paragraphs.append(para)
        else:
            drafts.append(_Draft([para], "text", headline=heading if fresh else None))
            heading, fresh = None, False
    return drafts


def _paragraph_role(para: str, current: _Draft | None) -> str:
    """'bullet', 'heading', 'continue' (belongs to `current`) or 'lead' (starts an item)."""
    if _BULLET.match(para):
        return "bullet"
    if current is not None and _is_open(current.paragraphs[-1]):
        return "continue"
    if _is_heading(para):
        return "heading"
    if current is not None and _continues(para, current.text):
        return "continue"
    return "lead"


def _is_heading(para: str) -> bool:
    """A standfirst or section heading: short, capitalised, one unfinished sentence, no final punctuation."""
    return (len(para) <= 200 and len(para.split()) <= 30 and not para[0].islower()
            and not _TERMINAL.search(para) and not _SENTENCE_BREAK.search(para) and not _is_open(para))


def _is_open(previous: str) -> bool:
    """The previous paragraph announces more: ends with ':' or leaves a quote open."""
    return previous.endswith(":") or previous.count("“") > previous.count("”") or previous.count('"') % 2 == 1


def _continues(para: str, item_text: str) -> bool:
    """Does `para` continue the current post rather than start a new one?"""
    return (
        para[0] in "“\"‘'„«" or para[0].islower()
        or bool(_PRONOUN_START.match(para) or _HONORIFIC_START.match(para) or _CONNECTIVE_START.match(para))
        or bool(_PARTICIPLE_START.match(para) or _CLAUSE_THEN_PRONOUN.match(para) or _ALSO_EARLY.match(para))
        or bool(_SPEECH_THEN_QUOTE.search(para))
        or _definite_reference(para) or _pronoun_attribution(para) or _known_possessive(para, item_text)
        or bool(_REFERS_BACK.search(para))
    )


def _definite_reference(para: str) -> bool:
    """"The incident ...", "The man ...", "The Ukrainian president said ...", "The EU package ..." refer back."""
    if re.match(r"^The\s+[a-z]", para) or _THE_MEASURES.match(para):
        return True
    match = _ROLE_ATTRIBUTION.match(para)
    if not match:
        return False
    words = match.group(1).split()
    return any(w[0].islower() for w in words) and not _FULL_NAME.search(match.group(1))


def _pronoun_attribution(para: str) -> bool:
    """"..., he said" with nobody named before it in the paragraph (outside quotes)."""
    match = _PRONOUN_SAID.search(para)
    if not match:
        return False
    before = _OPENING_FUNCTION_WORD.sub("", _QUOTED.sub("", para[: match.start()]))
    return not _FULL_NAME.search(before)


def _known_possessive(para: str, item_text: str) -> bool:
    """"Pawel K's tasks ..." when Pawel K is already named in the current post."""
    match = _POSSESSIVE_NAME.match(para)
    return bool(match) and match.group(1) in item_text


# ---------------------------------------------------------------- html

def _html_drafts(doc: Document) -> tuple[list[_Draft], list[str]]:
    tree = html_tree(doc.text)
    nodes, bad_blocks = jsonld_nodes(tree)
    warnings: list[str] = [Skipped(f"JSON-LD block {n}: {problem}, skipped") for n, problem in bad_blocks]
    tree.strip_tags(list(_NOT_POST))
    drafts = _jsonld_drafts(nodes) or _markup_drafts(tree) or _text_drafts(_main_text(tree), doc)
    return drafts, warnings


def _jsonld_drafts(nodes: list[dict[str, Any]]) -> list[_Draft]:
    """One draft per liveBlogUpdate of every LiveBlogPosting, in page order, duplicates dropped."""
    drafts: list[_Draft] = []
    seen: set[tuple[Any, ...]] = set()
    for blog in _live_blogs(nodes):
        for update in _as_list(blog.get("liveBlogUpdate")):
            draft = _update_draft(update)
            key = (draft.text, draft.headline, draft.item_time) if draft else None
            if draft and key not in seen:
                seen.add(key)
                drafts.append(draft)
    return drafts


def _live_blogs(obj: Any) -> list[dict[str, Any]]:
    """LiveBlogPosting objects anywhere in the JSON-LD (e.g. inside WebPage.mainEntity)."""
    if isinstance(obj, list):
        return [blog for value in obj for blog in _live_blogs(value)]
    if not isinstance(obj, dict):
        return []
    if "LiveBlogPosting" in jsonld_type(obj):
        return [obj]
    return [blog for value in obj.values() for blog in _live_blogs(value)]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _string(value: Any) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None


def _update_draft(update: Any) -> _Draft | None:
    if not isinstance(update, dict):
        return None
    headline = _string(update.get("headline"))
    body = next((update[k] for k in ("articleBody", "text", "description") if _string(update.get(k))), None)
    paragraphs = _body_paragraphs(body)
    if not paragraphs and headline:
        paragraphs, headline = [headline], None
    if not paragraphs:
        return None
    when = parse_datetime(update.get("datePublished") or update.get("dateCreated"))
    return _Draft(paragraphs, "jsonld", headline=headline, item_time=when, url=_string(update.get("url")))


def _body_paragraphs(body: str | None) -> list[str]:
    """An articleBody as paragraphs (HTML bodies are parsed, plain ones split on lines)."""
    if not body:
        return []
    if not re.search(r"<[a-zA-Z/][^>]*>", body):
        return _lines(body)
    if html_depth(body) > MAX_HTML_DEPTH:
        return _lines(re.sub(r"<[^<>]*>", " ", body))
    tree = html_tree(body)
    tree.strip_tags(list(_NON_CONTENT))
    texts = _block_texts(tree.body, _POST_BLOCKS) or _lines(_node_text(tree.body))
    return [t for t in texts if not is_boilerplate(t)]


def _lines(text: str) -> list[str]:
    return [ln for ln in (" ".join(raw.split()) for raw in text.splitlines()) if ln]


def _node_text(node: Any) -> str:
    return " ".join(node.text().split()) if node is not None else ""


def _block_texts(node: Any, selector: str) -> list[str]:
    """Texts of the innermost block elements under `node`, in document order (links-only blocks left out)."""
    if node is None:
        return []
    return [text for text in (_node_text(n) for n in _innermost(node, selector) if not _only_links(n)) if text]


def _only_links(node: Any) -> bool:
    """A block whose whole text is links ("Read more" lists, key-event tables of contents)."""
    links = node.css("a")
    return bool(links) and "".join(node.text().split()) == "".join("".join(a.text().split()) for a in links)


def _innermost(node: Any, selector: str) -> list[Any]:
    """Elements under `node` (itself included) matching `selector` that hold no other match.

    Linear in the tree: each match marks its ancestors once, stopping at one already marked.
    """
    matches = node.css(selector)
    holders: set[int] = set()
    for match in matches:
        parent = match.parent
        while parent is not None and parent.mem_id not in holders:
            holders.add(parent.mem_id)
            parent = parent.parent
    return [m for m in matches if m.mem_id not in holders]


def _markup_drafts(tree: Any) -> list[_Draft]:
    """Posts as <article> elements, else as the containers of each <time datetime>."""
    containers = _innermost(tree, "article")
    if len(containers) < 2:
        containers = _time_containers(tree)
    if len(containers) < 2:
        return []
    return [d for d in map(_container_draft, containers) if d.paragraphs]


def _time_containers(tree: Any) -> list[Any]:
    """For each <time datetime>, its largest ancestor holding no other <time datetime>."""
    times = tree.css("time[datetime]")
    owner = _sole_time_owner(times)
    containers, seen = [], set()
    for time in times:
        node = time
        while node.parent is not None and node.parent.tag not in ("body", "html") \
                and owner.get(node.parent.mem_id) == time.mem_id:
            node = node.parent
        if node.mem_id not in seen:
            seen.add(node.mem_id)
            containers.append(node)
    return containers


def _sole_time_owner(times: list[Any]) -> dict[int, int | None]:
    """Element -> the one <time> under it (None when it holds several); linear in the tree.

    The ancestors of an element holding several times hold several too, so each
    walk up stops at the first such element.
    """
    owner: dict[int, int | None] = {}
    for time in times:
        node = time.parent
        while node is not None and owner.get(node.mem_id, time.mem_id) is not None:
            owner[node.mem_id] = time.mem_id if node.mem_id not in owner else None
            node = node.parent
    return owner


def _container_draft(node: Any) -> _Draft:
    time = node.css_first("time[datetime]")
    headline = _node_text(node.css_first("h1, h2, h3, h4")) or None
    skip = {headline, _node_text(time)}
    texts = _block_texts(node, _POST_BLOCKS) or [_node_text(node)]
    paragraphs = [t for t in texts if t not in skip and not is_boilerplate(t)]
    when = parse_datetime(time.attributes.get("datetime")) if time is not None else None
    return _Draft(paragraphs, "markup", headline=headline, item_time=when)


def _main_text(tree: Any) -> str:
    """The page's readable text, one block per line (list items as "- " bullets)."""
    tree.strip_tags(list(_NON_CONTENT))
    body = tree.body
    if body is None:
        return ""
    leaves = [n for n in _innermost(body, _PAGE_BLOCKS) if not _only_links(n)]
    if not leaves:
        return body.text(separator="\n")
    return "\n".join(("- " if n.tag == "li" else "") + _node_text(n) for n in leaves)


# ---------------------------------------------------------------- jsonl

def _jsonl_drafts(doc: Document) -> tuple[list[_Draft], list[str]]:
    drafts: list[_Draft] = []
    warnings: list[str] = []
    keys: set[str] = set()
    for line in jsonl_records(doc.text):
        draft, problem = _jsonl_draft(line.record, line.problem)
        if draft is None:
            warnings.append(Skipped(f"line {line.lineno}: {problem}, skipped"))
            continue
        if draft.key in keys:
            warnings.append(f"line {line.lineno}: duplicate id {draft.key!r}, item id taken from its text")
            draft.key = None
        keys.add(draft.key or "")
        drafts.append(draft)
    return drafts, warnings


def _jsonl_draft(record: dict[str, Any] | None, problem: str | None) -> tuple[_Draft | None, str | None]:
    """A draft from one JSONL object, or None and the reason it is unusable."""
    if record is None:
        return None, problem
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return None, "missing 'text'"
    raw = record.get("published")
    published = parse_datetime(raw)
    if published is None:
        return None, "missing 'published'" if raw in (None, "") else f"bad 'published' date {raw!r}"
    key = record.get("id")
    return _Draft(
        _lines(text), "jsonl", headline=_string(record.get("headline")),
        item_time=published if has_time_of_day(raw) else None, published=published,
        url=_string(record.get("url")), outlet=_string(record.get("outlet")),
        key=str(key) if key not in (None, "") else None,
    ), None
