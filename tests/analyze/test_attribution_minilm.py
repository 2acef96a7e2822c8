"""The MiniLM attribution head: it loads from the package, it finds a cue the CRF alone misses, and at weight 0
its Viterbi is crfsuite's."""

from __future__ import annotations

from typing import Any

import pytest

from tracewire.pipeline import Resources


def _combined() -> Any:
    """The shipped tagger, skipped when its weights, torch or transformers are missing."""
    from tracewire.analyze import attribution_crf, attribution_minilm

    if not attribution_crf.MODEL_PATH.is_file() or not attribution_minilm.MODEL_PATH.is_file():
        pytest.skip("the attribution models are absent (eval/train_attribution_crf.py, eval/train_attribution_minilm.py)")
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    tagger = attribution_minilm.load_combined()
    assert isinstance(tagger, attribution_minilm.CombinedTagger)
    return tagger


def _cues(res: Resources, text: str, tagger: Any) -> list[tuple[str, str | None]]:
    """(cue, source) of every attribution ``find_learned`` finds in ``text`` with ``tagger``."""
    from tracewire.analyze.attribution import find_learned, load_cues
    from tracewire.analyze.parse import nlp
    from tracewire.analyze.sentences import blocks, split

    parsed = nlp(res)(text)
    spans = split(text, [s.start_char for s in parsed.sents])
    founds, _ = find_learned(text, parsed, spans, blocks(text), load_cues(), tagger)
    return [(text[f.cue_start : f.cue_end], text[f.source_start : f.source_end] if f.source_start is not None else None)
            for fs in founds for f in fs]


def test_attribution_minilm_head_finds_a_cue_the_crf_misses(res: Resources) -> None:
    """"are worried that": the CRF alone finds no cue; with the MiniLM head the cue and its source are found."""
    tagger = _combined()
    text = "Farmers are worried that the drought will ruin the harvest."
    assert _cues(res, text, tagger.crf) == []
    assert _cues(res, text, tagger) == [("are worried", "Farmers")]


def test_attribution_minilm_head_keeps_the_crf_cues(res: Resources) -> None:
    """A plain reporting verb and its subject are still found with the head."""
    tagger = _combined()
    got = _cues(res, "The opposition commander told reporters on Sunday that the ceasefire had collapsed in Daraa.",
                tagger)
    assert ("told", "The opposition commander") in got


def test_attribution_minilm_viterbi_at_weight_zero_is_crfsuites(res: Resources) -> None:
    """The CRF weights read from the model file decode as crfsuite does when the head weighs nothing."""
    from tracewire.analyze.attribution import find_all, load_cues
    from tracewire.analyze.attribution_crf import document_sequences
    from tracewire.analyze.attribution_minilm import CombinedTagger
    from tracewire.analyze.parse import nlp
    from tracewire.analyze.sentences import blocks, split

    tagger = _combined()
    zero = CombinedTagger(tagger.crf, tagger.encoder, weight=0.0)
    text = ("“We will not withdraw from the town,” said Abu Omar, a spokesman for the rebel group.\n\n"
            "According to the ministry, 14 depots were destroyed; the army denied it on Monday.")
    parsed = nlp(res)(text)
    spans = split(text, [s.start_char for s in parsed.sents])
    founds, quotes = find_all(text, parsed, spans, blocks(text), load_cues(), keep_quoted=True)
    doc = zero.for_document(text, parsed)
    seqs = [(a, feats) for a, _, feats in document_sequences(parsed, spans, quotes, founds, load_cues()) if feats]
    assert seqs
    for a, feats in seqs:
        assert doc.tag(feats, a) == tagger.crf.tag(feats)
