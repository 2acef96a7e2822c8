"""Source kinds from the canonical actor, outlets from media.toml, pronoun antecedents, the learned tagger."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from tracewire.analyze.attribution import lexicon
from tracewire.pipeline import Analysis, Resources
from tracewire.records import Attribution

PACKS = Path(__file__).resolve().parents[2] / "tracewire" / "packs"


def _att(ana: Analysis, start: str) -> Attribution:
    """Attribution of the first claim starting with ``start``."""
    claim = next(c for c in ana.claims if c.text.startswith(start))
    assert claim.attribution is not None
    return claim.attribution


def test_title_and_name_is_a_person(analyze: Callable[[str], Analysis]) -> None:
    """A ministry spokesman given by title and name is that person, not the ministry."""
    ana = analyze("Russian Defence Ministry spokesman Igor Konashenkov said the strikes destroyed 14 depots near Idlib.")
    a = _att(ana, "Russian Defence Ministry spokesman")
    assert (a.kind, a.canonical) == ("named_person", "Igor Konashenkov")


def test_unnamed_plural_sources_are_anonymous_with_the_outlet_as_channel(analyze: Callable[[str], Analysis]) -> None:
    """"Sources that spoke with <outlet>" are anonymous; the outlet is the channel."""
    ana = analyze("Sources that spoke with Asharq Al-Awsat said 300 fighters had crossed the border at night.")
    a = _att(ana, "Sources that spoke with")
    assert a.kind == "anonymous"
    assert a.channel == "Asharq Al-Awsat"


@pytest.mark.parametrize(("sentence", "outlet", "state"), [
    ("SANA reported that 12 civilians were killed by rocket fire in the Old City of Aleppo on Friday.", "SANA", "SY"),
    ("Sputnik said the convoy of 40 trucks had reached the town of Manbij on Tuesday morning.", "Sputnik", "RU"),
    ("Anadolu Agency reported that three soldiers were wounded near the border town of Akcakale.", "Anadolu Agency", "TR"),
    ("Reuters reported that the talks in Geneva had broken down after two days without progress.", "Reuters", ""),
])
def test_outlets_are_media_outlets_with_their_state(
    analyze: Callable[[str], Analysis], res: Resources, sentence: str, outlet: str, state: str,
) -> None:
    """News agencies named as the source are media outlets; media.toml gives their state affiliation."""
    a = _att(analyze(sentence), sentence[:12])
    assert (a.kind, a.canonical) == ("media_outlet", outlet)
    found = lexicon(res).outlet_state(outlet)
    assert found is not None and found[0] == state


def test_media_files_are_well_formed() -> None:
    """Every outlet of every pack's media.toml has a name, aliases, a state code and a known control."""
    for path in sorted(PACKS.glob("*/media.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for out in data["outlet"]:
            assert out["name"] and out["aliases"], (path, out)
            assert out["state"] == "" or (len(out["state"]) == 2 and out["state"].isupper()), (path, out)
            assert out["control"] in ("state", "public", "private", "militant"), (path, out)


def test_pronoun_resolves_to_the_person_named_two_sentences_back(analyze: Callable[[str], Analysis]) -> None:
    """"He" after a sentence that names a person resolves to that person."""
    text = (
        "Iranian Foreign Minister Mohammad Javad Zarif arrived in Damascus on Tuesday for talks with officials. "
        "The visit lasted three hours. "
        "He said Iran would keep its advisers in Syria for as long as they were needed."
    )
    a = _att(analyze(text), "He said Iran")
    assert (a.kind, a.canonical) == ("named_person", "Mohammad Javad Zarif")


def test_pronoun_skips_a_person_of_the_other_gender(analyze: Callable[[str], Analysis]) -> None:
    """"She" does not resolve to a man introduced as "Mr"."""
    text = (
        "Spokeswoman Maria Zakharova met Mr Walid Muallem in Moscow on Monday. "
        "She said the two ministries would meet again in March to discuss the reconstruction of Aleppo."
    )
    a = _att(analyze(text), "She said")
    assert (a.kind, a.canonical) == ("named_person", "Maria Zakharova")


def test_pronoun_without_antecedent_stays_unresolved(analyze: Callable[[str], Analysis]) -> None:
    """A pronoun source with nobody named before it is unresolved, not anonymous."""
    a = _att(analyze("They said the checkpoint north of Hama had been abandoned by Tuesday evening."), "They said")
    assert a.kind == "unresolved"


def test_learned_tagger_finds_verb_noun_and_multiword_cues(res: Resources) -> None:
    """The shipped CRF marks a reporting verb, its subject, and the rules' cues stay features."""
    from tracewire.analyze import attribution_crf
    from tracewire.analyze.attribution import find_learned, load_cues
    from tracewire.analyze.parse import nlp
    from tracewire.analyze.sentences import blocks, split

    if not attribution_crf.MODEL_PATH.is_file():
        pytest.skip("the attribution tagger's model file is absent (python eval/train_attribution_crf.py)")
    text = (
        "The opposition commander told reporters on Sunday that the ceasefire had collapsed in Daraa. "
        "“We will not withdraw from the town,” said Abu Omar, a spokesman for the rebel group."
    )
    parsed = nlp(res)(text)
    spans = split(text, [s.start_char for s in parsed.sents])
    founds, _ = find_learned(text, parsed, spans, blocks(text), load_cues(), attribution_crf.load_tagger())
    got = {(f.cue, text[f.source_start : f.source_end]) for fs in founds for f in fs if f.source_start is not None}
    assert ("told", "The opposition commander") in got
    assert any(cue == "said" and "Abu Omar" in src for cue, src in got), got


def test_plural_pronoun_is_anonymous_only_with_an_anonymous_antecedent(analyze: Callable[[str], Analysis]) -> None:
    """"They" after unnamed sources is those sources; "we" and a "they" with nobody before are unresolved."""
    ana = analyze(
        "They warned that the road to the border crossing would stay closed until the spring.\n\n"
        "Local sources said two trucks of flour reached the eastern district on Sunday morning. "
        "They added that a third convoy was stopped at a checkpoint outside the town.\n\n"
        "We were told that the bakery had no fuel left for the ovens, a resident wrote."
    )
    first = _att(ana, "They warned")
    assert (first.kind, first.source) == ("unresolved", "They")
    later = _att(ana, "They added")
    assert later.kind == "anonymous" and later.canonical is not None and "sources" in later.canonical.lower(), later
    pronouns = [c.attribution for c in ana.claims
                if c.attribution and c.attribution.source and c.attribution.source.lower() in ("they", "we", "he", "she")]
    assert all(a.kind == "unresolved" or (a.canonical or "").lower() not in ("they", "we", "he", "she")
               for a in pronouns), pronouns
