"""Extraction: one item in, its mentions out (figures, places, actors, event types, dates).

The combined entry point is `timeline.extract.mention.extract_item`.
"""
