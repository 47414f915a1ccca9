"""timeline: live blogs about the Russia-Ukraine war in, a deduplicated event dataset out."""
import os

__version__ = "0.1.0"

# Arrow allocates with the system allocator, not its default (mimalloc), which keeps the memory it
# frees for reuse: a large build frees much (its tables are written a row group at a time, from
# spill files read back a column at a time) and would otherwise hold several times what it uses.
# Arrow reads this when pyarrow is first imported, so it applies when timeline is imported first;
# a value already set wins.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
