"""Error analysis of the attribution tagger on a PolNeAR development split (never ``test``).

Run: ``python eval/polnear_errors.py [dev|train] [--cache DIR] [--model FILE] [--show KIND]``.
Scores as ``eval/polnear.py`` does, then sorts every source and cue error into a kind and counts it:

- cues: exact hits; boundary errors (a prediction overlaps the gold span), split by which edge moved;
  misses by the gold cue's form (a transcript "NAME:" colon, "according to", "in a statement",
  another multiword cue, a verb inside or outside the cue lexicon, a noun); spurious cues, split by
  whether they sit inside another attribution's content;
- sources: boundary errors that are punctuation or a leading determiner alone, or that drop or add
  an apposition or clause; misses split by whether their cue was found and whether the source is a
  pronoun; spurious sources.

``--show KIND`` prints a few examples (character spans and text) of one kind, for reading.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval import polnear  # noqa: E402

Span = tuple[int, int]
_PRON = frozenset("he she they it we i you him her them us who which that this these those".split())
_PUNCT = " \t\n\"'“”‘’,.;:()-—–"


def gold_attributions(ann: Path) -> list[dict[str, Any]]:
    """Each gold attribution of a brat file: its source, cue and content spans (outer bounds, or None)."""
    spans: dict[str, tuple[str, Span]] = {}
    out = []
    lines = ann.read_text(encoding="utf-8").splitlines()
    for line in lines:
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0].startswith("T"):
            kind, _, offsets = parts[1].partition(" ")
            nums = [int(x) for x in offsets.replace(";", " ").split()]
            spans[parts[0]] = (kind, (min(nums), max(nums)))
    for line in lines:
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].startswith("E"):
            att: dict[str, Any] = {"Source": None, "Cue": None, "Content": None}
            for arg in parts[1].split():
                role, _, tid = arg.partition(":")
                role = role.rstrip("0123456789")
                if role in att and tid in spans:
                    att[role] = spans[tid][1]
            out.append(att)
    return out


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def cue_form(text: str, span: Span, doc: Any, lexicon: frozenset[str]) -> str:
    """The form of a gold cue: colon, according_to, statement, multiword, verb_lex, verb_other, noun, other."""
    s = text[span[0] : span[1]].lower()
    if s.strip() in (":", "-", "—") or s.rstrip().endswith(":"):
        return "colon"
    if "according to" in s:
        return "according_to"
    if "statement" in s:
        return "statement"
    sp = doc.char_span(span[0], span[1], alignment_mode="expand")
    toks = list(sp) if sp is not None else []
    words = [t for t in toks if not t.is_punct]
    verbs = [t for t in words if t.pos_ in ("VERB", "AUX")]
    if len(words) > 1 and not any(t.pos_ == "VERB" for t in words):
        return "multiword_nonverb"
    if verbs:
        main = [t for t in verbs if t.pos_ == "VERB"] or verbs
        return "verb_lex" if main[-1].lemma_.lower() in lexicon else "verb_other"
    if any(t.pos_ in ("NOUN", "PROPN") for t in words):
        return "noun"
    return "other"


def source_boundary(text: str, p: Span, g: Span) -> str:
    """Why a predicted source that overlaps gold ``g`` differs from it."""
    pt, gt = text[p[0] : p[1]], text[g[0] : g[1]]
    if pt.strip(_PUNCT) == gt.strip(_PUNCT):
        return "punctuation"
    strip_det = lambda x: x.strip(_PUNCT).lower().removeprefix("the ").removeprefix("a ").removeprefix("an ")  # noqa: E731
    if strip_det(pt) == strip_det(gt):
        return "determiner"
    if p[0] <= g[0] and p[1] >= g[1]:
        extra = text[g[1] : p[1]] if p[1] > g[1] else text[p[0] : g[0]]
        return "pred_longer_comma" if "," in extra or "(" in extra else "pred_longer"
    if g[0] <= p[0] and g[1] >= p[1]:
        extra = text[p[1] : g[1]] if g[1] > p[1] else text[g[0] : p[0]]
        return "pred_shorter_comma" if "," in extra or "(" in extra else "pred_shorter"
    return "shifted"


def analyse(split: str, cache: Path | None, model: Path | None, show: str | None) -> dict[str, Any]:
    """Counts of each kind of error on ``split``."""
    if split not in ("dev", "train"):
        raise SystemExit("error analysis runs on dev or train only")
    from tracewire.analyze.attribution import load_cues
    from tracewire.analyze.attribution_minilm import load_combined

    arts = polnear.articles(split)
    texts = [t for t, _ in arts]
    docs = polnear.parse(texts, split, cache)
    lexicon = load_cues()
    pred = polnear.predict(texts, docs, tagger=load_combined(model))  # the shipped tagger (``model``: its CRF)
    cue_c: Counter[str] = Counter()
    src_c: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}

    def note(counter: Counter[str], kind: str, text: str, span: Span, extra: str = "") -> None:
        counter[kind] += 1
        if show == kind and len(examples.setdefault(kind, [])) < 40:
            a, b = span
            ctx = text[max(0, a - 60) : a] + "[[" + text[a:b] + "]]" + text[b : b + 60]
            examples[kind].append(" ".join(ctx.split()) + (f"   ({extra})" if extra else ""))

    for text, (_, ann), doc, (psrc, pcue) in zip(texts, arts, docs, pred, strict=True):
        gold = gold_attributions(ann)
        gcue = {a["Cue"] for a in gold if a["Cue"]}
        gsrc = {a["Source"] for a in gold if a["Source"]}
        contents = [a["Content"] for a in gold if a["Content"]]
        for g in gcue:
            if g in pcue:
                cue_c["exact"] += 1
                continue
            over = [p for p in pcue if _overlap(p, g)]
            form = cue_form(text, g, doc, lexicon)
            if over:
                p = over[0]
                edge = ("start" if p[0] != g[0] else "") + ("end" if p[1] != g[1] else "")
                longer = "longer" if p[1] - p[0] > g[1] - g[0] else "shorter"
                note(cue_c, f"boundary_{edge}_{longer}", text, g, text[p[0] : p[1]])
                cue_c[f"boundary_form_{form}"] += 1
            else:
                note(cue_c, f"miss_{form}", text, g)
        for p in pcue:
            if p in gcue or any(_overlap(p, g) for g in gcue):
                continue
            inside = any(c[0] <= p[0] and p[1] <= c[1] for c in contents)
            note(cue_c, "spurious_in_content" if inside else "spurious_other", text, p)
        by_src: dict[Span, Span | None] = {}
        for a in gold:
            if a["Source"]:
                by_src.setdefault(a["Source"], a["Cue"])
        for g in gsrc:
            if g in psrc:
                src_c["exact"] += 1
                continue
            over = [p for p in psrc if _overlap(p, g)]
            if over:
                note(src_c, "boundary_" + source_boundary(text, over[0], g), text, g, text[over[0][0] : over[0][1]])
                continue
            cue = by_src.get(g)
            cue_found = cue is not None and any(_overlap(p, cue) for p in pcue)
            pron = text[g[0] : g[1]].strip(_PUNCT).lower() in _PRON
            note(src_c, "miss_" + ("cue_found" if cue_found else "cue_missed") + ("_pronoun" if pron else ""), text, g)
        for p in psrc:
            if p in gsrc or any(_overlap(p, g) for g in gsrc):
                continue
            note(src_c, "spurious", text, p)
    out: dict[str, Any] = {"cue": dict(sorted(cue_c.items())), "source": dict(sorted(src_c.items()))}
    if show:
        out["examples"] = examples.get(show, [])
    return out


def main() -> None:
    """Print the counts as JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("split", nargs="?", default="dev")
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--show", default=None)
    args = ap.parse_args()
    print(json.dumps(analyse(args.split, args.cache, args.model, args.show), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
