"""Recall of the demo corpus's hand-written attributions and hedges (``answers.toml``).

Run: ``python eval/demo_recall.py [DEMO_DIR]`` (default ``tracewire/demo``; the folder holding
``answers.toml``, ``corpus/`` and ``expected/``). Each document's clean text (the .txt file, the
JSONL row's "text", or ``expected/<id>.txt`` for the PDF and HTML inputs) goes through
``tracewire.analyze_text``. An ``[[attributions]]`` answer is found when a claim overlapping its
sentence has the same kind and a source span containing the answer's source (for a resolved
pronoun, a canonical name equal to it; for an unattributed answer, no source); the cue and the
channel are counted separately. A ``[[hedges]]`` answer is found when a claim of its document
carries a hedge of that kind overlapping an occurrence of the phrase.
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


def _match(ans: dict[str, Any], claims: list[Any], text: str) -> tuple[bool, bool, bool | None]:
    """(source and kind found, cue found, channel found or None when the answer has none)."""
    s = text.find(ans["sentence"])
    if s < 0:
        return False, False, None
    e = s + len(ans["sentence"])
    near = [c for c in claims if c.start < e and s < c.end and c.attribution is not None]
    src = ans["source"].lower()
    best = (False, False, None if "channel" not in ans else False)
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
        if ok and (not best[0] or (cue and not best[1])):
            best = (ok, cue, chan)
    return best


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
    misses = []
    for ans in att:
        ana = analyses.get(ans["doc"])
        if ana is None:
            misses.append(f"no document {ans['doc']}")
            continue
        ok, cue, chan = _match(ans, ana.claims, ana.doc.text)
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
        "cue_recall": cue_ok / max(1, len(att)),
        "channel_recall": chan_ok / max(1, chan_n),
        "hedges": len(hed),
        "hedge_recall": h_found / max(1, len(hed)),
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
