"""Sentence splitting with offsets, and masking of quotations.

Offsets always point into the item text, so every value can be traced back
to its sentence (`mentions.char_start`, `char_end`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..vocab import load_lines

OPEN_QUOTES = "“‘\""
CLOSE_FOR = {"“": "”", "‘": "’", '"': '"'}
# A sentence ends at a run of [.!?] (and closing quotes or brackets) before a capital or digit, or at line
# breaks: [.!?]+[”’"')\]]*(?=\s+[“‘"'(\[]?[A-Z0-9])|\n+. Written to open with a character class, which lets
# the re engine skip to the next [.!?\n] instead of trying both branches at every character (a test checks
# the two find the same).
_BOUNDARY = re.compile(r"[.!?\n](?:(?<=[.!?])[.!?]*[”’\"')\]]*(?=\s+[“‘\"'(\[]?[A-Z0-9])|(?<=\n)\n*)")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


@lru_cache(maxsize=None)
def _abbreviations() -> frozenset[str]:
    return frozenset(load_lines("abbreviations.txt"))


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text` with their offsets (whitespace trimmed)."""
    out: list[Sentence] = []
    start = 0
    masked = mask_quotes(text)
    for m in _BOUNDARY.finditer(text):
        if m.group(0)[0] == "." and _is_abbreviation(text, m.start()):
            continue
        if m.group(0)[0] != "\n" and masked[m.start()] == " " and m.group(0)[-1] not in "”\"":
            continue  # a full stop inside a quotation
        _add(text, start, m.end(), out)
        start = m.end()
    _add(text, start, len(text), out)
    return out


_WORD_BEFORE = re.compile(r"[\w.]+$")
LONGEST_ABBREVIATION = 40   # a longer run of letters and dots before a full stop is no abbreviation


def _is_abbreviation(text: str, dot: int) -> bool:
    word = _WORD_BEFORE.search(text, max(0, dot - LONGEST_ABBREVIATION), dot)
    return bool(word) and (word.group(0) in _abbreviations() or len(word.group(0)) == 1)


def _add(text: str, start: int, end: int, out: list[Sentence]) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    s = start + (len(chunk) - len(chunk.lstrip()))
    out.append(Sentence(stripped, s, s + len(stripped)))


_OPEN_QUOTE = re.compile("[" + re.escape("".join(OPEN_QUOTES)) + "]")


def mask_quotes(text: str) -> str:
    """`text` with every quotation replaced by spaces (same length, so offsets hold).

    A quotation left open runs to the end of the text. Apostrophes inside
    words ("Ukraine’s") are not quotation marks.
    """
    pieces = []
    done = 0                      # text[:done] is already in `pieces`
    m = _OPEN_QUOTE.search(text)
    while m is not None:
        i = m.start()
        if not _opens(text, i):
            m = _OPEN_QUOTE.search(text, i + 1)
            continue
        close = _find_close(text, i)
        pieces.append(text[done:i])
        pieces.append(" " * (close + 1 - i))
        done = close + 1
        m = _OPEN_QUOTE.search(text, done)
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def _opens(text: str, i: int) -> bool:
    if text[i] == "‘" or text[i] == "'":
        return (i == 0 or not text[i - 1].isalnum()) and i + 1 < len(text) and text[i + 1].isalnum()
    return True


def _find_close(text: str, i: int) -> int:
    closer = CLOSE_FOR.get(text[i], "'")
    j = text.find(closer, i + 1)
    while j != -1:
        if closer not in "’'" or j + 1 >= len(text) or not text[j + 1].isalnum():
            return j
        j = text.find(closer, j + 1)
    return len(text) - 1
