"""Sentence vectors kept once per (text hash, model hash) in ``claim_vectors``, shared by every stage
that embeds text (narratives, fact-check matching): a text one stage embedded is read, not encoded
again, by the other.

``cached_vectors`` is the one way in: it reads what is stored, encodes only the texts that are
missing (each distinct text once, shortest first, so a batch pads little), stores them, and
returns one row per given text in the given order.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from functools import partial

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
Encode = Callable[[Sequence[str]], F32]
Progress = Callable[[int, int], None]


def text_sha(text: str) -> str:
    """The key of a text's vector (with the model hash): SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_vectors(conn: sqlite3.Connection, shas: Sequence[str], model: str) -> dict[str, bytes]:
    """Stored vectors of these text hashes under ``model``, by text hash."""
    found: dict[str, bytes] = {}
    for k in range(0, len(shas), 500):
        part = list(shas[k : k + 500])
        marks = ",".join("?" * len(part))
        for sha, blob in conn.execute(
                f"SELECT text_sha, vector FROM claim_vectors WHERE model=? AND text_sha IN ({marks})",
                (model, *part)):
            found[sha] = blob
    return found


def write_vectors(conn: sqlite3.Connection, model: str, rows: Iterable[tuple[str, bytes]]) -> None:
    """Keep new (text hash, vector) rows under ``model`` in one transaction; known ones stay as they are."""
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT OR IGNORE INTO claim_vectors(text_sha, model, vector) VALUES (?, ?, ?)",
                         ((sha, model, blob) for sha, blob in rows))


def cached_vectors(conn: sqlite3.Connection, texts: Sequence[str], encode: Encode | None = None,
                   progress: Progress | None = None, batch: int = 256, threads: int | None = None
                   ) -> tuple[F32, int]:
    """Unit vectors of ``texts`` (one row each, in order) from the store, encoding and storing only the
    distinct texts not stored yet; (matrix, texts newly encoded). ``threads`` goes to
    ``embeddings.encode`` when no ``encode`` is given."""
    from .. import embeddings

    name = embeddings.backend()  # read once: the vectors and their key come from the same backend
    model = embeddings.model_hash(name)
    shas = [text_sha(t) for t in texts]
    have = read_vectors(conn, sorted(set(shas)), model)
    # shortest first (then by hash): batches of like lengths pad little, and the order is fixed
    missing = sorted({s: t for s, t in zip(shas, texts, strict=True) if s not in have}.items(),
                     key=lambda st: (len(st[1]), st[0]))
    enc: Encode = encode or partial(embeddings.encode, threads=threads, name=name)
    for k in range(0, len(missing), batch):
        part = missing[k : k + batch]
        vecs = enc([t for _, t in part])
        rows = [(s, embeddings.to_blob(v)) for (s, _), v in zip(part, vecs, strict=True)]
        write_vectors(conn, model, rows)
        have.update(rows)
        if progress:
            progress(min(k + batch, len(missing)), len(missing))
    out = np.zeros((len(texts), embeddings.DIM), dtype=np.float32)
    for k, sha in enumerate(shas):
        out[k] = np.frombuffer(have[sha], dtype="<f4")
    return out, len(missing)
