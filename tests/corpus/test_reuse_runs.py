"""How a short shared passage is measured (issue 10, dev half of eval/reuse_real): a sentence rewritten
around a clause inserted on one side is two fragments, not a copied run; a speaker's sentence quoted by
several reports weighs its words, not their rarity; a run of common words counts the words past its edit.
Fictional texts, our own words."""

from __future__ import annotations

import random

from tracewire.corpus.reuse import ReuseConfig, find_reuse, link_pair

from .fixtures import doc, join

_SYL = ["ka", "lo", "mi", "ren", "tu", "vas", "pel", "dor", "si", "nab", "qui", "zet", "ol", "fra", "gum", "hex"]
VOCAB = [a + b + c for a in _SYL for b in _SYL for c in ("", "n", "s")]

HEAD = "the clinic in the village of Dunmere"  # 7 words ...
TAIL = "Calloway town in the northern hill province"  # ... and 7 more, on both sides
QUOTE = "we will rebuild every bridge the river took before the first frost"  # 12 words


def _filler(rng: random.Random, sentences: int) -> str:
    """Sentences of made-up words (no two texts share a phrase by chance)."""
    return " ".join(" ".join(rng.choice(VOCAB) for _ in range(rng.randint(9, 14))).capitalize() + "."
                    for _ in range(sentences))


def _pair(middle_a: str, middle_b: str) -> tuple[str, str]:
    """Two otherwise different articles whose one sentence shares HEAD and TAIL around its own middle words."""
    rng = random.Random(20261129)
    a = join(_filler(rng, 5), f"Rescue teams reached {HEAD} {middle_a} {TAIL} on foot.", _filler(rng, 5))
    b = join(_filler(rng, 6), f"Doctors left {HEAD} {middle_b} {TAIL} after the storm.", _filler(rng, 4))
    return a, b


def test_a_clause_inserted_on_one_side_splits_the_run() -> None:
    """14 matching words around 'west of' / 'which lies about twenty miles from' are two 7-word fragments."""
    a, b = _pair("west of", "which lies about twenty miles from")
    assert link_pair(doc("a", a, outlet="one.example"), doc("b", b, outlet="two.example")) is None


def test_words_replaced_one_for_one_or_a_short_gloss_keep_the_run_whole() -> None:
    """The same sentence with two words replaced, or with a two-word gloss added, is one copied run."""
    for middle_b in ("east of", "(the spa) west of"):
        a, b = _pair("west of", middle_b)
        link = link_pair(doc("a", a, outlet="one.example"), doc("b", b, outlet="two.example"))
        assert link is not None and link.shared_words >= 14, middle_b


def _quoted_corpus() -> list:  # type: ignore[type-arg]
    """Six reports of six outlets quote the minister's 12-word sentence; fourteen others quote nobody."""
    rng = random.Random(20261130)
    docs = []
    for k in range(6):
        said = f"\u201c{QUOTE[0].upper()}{QUOTE[1:]},\u201d the minister told reporters in Velmora."
        docs.append(doc(f"q{k}", join(_filler(rng, 4 + k % 3), said, _filler(rng, 5)), date="2024-05-02",
                        outlet=f"paper{k}.example"))
    for k in range(14):
        docs.append(doc(f"x{k:02d}", join(_filler(rng, 5), _filler(rng, 5)), date="2024-05-02",
                        outlet=f"other{k}.example"))
    return docs


def test_a_quotation_many_reports_carry_links_them_as_a_shared_quotation() -> None:
    """Six of twenty documents hold the quoted sentence (rarity about 0.44): its 12 words still link each pair."""
    links = find_reuse(_quoted_corpus())
    pairs = {(lk.source, lk.target) if lk.source < lk.target else (lk.target, lk.source) for lk in links}
    assert pairs == {(f"q{i}", f"q{j}") for i in range(6) for j in range(i + 1, 6)}
    assert {lk.kind for lk in links} == {"shared_quotation"}


def test_the_same_sentence_unquoted_stays_a_common_phrase() -> None:
    """Without quotation marks the sentence six of twenty documents print weighs its rarity: no link."""
    docs = [doc(d.id, d.text.replace("\u201c", "").replace("\u201d", ""), date=d.date, outlet=d.outlet)
            for d in _quoted_corpus()]
    assert find_reuse(docs, ReuseConfig()) == []


COMMON = "said the regional water office in Velmora"  # 7 words that many reports print
SENT_A = f"Crews will drain the lower reservoir first, {COMMON}, before the pumps fail."
SENT_B = f"Crews will drain the lower reservoir first, {COMMON}, until the pumps fail."


def _common_corpus() -> list:  # type: ignore[type-arg]
    """Two reports share one sentence, one word changed near its end; eight others print its middle words."""
    rng = random.Random(20261131)
    docs = [doc("s_a", join(_filler(rng, 5), SENT_A, _filler(rng, 5)), outlet="north.example"),
            doc("s_b", join(_filler(rng, 6), SENT_B, _filler(rng, 4)), outlet="south.example")]
    for k in range(8):
        docs.append(doc(f"c{k}", join(_filler(rng, 5), f"Rain fell again, {COMMON}.", _filler(rng, 4)),
                        outlet=f"town{k}.example"))
    for k in range(12):
        docs.append(doc(f"o{k:02d}", join(_filler(rng, 5), _filler(rng, 5)), outlet=f"other{k}.example"))
    return docs


def test_a_run_of_common_words_counts_the_words_past_its_edit() -> None:
    """14 matching words weigh under 12 (their middle is common); the words past the changed one make the link."""
    links = find_reuse(_common_corpus())
    assert [(lk.source, lk.target) if lk.source < lk.target else (lk.target, lk.source) for lk in links] == \
        [("s_a", "s_b")]


POST = "The council will open the flood gates at dawn and every family below the dam must leave tonight"


def test_a_post_printed_twice_still_aligns() -> None:
    """A report that prints the mayor's post as text and again as an embed shares it with one that prints it once."""
    rng = random.Random(20261132)
    once = join(_filler(rng, 5), f"The mayor wrote: \u201c{POST}.\u201d", _filler(rng, 5))
    twice = join(_filler(rng, 4), f"{POST}.", "\u2014 Mayor Ilse Norrand (@norrand) May 2, 2024", _filler(rng, 3),
                 f"\u201c{POST},\u201d she wrote.", _filler(rng, 3))
    link = link_pair(doc("once", once, outlet="one.example"), doc("twice", twice, outlet="two.example"))
    assert link is not None and link.shared_words >= 18
