"""Train the check-worthiness model on the CheckThat! 2019 Task 1 training debates only.

Run: ``python eval/train_checkworthy.py`` (about a minute). Trains on 15 of the 19 training
debates: the other 4 are the development fold that ``eval/gate_claims.py`` gates (eval/splits.py).
Picks the regularisation strength and the "is a claim" threshold by 5-fold cross-validation
grouped by debate on those 15, fits on all of them, checks that the pure-Python scorer reproduces scikit-learn's
probabilities, and writes ``tracewire/models/checkworthy.json.gz``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eval.checkthat2019 import average_precision, load_split  # noqa: E402
from tracewire.analyze.checkworthy import (  # noqa: E402
    HAND,
    CheckworthyModel,
    hand_features,
    save_model,
)

HAND_NAMES = list(HAND) + ["len<5", "len<10", "len<20", "len>=20"]


def hand_matrix(texts: list[str]) -> sparse.csr_matrix:
    """Binary matrix of hand features, columns in HAND_NAMES order."""
    rows = []
    for t in texts:
        fired = set(hand_features(t))
        rows.append([1.0 if h in fired else 0.0 for h in HAND_NAMES])
    return sparse.csr_matrix(np.array(rows))


def fit(texts: list[str], y: np.ndarray, c: float) -> tuple[TfidfVectorizer, LogisticRegression]:
    """Fit vectoriser and logistic regression on ``texts``."""
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True)
    x = sparse.hstack([vec.fit_transform(texts), hand_matrix(texts)]).tocsr()
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    clf.fit(x, y)
    return vec, clf


def predict(vec: TfidfVectorizer, clf: LogisticRegression, texts: list[str]) -> np.ndarray:
    """Probabilities of the positive class."""
    x = sparse.hstack([vec.transform(texts), hand_matrix(texts)]).tocsr()
    return np.asarray(clf.predict_proba(x)[:, 1])


def main() -> None:
    """Cross-validate, pick C and threshold, fit on all training data and save."""
    debates = load_split("train")
    texts = [t for _, ts, _ in debates for t in ts]
    y = np.array([label for _, _, ls in debates for label in ls])
    groups = np.array([i for i, (_, ts, _) in enumerate(debates) for _ in ts])
    folds = list(GroupKFold(n_splits=5).split(texts, y, groups))
    best: tuple[float, float, np.ndarray] | None = None
    for c in (0.1, 0.3, 1.0, 3.0):
        oof = np.zeros(len(texts))
        for tr, te in folds:
            vec, clf = fit([texts[i] for i in tr], y[tr], c)
            oof[te] = predict(vec, clf, [texts[i] for i in te])
        maps = [average_precision(list(oof[groups == g]), list(y[groups == g])) for g in range(len(debates))]
        cv_map = float(np.mean(maps))
        print(f"C={c}: cross-validated MAP over training debates {cv_map:.4f}")
        if best is None or cv_map > best[1]:
            best = (c, cv_map, oof.copy())
    assert best is not None
    c, cv_map, oof = best
    thresholds = np.linspace(0.05, 0.95, 91)
    f1s = []
    for t in thresholds:
        pred = oof >= t
        tp = float(np.sum(pred & (y == 1)))
        p = tp / max(1.0, float(pred.sum()))
        r = tp / max(1.0, float(y.sum()))
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    threshold = float(thresholds[int(np.argmax(f1s))])
    print(f"chosen C={c} (CV MAP {cv_map:.4f}), threshold {threshold:.2f} (CV F1 {max(f1s):.4f})")
    vec, clf = fit(texts, y, c)
    terms = [""] * len(vec.vocabulary_)
    for term, j in vec.vocabulary_.items():
        terms[j] = term
    n = len(terms)
    coef = clf.coef_[0]
    model = CheckworthyModel(
        terms=terms,
        vocab=dict(vec.vocabulary_),
        idf=[float(x) for x in vec.idf_],
        coef=[float(x) for x in coef[:n]],
        hand_coef={h: float(w) for h, w in zip(HAND_NAMES, coef[n:], strict=True)},
        intercept=float(clf.intercept_[0]),
        threshold=threshold,
        meta={
            "trained_on": f"CheckThat! 2019 Task 1 data/training less the development fold ({len(debates)} debates)",
            "C": c,
            "cv_map": round(cv_map, 4),
            "cv_f1": round(max(f1s), 4),
            "sentences": len(texts),
        },
    )
    ref = predict(vec, clf, texts[:500])
    ours = np.array([model.score(t) for t in texts[:500]])
    diff = float(np.max(np.abs(ref - ours)))
    if diff > 1e-4:
        raise SystemExit(f"pure-Python scorer differs from scikit-learn by {diff}")
    save_model(model)
    print(f"wrote model: {len(terms)} n-grams, scorer matches scikit-learn within {diff:.1e}")


if __name__ == "__main__":
    main()
