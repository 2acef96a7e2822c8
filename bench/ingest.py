"""Ingest throughput for text, HTML and PDF on generated inputs, side by side in one run.

    .venv/bin/python bench/ingest.py [--docs 300]

Prints documents/s and MB/s per format (each format ingested into a fresh database).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ingest.pdfs import text_pdf  # noqa: E402
from tracewire.ingest import ingest  # noqa: E402
from tracewire.store import open_store  # noqa: E402

WORDS = (
    "the convoy reached Palmyra on Sunday after militants attacked positions near Deir ez-Zor while local "
    "sources told reporters that government forces backed by Russian aviation repelled the assault and "
    "the coalition said its aircraft conducted reconnaissance flights over the Euphrates river valley"
).split()


def paragraph(rng: random.Random, n: int = 60) -> str:
    """A pseudo-random paragraph of n words ending with a full stop."""
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def make_inputs(folder: Path, kind: str, n: int, rng: random.Random) -> int:
    """Write n inputs of one kind; returns their total size in bytes."""
    total = 0
    for i in range(n):
        paras = [paragraph(rng) for _ in range(8)]
        if kind == "txt":
            data = (f"Headline number {i}\n\n" + "\n\n".join(paras)).encode()
        elif kind == "html":
            body = "".join(f"<p>{p}</p>" for p in paras)
            data = (f"<!doctype html><html><head><title>Story {i}</title><meta property='og:site_name' "
                    f"content='Bench Times'></head><body><nav><a href='/'>Home</a></nav><article>"
                    f"<h1>Story {i}</h1>{body}</article><footer>Leave a Reply</footer></body></html>").encode()
        else:
            lines: list[str] = []
            for p in paras:
                words = p.split()
                lines += [" ".join(words[k:k + 12]) for k in range(0, len(words), 12)]
            data = text_pdf([lines[k:k + 40] for k in range(0, len(lines), 40)])
        (folder / f"{kind}{i:05d}.{kind}").write_bytes(data)
        total += len(data)
    return total


def main() -> None:
    """Generate inputs per format, ingest each, print a table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=300)
    args = ap.parse_args()
    rng = random.Random(42)
    print(f"{'format':<6} {'docs':>6} {'MB':>7} {'seconds':>8} {'docs/s':>8} {'MB/s':>7}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("txt", "html", "pdf"):
            folder = Path(tmp) / kind
            folder.mkdir()
            size = make_inputs(folder, kind, args.docs, rng)
            store = open_store(Path(tmp) / f"{kind}.db")
            t0 = time.perf_counter()
            s = ingest([folder], store)
            dt = time.perf_counter() - t0
            store.close()
            assert s.counts.ingested == args.docs, s.by_code()
            rows.append((kind, dt))
            print(f"{kind:<6} {args.docs:>6} {size / 1e6:>7.2f} {dt:>8.2f} {args.docs / dt:>8.1f} "
                  f"{size / 1e6 / dt:>7.2f}")
    base = rows[0][1]
    print("relative time per document: " + ", ".join(f"{k} {dt / base:.1f}x" for k, dt in rows))


if __name__ == "__main__":
    main()
