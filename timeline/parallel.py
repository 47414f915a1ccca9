"""Extraction and merge in several processes on one machine (`timeline build --jobs N`).

Extraction is a pure function of one item, so the items are cut into chunks,
each chunk is extracted in a worker process, and the chunks come back in input
order: the output is byte for byte that of a build in one process. Chunks are
a few hundred items at most, so a worker's result is sent back in a few large
messages, not one per item. The merge is cut into parts of whole blocks that
the same workers merge (exactly the events of one merge: `merge.merge_in_parts`).

Workers are started with the `spawn` method (they inherit nothing but what is
pickled, so the code behaves the same on Linux, macOS and Windows) and each
loads the gazetteer index and the vocabularies once, as it starts.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.pool
from datetime import datetime, timezone
from math import ceil
from typing import Callable

from .extract import places
from .extract.mention import extract_item
from .columns import MentionColumns
from .merge import Clusters, Earlier, Part, merge_columns, merge_in_parts
from .models import Item, Mention

CHUNKS_PER_JOB = 8   # more chunks than workers, so a worker done early takes another
PARTS_PER_JOB = 4    # the same for the parts of the merge
MAX_CHUNK = 250      # items; bounds the memory a chunk's result holds in flight

Progress = Callable[[str, int, int], None]


def chunks(items: list[Item], jobs: int) -> list[list[Item]]:
    """`items` cut into consecutive chunks, about CHUNKS_PER_JOB per job."""
    size = max(1, min(MAX_CHUNK, ceil(len(items) / (jobs * CHUNKS_PER_JOB))))
    return [items[i:i + size] for i in range(0, len(items), size)]


def start(jobs: int) -> multiprocessing.pool.Pool:
    """A pool of `jobs` worker processes, warming up (a build starts it before it reads, so the
    workers' start-up, about a second, overlaps the reading)."""
    places.load_index()  # so a missing on-disk cache is built once, here, not by every worker
    return multiprocessing.get_context("spawn").Pool(jobs, initializer=start_worker)


def extract(items: list[Item], jobs: int, progress: Progress | None = None,
            pool: multiprocessing.pool.Pool | None = None) -> list[list[Mention]]:
    """The mentions of each item, in the order of `items`, extracted by `jobs` worker processes
    (those of `pool`, else a pool started for the call)."""
    parts = chunks(items, jobs)
    if not parts:
        return []
    if pool is None:
        with start(min(jobs, len(parts))) as pool:
            return extract(items, jobs, progress, pool)
    out: list[list[Mention]] = []
    for found in pool.imap(extract_chunk, parts):
        out.extend(found)
        if progress is not None:
            progress("extract", len(out), len(items))
    return out


# Extracted once by each worker as it starts, so that it loads the vocabularies then, not on its first chunk.
WARM_UP = Item(item_id="warm-up", source="warm-up", url=None, outlet=None,
               published=datetime(2025, 1, 1, tzinfo=timezone.utc), item_time=None, position=0, headline=None,
               text="Russian drones struck Kharkiv overnight, killing two people, the regional governor said.")


def start_worker() -> None:
    """Load the gazetteer index (from the on-disk cache) and the vocabularies, once per worker process."""
    places.load_index()
    extract_item(WARM_UP)


def extract_chunk(items: list[Item]) -> list[list[Mention]]:
    """The mentions of each item of one chunk (run in a worker)."""
    return [extract_item(item) for item in items]


def merge(mentions: MentionColumns, earlier: Earlier, jobs: int, pool: multiprocessing.pool.Pool) -> Clusters:
    """`merge.merge_columns`, its parts (whole blocks, see `merge.merge_in_parts`) merged by the pool's workers."""
    return merge_in_parts(mentions, earlier, jobs * PARTS_PER_JOB, lambda parts: pool.map(merge_part, parts, 1))


def merge_part(part: Part) -> Clusters:
    """Merge one part (run in a worker)."""
    return merge_columns(*part)
