from timeline.extract.sentences import mask_quotes, split_sentences


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
