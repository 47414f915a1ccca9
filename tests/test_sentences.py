import re
from pathlib import Path

from timeline import read
from timeline.extract import sentences
from timeline.extract.sentences import mask_quotes, split_sentences

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "data" / "raw", ROOT / "tests" / "gold" / "pages", ROOT.parent / "shared" / "seeds"]


def test_sentences_keep_offsets_and_abbreviations():
    text = ("Mr Sybiha met Ms Kallas in Brussels on Tuesday. “We will not wait. Pressure works,” "
            "he said. The U.S. envoy arrived later.")
    sents = split_sentences(text)
    assert [s.text for s in sents] == [
        "Mr Sybiha met Ms Kallas in Brussels on Tuesday.",
        "“We will not wait. Pressure works,” he said.",
        "The U.S. envoy arrived later.",
    ]
    assert all(text[s.start:s.end] == s.text for s in sents)


def test_mask_quotes_keeps_length_and_apostrophes():
    text = "Ukraine’s air force said: “Russia attacked Kharkiv.” Then it ended."
    masked = mask_quotes(text)
    assert len(masked) == len(text)
    assert "Ukraine’s air force said:" in masked and "Kharkiv" not in masked and "Then it ended." in masked


def test_unclosed_quote_runs_to_the_end():
    assert mask_quotes("He added: “We will fight on").strip() == "He added:"


# the sentence boundary as first written; `sentences._BOUNDARY` is the same pattern opened by a character class
PLAIN_BOUNDARY = re.compile(r"[.!?]+[”’\"')\]]*(?=\s+[“‘\"'(\[]?[A-Z0-9])|\n+")


def test_the_boundary_pattern_finds_what_the_plain_one_finds():
    """Over every page of ours and the seeds (markup included) and runs of stops, quotes and line breaks,
    the two patterns find the same boundaries."""
    tasks = [t for t in read.plan_inputs([p for p in PAGES if p.exists()]) if isinstance(t, read.ReadTask)]
    texts = [read.read_task(t).text for t in tasks]
    pieces = [".", "!", "?", "\n", " ", "”", "’", '"', "'", ")", "]", "“", "(", "[", "A", "7", "a", "x."]
    texts += [a + b + c + d for a in pieces for b in pieces for c in pieces for d in pieces]
    texts += ["Hello?! ”Yes.” (No...)\n\n\nOK", "He said: “Go.” Then... 3 left.\n", "end.\n\n", "!!!\nA"]
    assert len(texts) > 10000
    assert [t for t in texts if [m.span() for m in sentences._BOUNDARY.finditer(t)]
            != [m.span() for m in PLAIN_BOUNDARY.finditer(t)]] == []
