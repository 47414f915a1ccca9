"""Giving freed memory back to the system between the stages of a large build.

Python, pandas and Arrow free what a stage used as soon as it is done, but
the C allocator (glibc's malloc) keeps most freed pages in its heap for
later: a build of a million items would hold, at its end, the garbage of
every stage before. `give_back()` returns them (`malloc_trim`); where there is
no glibc it does nothing.
"""
from __future__ import annotations

import ctypes
import sys


def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):   # not glibc (musl has no malloc_trim)
        return None


_TRIM = _malloc_trim()


def give_back() -> None:
    """Return the free pages of the C heap to the system."""
    if _TRIM is not None:
        _TRIM(0)
