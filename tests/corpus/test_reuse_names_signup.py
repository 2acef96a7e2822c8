"""Shared text that is not a copy: a document's title, a sign-up box's small print, an author's plug."""

from __future__ import annotations

import random

from tracewire.corpus.furniture import widget_text
from tracewire.corpus.reuse import find_reuse, names_only

from .fixtures import OTHER, WIRE, doc, join

# the title of one guild charter, cited in two different stories (our own words)
TITLE = "the Charter of the Northern Harbour Guild on the Pastoral Care of Retired Lighthouse Keepers"


def _sign_up(letter: str) -> str:
    """A newsletter box: its first line names the newsletter, its small print is the same on every page."""
    return "\n".join([
        f"{letter} A weekly letter on the valley and its towns, in your inbox.",
        "Email Sign Up By signing up you agree to receive email newsletters or alerts from the Valley Courier.",
        "You can unsubscribe at any time.",
    ])


PLUG = "In my new book The Long History of the Karsu Valley From the Romans to the Railways, I tell"


def test_names_only_tells_a_title_from_a_sentence() -> None:
    """A run of capitalised words and numbers is a name; a sentence with its verbs is not."""
    assert names_only(TITLE)
    assert names_only("Velmora 12 March 2019 Regional Emergency Office")
    assert not names_only(WIRE[1][:120])
    assert not names_only("the deputy mayor of Velmora said the sports hall was full")


def test_a_sign_up_box_is_a_widget_however_long_its_small_print() -> None:
    """The small print of a sign-up box names many cues: a widget, although it ends like a sentence."""
    box = _sign_up("Harbour Notes")
    assert widget_text(box[box.index("in your inbox"):])
    assert not widget_text(WIRE[0])


def test_a_title_a_sign_up_box_or_a_plug_alone_links_nothing() -> None:
    """Two stories of no known outlet that share only a cited title, a sign-up box or an author's plug
    for a book are not a copy; the same stories sharing a wire paragraph as well are linked."""
    pairs = [
        ([OTHER[0], f"The council cited {TITLE}, which it adopted long ago.", OTHER[1]],
         [WIRE[0], f"Critics recalled {TITLE} in their letter to the mayor.", WIRE[3]]),
        ([OTHER[0], _sign_up("Harbour Notes"), OTHER[1]], [WIRE[0], _sign_up("Farm Week"), WIRE[3]]),
        ([OTHER[3], PLUG + " how the ferries began.", OTHER[4]],
         [WIRE[4], PLUG + " what the floods did to the old mills.", WIRE[3]]),
    ]
    for k, (pa, pb) in enumerate(pairs):
        assert find_reuse([doc(f"a{k}", join(*pa)), doc(f"b{k}", join(*pb))]) == [], k
        # the wire paragraph in the middle of both (a block at the same edge of both is their furniture)
        both = find_reuse([doc(f"c{k}", join(pa[0], WIRE[1], *pa[1:])), doc(f"d{k}", join(pb[0], WIRE[1], *pb[1:]))])
        assert len(both) == 1, k


# an agency's background paragraph that one outlet appends to its reports of many events (our own words)
BACKGROUND = (
    "The valley has been cut off from the coast since the spring of 2019, when the old railway bridge "
    "at Ostrev was closed, and the regional council has promised a new crossing every year since then."
)


def _filler(rng: random.Random, k: int) -> str:
    """A paragraph of our fixture words in random order: text no other document shares."""
    vocab = sorted({w for p in (*WIRE, *OTHER) for w in p.replace(",", "").replace(".", "").split()})
    return " ".join(rng.choice(vocab) for _ in range(40 + k % 7)) + "."


def test_one_outlets_stock_paragraph_links_nothing_across_outlets() -> None:
    """An outlet appends the same background paragraph to three of its sixteen reports (its house text,
    too rare to be its furniture); two other outlets' reports of other events carry it once each (so
    no outlet that holds it repeats it as a formula on average). Neither is a copy of the outlet's
    reports. The same report sharing a wire paragraph with one of them is linked."""
    rng = random.Random(11)
    alpha = [doc(f"alpha{k}", join(_filler(rng, k), *([BACKGROUND] if k < 3 else []), *([WIRE[1]] if k == 3 else []),
                                   _filler(rng, k + 1)), outlet="alpha") for k in range(16)]
    others = [doc(f"{o}0", join(_filler(rng, 20 + k), BACKGROUND, _filler(rng, 30 + k)), outlet=o)
              for k, o in enumerate(("beta", "gamma"))]
    links = {frozenset((lk.source, lk.target)) for lk in find_reuse([*alpha, *others])}
    assert not any(x.startswith("alpha") for pair in links for x in pair)
    beta_wire = doc("beta1", join(_filler(rng, 22), BACKGROUND, WIRE[1], _filler(rng, 23)), outlet="beta")
    linked = {frozenset((lk.source, lk.target)) for lk in find_reuse([*alpha, beta_wire, others[1]])}
    assert frozenset(("alpha3", "beta1")) in linked
    assert not any(x.startswith("alpha") and x != "alpha3" for pair in linked for x in pair)
