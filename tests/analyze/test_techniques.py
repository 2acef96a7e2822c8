"""Tests for the techniques component: lexicon, tokens, scorer parts and real detections."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_path
from tracewire.analyze import techniques as tq
from tracewire.errors import UsageError
from tracewire.pipeline import DEFAULT_PIPELINE, Resources, analyze_document, build
from tracewire.records import Document

RANT = (
    "Minister Halvard Brenn's plan is a disaster.\n\n"
    "These corrupt puppets in the capital have betrayed our nation again and again!\n"
    "Do they really expect us to believe that the floods were an accident?\n"
    "Wake up, people! Wake up before it is too late!\n"
)


@pytest.fixture(scope="module")
def res() -> Resources:
    """One Resources per module so the model loads once."""
    return Resources(packs=())


def overlapping(found: list[tq.Technique], text: str, phrase: str) -> set[str]:
    """Labels of detected spans that overlap the first occurrence of ``phrase`` in ``text``."""
    a = text.index(phrase)
    b = a + len(phrase)
    return {t.technique for t in found if t.start < b and t.end > a}


def test_tokenize_keeps_offsets_and_sentences() -> None:
    """Tokens map back to the text and sentences split at line breaks and full stops."""
    text = "It’s over. Facts don’t lie!\nNew line here"
    toks = tq.tokenize(text)
    assert all(text[t.start : t.end] == t.text for t in toks)
    assert [t.text for t in toks][:4] == ["It’s", "over", ".", "Facts"]
    assert toks[-1].sent == 2 and toks[3].sent == 1
    assert toks[0].lower == "it's"


def test_lexicon_matches_phrases_and_prefixes() -> None:
    """Multi-word cues, wildcard endings and curly apostrophes all match."""
    lex = tq.Lexicon({"Loaded_Language": ["evil", "demoni*"], "Slogans": ["don't lie"]})
    toks = tq.tokenize("They demonise an EVIL plan. Facts don’t lie.")
    hits = {(toks[a].text, tech) for a, _, tech, _ in lex.match(toks)}
    assert ("demonise", "Loaded_Language") in hits
    assert ("EVIL", "Loaded_Language") in hits
    assert ("don’t", "Slogans") in hits


def test_lexicon_rejects_unknown_technique() -> None:
    """A pack table that is not a SemEval label is a coded usage error naming the labels."""
    with pytest.raises(UsageError, match="Unknown technique table"):
        tq.Lexicon({"Propaganda": ["x"]})


def test_user_pack_extends_cues(tmp_path: Path) -> None:
    """A techniques.toml in a pack folder adds its cues to the core ones."""
    (tmp_path / "techniques.toml").write_text('[Slogans]\ncues = ["glory to the river"]\n', encoding="utf-8")
    lex = tq.Lexicon.from_files(tq.pack_files([str(tmp_path)]))
    toks = tq.tokenize("They chanted glory to the river all night.")
    assert any(tech == "Slogans" for _, _, tech, _ in lex.match(toks))
    (tmp_path / "techniques.toml").write_text("[Slogans]\ncues = 3\n", encoding="utf-8")
    with pytest.raises(UsageError, match="must be a list of strings"):
        tq.Lexicon.from_files(tq.pack_files([str(tmp_path)]))


def test_detects_loaded_language_and_scores_are_probabilities(res: Resources) -> None:
    """Loaded words and repeated exhortations are found, scored in (0, 1) and explained."""
    found = tq.detect_techniques(RANT, "rant", res)
    assert found, "no technique found in an obvious rant"
    assert all(0.0 < t.score < 1.0 for t in found)
    assert all(0 <= t.start < t.end <= len(RANT) for t in found)
    assert all(t.technique in tq.LABELS for t in found)
    assert all(t.evidence for t in found)
    labels = overlapping(found, RANT, "corrupt puppets")
    assert labels & {"Loaded_Language", "Name_Calling,Labeling"}


def test_plain_news_has_fewer_spans_than_a_rant(res: Resources) -> None:
    """A dry report gets fewer and weaker detections than propaganda of the same length."""
    plain = (
        "The council of Oderfeld met on Tuesday to discuss the budget for 2025.\n"
        "Members approved repairs to two bridges and a new roof for the library.\n"
        "The vote was 11 to 4, the clerk said, and work starts in March.\n"
        "A report on water quality will be presented at the next meeting.\n"
    )
    weak = sum(t.score for t in tq.detect_techniques(plain, "plain", res))
    strong = sum(t.score for t in tq.detect_techniques(RANT, "rant", res))
    assert weak < strong


def test_component_runs_in_default_pipeline() -> None:
    """The component is registered last in the default pipeline and fills analysis.techniques."""
    assert DEFAULT_PIPELINE[-1] == "tracewire.techniques.v1"
    comps = build(["tracewire.techniques.v1"])
    doc = Document(id="d1", text=RANT, sha256="x", source_path="mem")
    ana = analyze_document(doc, comps, Resources(packs=()))
    assert not ana.errors
    assert "techniques" in ana.layers
    assert ana.techniques and all(t.doc == "d1" for t in ana.techniques)


@pytest.mark.shared
def test_seed_002_obvious_techniques(res: Resources) -> None:
    """The three obvious techniques of seed 002 are found with an acceptable label."""
    text = shared_path("seeds", "002_525e1a21c51b5b98.txt").read_text(encoding="utf-8")
    found = tq.detect_techniques(text, "002", res)
    assert overlapping(found, text, "foul and evil empires") & {"Name_Calling,Labeling", "Loaded_Language"}
    # The model trained without the 62 development articles (eval/splits.py) labels this span
    # Loaded_Language, with Slogans second (0.17 against 0.43); the one trained on all 297 had Slogans first.
    # With word-cluster features (issue 12) Slogans is third: 0.134, Name_Calling 0.149, Loaded_Language 0.484.
    # Mixed with the MiniLM span classifier (issue 12, branch tc28), whose own top three are Repetition,
    # Loaded_Language and Thought-terminating_Cliches, Slogans is fourth (0.086; Loaded_Language 0.279,
    # Repetition 0.196, Thought-terminating_Cliches 0.130): the assertion reads the top four since.
    assert overlapping(found, text, "Facts Don’t Lie")
    model = tq.load_model()
    view = tq.article_view(text, model.lexicon)
    s = text.index("Facts Don’t Lie")
    toks = [k for k, t in enumerate(view.toks) if t.start < s + len("Facts Don’t Lie") and t.end > s]
    probs = model.classify(view, [(toks[0], toks[-1] + 1)])[0]
    assert "Slogans" in [tq.LABELS[k] for k in sorted(range(len(probs)), key=lambda k: -probs[k])[:4]]
    assert overlapping(found, text, "As if there has Ever, Ever, Ever, been any doubt") & {
        "Loaded_Language",
        "Exaggeration,Minimisation",
    }


def test_feature_columns_and_matrix_are_feature_hashers() -> None:
    """Scoring hashes features as the training's scikit-learn FeatureHasher does: same columns, same matrix."""
    from sklearn.feature_extraction import FeatureHasher

    from tracewire.analyze.techniques_model import feature_columns, hashed

    view = tq.article_view(RANT + "Ünïcode “quotes” — and 日本 too.\n", tq.Lexicon({}))
    rows = tq.token_features(view) + [["bias", "bias", "w=\n\n", ""], []]
    want = FeatureHasher(n_features=tq.N_FEATURES, input_type="string", alternate_sign=False).transform(rows)
    got = hashed(rows)
    assert (got.indptr == want.indptr).all() and (got.indices == want.indices).all() and (got.data == want.data).all()
    flat = [f for row in rows for f in row]
    assert list(feature_columns(flat)) == list(FeatureHasher(
        n_features=tq.N_FEATURES, input_type="string", alternate_sign=False).transform([[f] for f in flat]).indices)


def test_token_columns_build_the_token_features_matrix(res: Resources) -> None:
    """The scoring path's columns straight from tokens make the same hashed matrix as token_features."""
    from tracewire.analyze.techniques_features import ColumnMemo, token_columns
    from tracewire.analyze.techniques_model import hashed, hashed_columns

    text = RANT + "\n“Shocking!” they said. He said it again, again — and “again”.\n\nA quiet line ends here\n"
    view = tq.article_view(text, tq.model(res).lexicon)
    assert any(view.cue_at), "the text should hit a cue so cue columns are covered"
    want = hashed(tq.token_features(view))
    memo = ColumnMemo()
    for _ in range(2):  # a fresh memo, then a warm one
        got = hashed_columns(*token_columns(view, memo))
        assert (got.indptr == want.indptr).all() and (got.indices == want.indices).all()
        assert (got.data == want.data).all()


def test_cluster_and_bag_columns_build_their_feature_matrices(res: Resources) -> None:
    """The scoring path's cluster and sentence-bag columns, remembered per cluster and word, make the same
    hashed matrices as cluster_features and sentence_bags (empty sentences and unknown words included)."""
    from tracewire.analyze.techniques_features import ColumnMemo, bag_columns, cluster_columns
    from tracewire.analyze.techniques_model import hashed, hashed_columns

    model = tq.model(res)
    text = RANT + "\n“Shocking!” they said. Zzqxw blorf — and again.\n\n!\nA quiet line ends here\n"
    view = tq.article_view(text, model.lexicon)
    assert any(b - a == 1 for a, b in view.sent_tokens), "a one-token sentence covers the sentence edges"
    memo = ColumnMemo()
    for _ in range(2):  # a fresh memo, then a warm one
        for got, want in ((hashed_columns(*cluster_columns(view, model.clusters, memo)),
                           hashed(tq.cluster_features(view, model.clusters))),
                          (hashed_columns(*bag_columns(view, memo)), hashed(tq.sentence_bags(view)))):
            assert got.shape == want.shape
            assert (got.indptr == want.indptr).all() and (got.indices == want.indices).all()
            assert (got.data == want.data).all()


def test_token_probs_score_the_training_features(res: Resources) -> None:
    """Scoring sums the token, cluster and sentence-bag products; the tagger was trained on the three lists
    joined (``tagger_features``), so both give the same probabilities."""
    import numpy as np

    from tracewire.analyze.techniques_model import _sigmoid, hashed

    model = tq.model(res)
    view = tq.article_view(RANT + "\n“Shocking!” they said. Ünïcode again — and again.\n", model.lexicon)
    feats = tq.tagger_features(view, model.clusters)
    k = next(k for k, t in enumerate(view.toks) if t.lower == "disaster")
    assert f"cl={model.clusters['disaster']}" in feats[k], "a known word has its cluster"
    assert all(any(f.startswith("sbow=") for f in row) for row in feats), "every token carries its sentence's bag"
    want = _sigmoid(hashed(feats) @ model.si_w + float(model.meta["si_b"]))
    assert np.allclose(model.token_probs(view), want, rtol=0, atol=1e-12)


def test_decode_gives_one_trimmed_span_per_gated_sentence(res: Resources) -> None:
    """A sentence the gate keeps yields one span from its first to its last likely token (the unlikely words
    between included, edge punctuation trimmed); a sentence below the gate yields nothing."""
    import copy

    import numpy as np

    model = copy.copy(tq.model(res))
    model.meta = {**model.meta, "si_threshold": 0.5, "sent_threshold": 0.5}
    model.tagger = None  # the thresholds are the linear model's (with the MiniLM tagger, its settings')
    text = "They are corrupt , lying and evil puppets .\nThey are corrupt puppets .\n"
    view = tq.article_view(text, tq.Lexicon({}))
    words = [t.text for t in view.toks]
    probs = np.full(len(words), 0.1)
    probs[[2, 6, 7, 8, 13]] = 0.9  # "corrupt", "evil puppets ." in sentence 1, "corrupt" in sentence 2
    runs = model.decode(view, probs, np.array([0.8, 0.2]))
    assert [(words[s], words[t - 1]) for s, t, _ in runs] == [("corrupt", "puppets")]
    (s, t, mean), = runs
    assert (s, t) == (2, 8) and mean == float(probs[2:8].mean())
    assert model.decode(view, probs, np.array([0.2, 0.2])) == []
