"""Recall and precision of the demo corpus's hand-written attributions and hedges (``answers.toml``).

Run: ``python eval/demo_recall.py [DEMO_DIR]`` (default ``tracewire/demo``; the folder holding
``answers.toml``, ``corpus/`` and ``expected/``). Each document's clean text (the .txt file, the
JSONL row's "text", or ``expected/<id>.txt`` for the PDF and HTML inputs) goes through
``tracewire.analyze_text``. An ``[[attributions]]`` answer is found when a claim overlapping its
sentence has the same kind and a source span containing the answer's source (for a resolved
pronoun, a canonical name equal to it; for an unattributed answer, no source); the cue and the
channel are counted separately. A ``[[hedges]]`` answer is found when a claim of its document
carries a hedge of that kind overlapping an occurrence of the phrase.

Precision, against a key that lists some of each document's attributions and hedges:
``attribution_precision`` is the share of claims on answered sentences whose kind and source
agree with the answer (a source invented for an unattributed sentence counts against it);
``hedge_precision`` is the share of hedges and boosters found in documents with [[hedges]]
answers that an answer confirms. The key is not exhaustive, so these are lower bounds: they
are pinned to catch over-generation, not quoted as the component's precision.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def documents(demo: Path) -> dict[str, str]:
    """Clean text of every demo document by id."""
    out: dict[str, str] = {}
    for f in sorted((demo / "corpus").iterdir()):
        if f.suffix == ".txt":
            out[f.stem] = f.read_text(encoding="utf-8", errors="replace")
        elif f.suffix == ".jsonl":
            for line in f.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    out[str(row["id"])] = str(row["text"])
    for f in sorted((demo / "expected").glob("*.txt")):
        out[f.stem] = f.read_text(encoding="utf-8")
    return out


def _match(ans: dict[str, Any], claims: list[Any], text: str) -> tuple[bool, bool, bool | None, int, int]:
    """(source and kind found, cue found, channel found or None, claims on the sentence, right ones)."""
    s = text.find(ans["sentence"])
    if s < 0:
        return False, False, None, 0, 0
    e = s + len(ans["sentence"])
    near = [c for c in claims if c.start < e and s < c.end and c.attribution is not None]
    src = ans["source"].lower()
    best = (False, False, None if "channel" not in ans else False)
    right = 0
    for c in near:
        a = c.attribution
        if ans["kind"] == "unattributed":
            ok = a.kind == "unattributed"
        elif "resolved_from" in ans:
            can = (a.canonical or "").lower()
            ok = a.kind == ans["kind"] and bool(can) and (src in can or can in src)
        else:
            ok = a.kind == ans["kind"] and (src in a.source.lower() or src in (a.canonical or "").lower())
        cue = (a.cue or "") == ans.get("cue", "") or (a.cue or "").endswith(ans.get("cue", "") or "\0")
        chan = None
        if "channel" in ans:
            want = ans["channel"].lower().removeprefix("the ")
            chan = bool(a.channel) and (want in a.channel.lower() or a.channel.lower() in want)
        right += ok
        if ok and (not best[0] or (cue and not best[1])):
            best = (ok, cue, chan)
    return (*best, len(near), right)


def _occurrences(text: str, needle: str) -> list[int]:
    """Start offsets of every occurrence of ``needle`` in ``text``."""
    out, at = [], text.find(needle)
    while at >= 0:
        out.append(at)
        at = text.find(needle, at + 1)
    return out


def run(demo: Path) -> dict[str, Any]:
    """Recall figures and the misses."""
    sys.path.insert(0, str(ROOT))
    from tracewire import analyze_text
    from tracewire.pipeline import Resources

    answers = tomllib.loads((demo / "answers.toml").read_text(encoding="utf-8"))
    texts = documents(demo)
    res = Resources(("syria",))
    analyses = {i: analyze_text(t, doc_id=i, resources=res) for i, t in texts.items()}
    att = answers.get("attributions", [])
    found = cue_ok = 0
    chan_n = chan_ok = 0
    on_sentences = right_on_sentences = 0
    misses = []
    for ans in att:
        ana = analyses.get(ans["doc"])
        if ana is None:
            misses.append(f"no document {ans['doc']}")
            continue
        ok, cue, chan, near, right = _match(ans, ana.claims, ana.doc.text)
        on_sentences += near
        right_on_sentences += right
        found += ok
        cue_ok += ok and cue
        if chan is not None:
            chan_n += 1
            chan_ok += chan
        if not ok:
            got = [
                (c.attribution.kind, c.attribution.source, c.attribution.canonical)
                for c in ana.claims
                if c.attribution is not None and ana.doc.text.find(ans["sentence"]) in range(c.start - len(ans["sentence"]), c.end)
            ]
            misses.append(f"{ans['doc']}: {ans['source']!r} {ans['kind']} in {ans['sentence'][:60]!r}; got {got}")
    hed = answers.get("hedges", [])
    h_found = 0
    h_pred = h_right = 0
    for doc in sorted({str(a["doc"]) for a in hed}):
        ana = analyses.get(doc)
        for h in (h for c in (ana.claims if ana else []) for h in c.hedges):
            h_pred += 1
            h_right += any(a["doc"] == doc and a["kind"] == h.kind and any(
                at < h.end and h.start < at + len(a["text"]) for at in _occurrences(ana.doc.text, a["text"]))
                for a in hed)
    for ans in hed:
        ana = analyses.get(ans["doc"])
        ok = False
        if ana is not None:
            at = ana.doc.text.find(ans["text"])
            while at >= 0 and not ok:
                end = at + len(ans["text"])
                ok = any(h.start < end and at < h.end and h.kind == ans["kind"] for c in ana.claims for h in c.hedges)
                at = ana.doc.text.find(ans["text"], at + 1)
        h_found += ok
        if not ok:
            misses.append(f"hedge {ans['doc']}: {ans['text']!r} {ans['kind']}")
    return {
        "attributions": len(att),
        "attribution_recall": found / max(1, len(att)),
        "attribution_precision": right_on_sentences / max(1, on_sentences),
        "cue_recall": cue_ok / max(1, len(att)),
        "channel_recall": chan_ok / max(1, chan_n),
        "hedges": len(hed),
        "hedge_recall": h_found / max(1, len(hed)),
        "hedge_precision": h_right / max(1, h_pred),
        "misses": misses,
    }


def main() -> None:
    """Print recall as JSON."""
    demo = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tracewire" / "demo"
    if not (demo / "answers.toml").is_file():
        raise SystemExit(f"needs {demo / 'answers.toml'} (the demo corpus)")
    print(json.dumps(run(demo), indent=2))


if __name__ == "__main__":
    main()
