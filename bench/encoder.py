"""The sentence encoder alone, on the texts the narratives stage embeds: CPU seconds, tokens, GFLOPS.

    PYTHONPATH=. .venv/bin/python bench/encoder.py --db STORE [--batch 32] [--threads 1] [--chunk 256]
        [--every 1] [--encoder onnx|torch]

``STORE`` is an analysed store (FA-KES, for instance: the ``--keep`` folder of bench/narratives.py
holds one). It is copied to a temporary folder first and only the copy is opened, so the store is
never changed. The claims the stage clusters (``narratives.claim_items``) give their proposition
texts; the distinct ones are encoded in the order the vector table encodes them (shortest first,
then by text hash, ``--chunk`` texts per call of ``embeddings.encode``), with the model loaded
before the timing. It prints the CPU seconds of this process (all threads), the wall seconds, the
tokens, the arithmetic the model does on them (the six layers' matrix products: 21.2 MFLOP per
token plus attention) and the rate that gives, and the SHA-256 of every vector's bytes, so that a
lever that must keep the bytes (batch size, threads, chunking) is checked to keep them. ``--every
N`` takes every Nth text, for quicker comparisons.

Measured 2026-11-28 on the 2-core AMD EPYC (Zen 3, AVX2 and FMA, no AVX-512) shared with other jobs
(load average 4-6, so CPU seconds are inflated by about a tenth against a quiet machine), FA-KES
analysed at 2d50de9 (``/tmp/s22/nb/with.db``): 7,494 claims, 6,848 distinct texts, 217,608 tokens
(median 30, 95th percentile 54, largest 136), 4.69 TFLOP. ``--db /tmp/s22/nb/with.db``: 70.2 CPU s,
154.2 wall s, 10.3 ms CPU per text, 66.9 GFLOPS, vectors sha256 b1206aa03596b122 (the quiet
bench/narratives.py run at 2d50de9 gave the encoder 60.7 CPU s: 77 GFLOPS). ``--every 8`` with
``--batch 8 --threads 2`` gives the same sha256 as with the defaults (51c88a869729b3f3). A lone matrix product of the
model's shape (1024 x 384 by 384 x 1536, one thread) runs at 73-81 GFLOPS in ONNX Runtime (MLAS),
73-74 in torch (MKL) and 69 in numpy (OpenBLAS): the encoder runs at this CPU's float32 peak,
and ONNX Runtime's kernel profile gives the matrix products 84% of its time (the rest: BiasGelu 5%,
bias adds 3%, transposes 2%, LayerNorm 1%, softmax 1%).

Levers measured (every 2nd or 4th text, one thread, CPU s of the same run order; cosine against this
encoder's own float32 vectors, which are 0.9999+ to torch's):

- ``onnxruntime.transformers.optimizer.optimize_model(model_type="bert", num_heads=12,
  hidden_size=384)``: fuses 12 SkipLayerNormalization and 6 BiasGelu, no Attention (the unpadded
  graph has no mask to match); 37.4 and 38.1 CPU s against 34.0 and 35.2 for the shipped graph
  (3,424 texts, alternated): slower, and its bytes differ (largest difference 2e-7). ONNX Runtime
  already applies its own fusions at ORT_ENABLE_ALL. Building the session takes 0.3 CPU s, so
  caching the optimised graph saves nothing measurable.
- batch size per token length (3,424 texts): 8: 33.2, 16: 34.8, 32: 35.2, 64: 37.6, 128: 39.4 CPU s;
  the bytes are identical for every batch size; 8-32 are within the noise of each other.
- ``MAX_TOKENS``: a cap of 128 cuts one text, 64 cuts 144 texts and 0.8% of the tokens, 48 3.3%, 32
  15% of the tokens while truncating 42% of the texts. Nothing to gain without cutting claims short.
- fewer texts: exact duplicates are encoded once already (7,494 claims, 6,848 texts); equal token
  ids (the tokenizer lowercases) merge 12 more; equal lowercased letters and digits 32.
- int8, ``onnxruntime.quantization.quantize_dynamic`` (per-channel int8 weights): 12.0 CPU s against
  16.6 (1,712 texts), 28% less, but cosine to float32 0.992 on average, 0.980 at worst: far below
  the 0.9999 that fact-check matching and the narratives' thresholds were set with.
- 8-bit MatMulNBits (block 32, accuracy level 4, int8 arithmetic): 27.6 CPU s against 16.2, 70% more
  on this CPU (no AVX-VNNI), cosine 0.9996 on average.

So the float32 encoder's CPU is its arithmetic: 217,608 tokens x 21.2 MFLOP at the CPU's 75-80
GFLOPS, 58-62 s. Cutting it by a third would need a third fewer tokens (claims left out) or lower
precision (vectors that move away from the reference), not a setting of the runtime.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LAYERS, HIDDEN, FFN = 6, 384, 1536


def flops(tokens: int) -> int:
    """Floating-point operations of all-MiniLM-L6-v2 on one unpadded text of ``tokens`` tokens
    (matrix products only: projections, feed-forward and the attention scores and sums)."""
    dense = 2 * tokens * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * FFN)
    attention = 2 * 2 * tokens * tokens * HIDDEN
    return LAYERS * (dense + attention)


def texts_of(db: Path) -> tuple[int, list[str]]:
    """(claims the narratives stage clusters, their distinct proposition texts in the vector table's
    encoding order), read from a copy of the store ``db``."""
    from tracewire.corpus import narratives
    from tracewire.store import SQLiteStore
    from tracewire.store.vectors import text_sha

    with tempfile.TemporaryDirectory(prefix="tw-encoder-") as tmp:
        copy = Path(tmp) / "store.db"
        shutil.copyfile(db, copy)
        store = SQLiteStore(copy)
        try:
            items, _ = narratives.claim_items(store.corpus_layers(), narratives.NarrativeConfig())
        finally:
            store.close()
    texts = [it.text for it in items]
    distinct = sorted({text_sha(t): t for t in texts}.items(), key=lambda st: (len(st[1]), st[0]))
    return len(texts), [t for _, t in distinct]


def main() -> None:
    """Encode the store's claim texts once, timed, and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, required=True, help="an analysed store (it is copied, never changed)")
    ap.add_argument("--batch", type=int, default=None, help="texts per run (default: the backend's)")
    ap.add_argument("--threads", type=int, default=1, help="intra-op threads (bench/narratives.py runs 1)")
    ap.add_argument("--chunk", type=int, default=256, help="texts per encode call (the vector table's 256)")
    ap.add_argument("--every", type=int, default=1, help="take every Nth text")
    ap.add_argument("--encoder", choices=("onnx", "torch"), default=None, help="backend (default: the setting)")
    args = ap.parse_args()
    if not args.db.is_file():
        sys.exit(f"no store at {args.db}: give an analysed store (bench/narratives.py --keep DIR writes some)")
    from tracewire import embeddings

    claims, texts = texts_of(args.db)
    texts = texts[:: args.every]
    lengths = [len(e.ids) for e in embeddings._tokenizer().encode_batch([t.strip() for t in texts])]
    work = sum(flops(n) for n in lengths)
    name = args.encoder or embeddings.backend()
    embeddings.encode(["warm-up"], batch_size=args.batch, threads=args.threads, name=name)  # load outside the timing
    print(f"{claims} claims, {len(texts)} distinct texts (every {args.every}), {sum(lengths)} tokens "
          f"(largest {max(lengths, default=0)}); encoder {name} {embeddings.model_hash(name)}, batch "
          f"{args.batch or 'default'}, {args.threads} thread(s), chunks of {args.chunk}; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    digest = hashlib.sha256()
    t, u = time.perf_counter(), time.process_time()
    for k in range(0, len(texts), args.chunk):
        vecs = embeddings.encode(texts[k : k + args.chunk], batch_size=args.batch, threads=args.threads, name=name)
        digest.update(vecs.astype("<f4").tobytes())
    wall, cpu = time.perf_counter() - t, time.process_time() - u
    print(f"CPU {cpu:.1f} s, wall {wall:.1f} s, {1000 * cpu / max(len(texts), 1):.2f} ms CPU per text, "
          f"{work / 1e12:.2f} TFLOP, {work / max(cpu, 1e-9) / 1e9:.1f} GFLOPS; vectors sha256 "
          f"{digest.hexdigest()[:16]}; load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
