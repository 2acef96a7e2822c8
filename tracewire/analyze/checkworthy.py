"""Check-worthiness model: TF-IDF word n-grams plus hand features, logistic regression.

The model is plain numbers in ``tracewire/models/checkworthy.json.gz`` (vocabulary, idf,
coefficients, threshold), written by ``eval/train_checkworthy.py`` from the CheckThat! 2019
Task 1 training debates. Scoring needs no scikit-learn and no pickle: this module re-implements
the vectoriser (lower-cased ``\\b\\w\\w+\\b`` tokens, 1-2 grams, sublinear tf, idf, l2 norm).
"""

from __future__ import annotations

import gzip
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Code, MissingDependencyError

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "checkworthy.json.gz"
TOKEN = re.compile(r"(?u)\b\w\w+\b")

_NUMBER_WORDS = (
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundreds?|thousands?|millions?|billions?|trillions?|dozens?|percent|half|double|triple"
)
# Hand features: name -> pattern (searched case-insensitively in the sentence).
HAND: dict[str, re.Pattern[str]] = {
    "number": re.compile(r"\d|\b(?:" + _NUMBER_WORDS + r")\b", re.I),
    "money_or_percent": re.compile(r"[$€£%]|\b(?:percent|dollars?|euros?|billions?|millions?|trillions?)\b", re.I),
    "year": re.compile(r"\b(?:19|20)\d\d\b"),
    "comparative": re.compile(
        r"\b(?:more|less|fewer|most|least|higher|lower|largest|biggest|highest|lowest|worst|best|"
        r"increased?|decreased?|doubled|tripled|rose|fell|grew|dropped|record)\b|\w+est\b",
        re.I,
    ),
    "reporting": re.compile(
        r"\b(?:said|says|told|according to|reported|claimed|claims|stated|announced|confirmed|denied|"
        r"accused|alleged|insisted|warned|citing|quoted|argued?|argues|noted|pointed out|added|"
        r"believes?|estimated?|revealed|admitted)\b",
        re.I,
    ),
    "event": re.compile(
        r"\b(?:kill(?:ed|ing|s)?|attack(?:ed|s|ing)?|captur(?:ed|es|ing)|seiz(?:ed|es|ing)|"
        r"launch(?:ed|es|ing)|struck|strikes?|shell(?:ed|ing)|bomb(?:ed|ing|s)?|wounded|injured|dead|"
        r"died|executed|occup(?:ied|ies|y|ying)|invad(?:ed|es|ing)|destroy(?:ed|s|ing)|shot|fired|"
        r"deploy(?:ed|s|ing)|withdr(?:ew|awn|awing)|advanc(?:ed|ing)|liberat(?:ed|ing)|besieged|"
        r"clash(?:ed|es)|arrested|detained|signed|passed|voted|cut|raised|lost|won|built|sent|"
        r"smuggl\w+|looted|transferr?(?:ed|ing)|reinforc(?:ed|ing)|overran|ceased|suffer(?:ed|ing)|"
        r"fight(?:ing|s)?|fought|retreat(?:ed|ing)|surround(?:ed|ing)|exploded|explosions?)\b",
        re.I,
    ),
    "accusation": re.compile(
        r"\b(?:accus\w+|blam\w+|staged|lie[ds]?|lying|fake|false|crimes?|illegal(?:ly)?|terroris[tm]s?|"
        r"massacre\w*|propaganda|responsib\w+|complicit|cover(?:ed)?[- ]up|support(?:ed|s|ing)? terror\w*)\b",
        re.I,
    ),
    "causal": re.compile(r"\b(?:because|caused?|led to|due to|as a result|result(?:ed)? in|so that|therefore)\b", re.I),
    "opinion": re.compile(r"\b(?:I think|I believe|I feel|we will|we're going to|I'm going to|I want|let me|thank)\b", re.I),
    "question": re.compile(r"\?\s*[\"'”’]?\s*$"),
    "proper_noun": re.compile(r"(?<=\w[ ,])[A-Z][a-z]+"),
    "first_person": re.compile(r"\b(?:I|I'm|I've|me|my)\b"),
}
# Hand features that mark a news sentence as a claim whatever its debate-trained score.
NEWS_RULES = ("number", "event", "accusation", "causal", "reporting")


def hand_features(text: str) -> list[str]:
    """Names of the hand features that fire on ``text`` (plus a length bucket)."""
    out = [name for name, pat in HAND.items() if pat.search(text)]
    n = len(TOKEN.findall(text))
    out.append("len<5" if n < 5 else "len<10" if n < 10 else "len<20" if n < 20 else "len>=20")
    return out


def ngrams(text: str) -> list[str]:
    """Lower-cased word unigrams and bigrams, as scikit-learn's TfidfVectorizer builds them."""
    toks = TOKEN.findall(text.lower())
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]


@dataclass(frozen=True, slots=True)
class CheckworthyModel:
    """Coefficients of a trained model and the vectoriser state it needs."""

    terms: list[str]
    vocab: dict[str, int]
    idf: list[float]
    coef: list[float]  # n-gram weights, indexed like vocab
    hand_coef: dict[str, float]
    intercept: float
    threshold: float
    meta: dict[str, Any]

    def contributions(self, text: str, hand: list[str] | None = None) -> tuple[float, dict[str, float]]:
        """Logit of ``text`` and each active feature's share of it; ``hand`` is ``hand_features(text)``
        when the caller has it already."""
        counts: dict[int, int] = {}
        for g in ngrams(text):
            j = self.vocab.get(g)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        weights = {j: (1.0 + math.log(c)) * self.idf[j] for j, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        parts: dict[str, float] = {}
        for j, w in weights.items():
            parts["ngram:" + self.terms[j]] = self.coef[j] * w / norm
        for h in hand_features(text) if hand is None else hand:
            if h in self.hand_coef:
                parts["feature:" + h] = self.hand_coef[h]
        return self.intercept + sum(parts.values()), parts

    def score(self, text: str) -> float:
        """Probability that ``text`` is check-worthy."""
        z, _ = self.contributions(text)
        return 1.0 / (1.0 + math.exp(-max(-35.0, min(35.0, z))))

    def to_json(self) -> dict[str, Any]:
        """Plain-data form written to the model file."""
        return {
            "format": "tracewire-checkworthy-1",
            "terms": self.terms,
            "idf": [round(x, 6) for x in self.idf],
            "coef": [round(x, 6) for x in self.coef],
            "hand_coef": {k: round(v, 6) for k, v in self.hand_coef.items()},
            "intercept": self.intercept,
            "threshold": self.threshold,
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckworthyModel:
        """Rebuild a model from ``to_json`` data."""
        terms = [str(t) for t in data["terms"]]
        return cls(
            terms=terms,
            vocab={t: i for i, t in enumerate(terms)},
            idf=[float(x) for x in data["idf"]],
            coef=[float(x) for x in data["coef"]],
            hand_coef={k: float(v) for k, v in data["hand_coef"].items()},
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
            meta=dict(data.get("meta", {})),
        )


def load_model(path: Path = MODEL_PATH) -> CheckworthyModel:
    """Load the shipped model (or another file written by ``eval/train_checkworthy.py``)."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return CheckworthyModel.from_json(json.load(fh))
    except FileNotFoundError as e:
        raise MissingDependencyError(
            f"Check-worthiness model {path} is missing. Reinstall tracewire or rebuild it with "
            "`python eval/train_checkworthy.py`.",
            Code.TW004,
        ) from e


def save_model(model: CheckworthyModel, path: Path = MODEL_PATH) -> None:
    """Write ``model`` as gzipped JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(model.to_json(), fh, separators=(",", ":"))
