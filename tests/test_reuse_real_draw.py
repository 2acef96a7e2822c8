"""eval/reuse_real_draw.py batch 7: which pairs share a rare verbatim run of ``RUN_N`` words."""

from __future__ import annotations

from typing import Any

from eval import reuse_real_draw as d

RUN = "the harbour committee voted late on the third evening to close the old ferry pier for good"
FORMULA = "readers may write to the letters desk at any hour of any day of the week"


def _docs(texts: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {i: {"text": t, "outlet": None} for i, t in texts.items()}


def test_run_pairs_counts_shared_rare_runs() -> None:
    """Two texts sharing a 17-word run share its 8 ten-grams; a text with none of it pairs with neither."""
    docs = _docs({"a": "Morning news. " + RUN + ". More later.",
                  "b": "Evening wrap: " + RUN + " said the clerk.",
                  "c": "Nothing in common with the others at all, only weather and tides today."})
    got = d._run_pairs(docs)
    assert got == {("a", "b"): len(RUN.split()) - d.RUN_N + 1}


def test_run_pairs_leaves_out_runs_in_many_documents() -> None:
    """A run printed in more than ``RUN_MAX_DF`` documents (a formula) pairs none of them."""
    many = {f"d{i}": f"Story {i} about item number {i}. " + FORMULA for i in range(d.RUN_MAX_DF + 1)}
    assert d._run_pairs(_docs(many)) == {}
    few = {k: v for k, v in list(many.items())[:2]}
    assert set(d._run_pairs(_docs(few))) == {("d0", "d1")}


def test_quoted_runs_pair_texts_that_both_quote_a_run() -> None:
    """Batch 8: two texts that print the same 10 words inside quotation marks (straight or curly) pair, with
    their shared 8-grams; a text that prints those words outside quotation marks pairs with neither."""
    quote = "we will rebuild the pier before the first storms of winter"
    docs = _docs({"a": f'The mayor said: "{quote}," to applause.',
                  "b": f"Later she repeated: \u201c{quote}.\u201d",
                  "c": f"Critics doubt that {quote} can happen."})
    assert d._quoted_runs(docs) == {("a", "b"): len(quote.split()) - d.QUOTE_RUN_N + 1}


def test_quoted_share_tells_a_quotation_in_one_text_only() -> None:
    """Batch 9: the shared words of a run printed inside quotation marks in one text and as plain text in the
    other lie all inside quotation marks on the first side and none on the second (the ``halfquote`` stratum)."""
    run = "works for everyone and not just for those at the very top"
    a = f'She promised an economy that "{run}," aides said.'
    b = f"The plan {run} of the ladder, the paper wrote."
    got = d.common_runs(a, b, d.FAR_MIN_RUN)
    assert [r["words"] for r in got] == [len(run.split())]
    qa = d._quoted_share(a, [(r["a_start"], r["a_end"]) for r in got])
    qb = d._quoted_share(b, [(r["b_start"], r["b_end"]) for r in got])
    assert qa == 1.0 and qb == 0.0
    assert qa >= d.HALF_QUOTED and qb <= d.HALF_UNQUOTED


def test_lede_blocked_counts_words_a_rewrite_keeps_in_order() -> None:
    """A rewritten lede keeps pairs of words in order (endings cut); lone words in common count nothing."""
    a = [d._stem(w) for w in "air raids killed at least nine fishermen near the old ferry pier on Sunday".split()]
    b = [d._stem(w) for w in "at least nine fishermen were killed by air raid near the old pier".split()]
    assert d._stem("raids") == d._stem("raid") and d._stem("killed") == "kill"
    assert d._lede_blocked(a, b) == len("at least nine fishermen".split()) + len("near the old".split())
    assert d._lede_blocked(a, [d._stem(w) for w in "killed nine near pier".split()]) == 0


def test_lede_figures_and_template_of_the_lede_measure() -> None:
    """The lede measure's figures leave years out; its template check is the shipped rule's (a source credited on
    both sides is no slot, a place is)."""
    assert d._lede_figures("Published 18 July 2016: at least 21 civilians, 1999 and 2014 aside", 80) == {"18", "21"}
    lede = "Strikes on {town} killed 23 people and five children, the {src} said on Monday. " + "More words. " * 5
    a = lede.format(town="Kafranbel", src="Syrian Observatory")
    assert not d._lede_template(a, lede.format(town="Kafranbel", src="White Helmets").replace("23", "31")
                                .replace("five", "six"), 80)
    assert d._lede_template(a, lede.format(town="Douma", src="Syrian Observatory").replace("23", "31")
                            .replace("five", "six"), 80)
