"""Development SI F1 and MiniLM tagging work of cheaper ways to run the techniques MiniLM tagger.

    TRACEWIRE_SHARED=../shared python eval/techniques_tagger_windows.py [VARIANT ...]

Scores the 62 PTC development articles (eval/splits.py; never the held-out ones) with the shipped models,
first as shipped (with its cascade, ``skip_below`` in ``minilm_tagger.json``), then under each VARIANT, and prints SI precision/recall/F1 (eval/techniques.py's
measure), the word pieces and windows the tagger ran (its CPU time is close to proportional to the
pieces: about 10 ms per 128-piece window, 22 per 256 on the shared machine) and whether the detections
are identical to the shipped ones. TC is not printed: it scores the span classifier on the gold spans,
which the tagger does not touch. VARIANT (all but ``skip_below`` run every window they cut):

- ``skip_below:X``: the shipped tagger with its cascade threshold set to X (0: every window runs);

- ``stride:S``: windows of 254 pieces every S pieces (shipped: 200), the last one ending at the text's end;
- ``even:OV``: as few windows as stride 200 needs, shortened and spread evenly with OV pieces of overlap;
- ``tail:OV``: the shipped windows, the last one starting 200 after the one before it (shorter) instead of
  254 before the end;
- ``sent:OV``: whole sentences packed into windows of at most 254 pieces, the next window starting at the
  first sentence boundary at most OV pieces before the end of the last (0: no overlap);
- ``cascade:TQ:TP:CTX``: MiniLM tags only the sentences whose linear gate probability reaches TQ or whose
  largest linear token probability reaches TP, with CTX sentences either side, runs of them as one text
  (the others get MiniLM probability 0, so they can give a span only from a linear token probability of
  0.4 and a gate probability of 0.6 or more);
- ``skip:TQ:TP``: the shipped windows, a window left out when every sentence it touches is below both
  (each piece read as its token's sentence; ``skip_below:X`` reads the sentences' character ranges).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import MethodType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval.techniques import DEFAULT_PTC, load_part, si_scores  # noqa: E402

W = 254  # pieces per window, as techniques_minilm.WINDOW


def base_windows(n: int, stride: int = 200) -> list[tuple[int, int]]:
    """The shipped windows (``MiniLMTagger.piece_probs``) at ``stride``."""
    starts = [0] if n <= W else list(range(0, n - W, stride)) + [n - W]
    return [(s, min(n, s + W)) for s in starts]


def even_windows(n: int, ov: int) -> list[tuple[int, int]]:
    """The fewest windows with ``ov`` pieces of overlap, all of one length, spread evenly."""
    if n <= W:
        return [(0, n)]
    k = math.ceil((n - ov) / (W - ov))
    length = math.ceil((n + (k - 1) * ov) / k)
    step = (n - length) / (k - 1)
    out = [(round(i * step), round(i * step) + length) for i in range(k)]
    out[-1] = (n - length, n)
    return out


def tail_windows(n: int, ov: int) -> list[tuple[int, int]]:
    """The shipped windows, the last one starting 200 pieces after the one before it (when that leaves more
    than ``ov`` pieces; otherwise the shipped last window)."""
    if n <= W:
        return [(0, n)]
    starts = list(range(0, n - W, 200))
    s = starts[-1] + 200
    return [(x, x + W) for x in starts] + [(s if n - s > ov else n - W, n)]


def sentence_windows(n: int, bounds: Sequence[int], ov: int) -> list[tuple[int, int]]:
    """Whole sentences (``bounds``: the piece where each starts) packed into windows of at most W pieces
    (a longer sentence is cut at W); each next window starts at the first boundary at most ``ov`` pieces
    before the end of the last."""
    if n <= W:
        return [(0, n)]
    b = sorted({x for x in bounds if 0 < x < n})
    out: list[tuple[int, int]] = []
    s = 0
    while s + W < n:
        inside = [x for x in b if s < x <= s + W]
        e = inside[-1] if inside else s + W
        out.append((s, e))
        back = [x for x in b if max(s + 1, e - ov) <= x < e] if ov else []
        s = back[0] if back else e
    out.append((s, n))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Print development SI and tagging work of the shipped tagger and of each variant."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("variants", nargs="*", help="stride:S, even:OV, tail:OV, sent:OV, cascade:TQ:TP:CTX, skip:TQ:TP")
    ap.add_argument("--ptc", type=Path, default=DEFAULT_PTC, help="folder of the PTC corpus")
    args = ap.parse_args(argv)

    import numpy as np

    from tracewire.analyze.techniques import load_model
    from tracewire.analyze.techniques_minilm import MiniLMTagger, token_max

    arts = load_part(args.ptc, "dev")
    model = load_model()
    tagger = model.tagger
    if tagger is None:
        raise SystemExit("the package ships no MiniLM tagger")
    work = {"pieces": 0, "windows": 0}
    seen: dict[str, Any] = {}  # the linear probabilities of the article being scored
    shipped_mixed = type(model).mixed_probs
    shipped_token_probs = MiniLMTagger.token_probs
    variant: list[str] = []

    session = tagger.session

    class Counting:
        """The tagger's session, counting the windows and pieces it runs."""

        def run(self, names: Any, feeds: Any) -> Any:
            work["pieces"] += feeds["input_ids"].shape[1] - 2
            work["windows"] += 1
            return session.run(names, feeds)

    tagger.session = Counting()
    shipped_skip = tagger.skip_below

    def run(ids: Any, windows: Sequence[tuple[int, int]]) -> Any:
        n = len(ids)
        sums, cnts = np.zeros(n), np.zeros(n)
        for s, e in windows:
            x = np.concatenate([[tagger.cls], ids[s:e], [tagger.sep]])[None, :]
            p = tagger.session.run(["prob"], {"input_ids": x})[0][0]
            sums[s:e] += p[1 : 1 + e - s]
            cnts[s:e] += 1
        return sums / np.maximum(cnts, 1)

    def hopeless(v: Any, tq: float, tp: float) -> list[bool]:
        p, q = seen["probs"], seen["sent"]
        return [bool(q[k] < tq and (b <= a or p[a:b].max() < tp)) for k, (a, b) in enumerate(v.sent_tokens)]

    def token_probs(v: Any, sentences: list[int] | None = None) -> Any:
        kind, *vals = variant
        if kind == "cascade":
            tq, tp, ctx = float(vals[0]), float(vals[1]), int(vals[2])
            bad = hopeless(v, tq, tp)
            core = [k for k, h in enumerate(bad) if not h]
            keep = sorted({j for k in core for j in range(max(0, k - ctx), min(len(bad), k + ctx + 1))})
            return shipped_token_probs(tagger, v, keep) if keep else np.zeros(len(v.toks))
        out = np.zeros(len(v.toks))
        if not v.toks:
            return out
        lo, hi = v.toks[0].start, v.toks[-1].end
        enc = tagger.tok.encode(v.text[lo:hi], add_special_tokens=False)
        ids = np.array(enc.ids, dtype=np.int64)
        offs = np.array(enc.offsets, dtype=np.int64).reshape(-1, 2)
        n = len(ids)
        windows: Callable[[], list[tuple[int, int]]]
        if kind == "stride":
            windows = lambda: base_windows(n, int(vals[0]))  # noqa: E731
        elif kind == "even":
            windows = lambda: even_windows(n, int(vals[0]))  # noqa: E731
        elif kind == "tail":
            windows = lambda: tail_windows(n, int(vals[0]))  # noqa: E731
        elif kind == "sent":
            starts = [v.toks[a].start - lo for a, b in v.sent_tokens if b > a]
            bounds = np.searchsorted(offs[:, 0], starts).tolist()
            windows = lambda: sentence_windows(n, bounds, int(vals[0]))  # noqa: E731
        elif kind == "skip":
            bad = np.array(hopeless(v, float(vals[0]), float(vals[1])), dtype=bool)
            tok_start = np.array([t.start for t in v.toks]) - lo
            piece_tok = np.clip(np.searchsorted(tok_start, offs[:, 0], side="right") - 1, 0, len(v.toks) - 1)
            piece_bad = bad[np.array([t.sent for t in v.toks])[piece_tok]]
            windows = lambda: [(s, e) for s, e in base_windows(n) if not piece_bad[s:e].all()]  # noqa: E731
        else:
            raise SystemExit(f"unknown variant {':'.join(variant)!r}")
        return token_max(offs + lo, run(ids, windows()), v.toks)

    def mixed_probs(v: Any, probs: Any, sent_probs: Any) -> Any:
        seen["probs"], seen["sent"] = probs, sent_probs
        return shipped_mixed(model, v, probs, sent_probs)

    model.mixed_probs = mixed_probs  # type: ignore[method-assign]
    gold = {a.id: [(s, e) for s, e, _ in a.spans] for a in arts}
    shipped: dict[str, Any] = {}
    for name in ["shipped", *args.variants]:
        work.update(pieces=0, windows=0)
        tagger.skip_below = shipped_skip
        if name.startswith("skip_below:"):
            tagger.token_probs = MethodType(shipped_token_probs, tagger)  # type: ignore[method-assign]
            tagger.skip_below = float(name.split(":")[1])
        elif name != "shipped":
            variant[:] = name.split(":")
            tagger.token_probs = token_probs  # type: ignore[method-assign]
        found = {a.id: model.detect(a.text, a.id) for a in arts}
        p, r, f = si_scores({k: [(t.start, t.end) for t in d] for k, d in found.items()}, gold)
        if not shipped:
            shipped = found
        print(f"{name:18s} SI P={p:.4f} R={r:.4f} F1={f:.4f}  pieces {work['pieces']}  windows {work['windows']}"
              f"  identical {found == shipped}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
