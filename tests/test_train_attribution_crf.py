"""eval/train_attribution_crf.py: the stacked CRF's MiniLM features (bucketed probabilities, best labels)."""

from __future__ import annotations

import numpy as np

from eval.train_attribution_crf import STACK_LABELS, minilm_features


def test_minilm_features_bucket_each_probability_and_name_the_best_labels() -> None:
    """A sure cue token between a likely source and content: its buckets and its neighbours' best labels."""
    col = {lab: i for i, lab in enumerate(STACK_LABELS)}
    q = np.zeros((3, len(STACK_LABELS)))
    q[0, col["B-SRC"]], q[0, col["O"]] = 0.6, 0.4
    q[1, col["B-CUE"]], q[1, col["I-CUE"]] = 0.97, 0.03
    q[2, col["B-CONT"]] = q[2, col["I-CONT"]] = 0.45
    q[2, col["O"]] = 0.1
    got = minilm_features(q, STACK_LABELS)
    assert got[1] == ["qcb=5", "qci=0", "qsb=0", "qsi=0", "qn=0", "qo=0", "qa=B-CUE", "-1:qa=B-SRC", "1:qa=I-CONT"]
    assert got[0][:6] == ["qcb=0", "qci=0", "qsb=3", "qsi=0", "qn=0", "qo=2"] and got[0][7] == "-1:qa=edge"
    assert got[2][6:] == ["qa=I-CONT", "-1:qa=B-CUE", "1:qa=edge"]
