"""timeline: live blogs about the Russia-Ukraine war in, a deduplicated event dataset out."""
__version__ = "0.1.0"
