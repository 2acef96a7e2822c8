"""Attribution of claims: sources, kinds, cues, channels, quotes and pronouns."""

from __future__ import annotations

from collections.abc import Callable

from tests.analyze.conftest import seed_text
from tracewire.analyze.attribution import quote_spans, speaker_labels
from tracewire.pipeline import Analysis
from tracewire.records import Attribution


def _att(ana: Analysis, start: str) -> Attribution:
    """Attribution of the first claim starting with ``start``."""
    claim = next(c for c in ana.claims if c.text.startswith(start))
    assert claim.attribution is not None
    return claim.attribution


def test_seed_001_local_sources_told_sputnik(analyze: Callable[[str], Analysis]) -> None:
    """Seed 001 local sources told sputnik."""
    a = _att(analyze(seed_text("001")), "Local sources told")
    assert (a.source, a.kind, a.cue, a.channel) == ("Local sources", "anonymous", "told", "Sputnik")


def test_seed_001_according_to_sohr(analyze: Callable[[str], Analysis]) -> None:
    """Seed 001 according to sohr."""
    a = _att(analyze(seed_text("001")), "According to SOHR")
    assert (a.kind, a.cue, a.canonical) == ("named_org", "according to", "Syrian Observatory for Human Rights")


def test_seed_003_maloof_told_rt(analyze: Callable[[str], Analysis]) -> None:
    """Seed 003 maloof told rt."""
    ana = analyze(seed_text("003"))
    a = _att(ana, "“It’s going to be a race,” former Pentagon official")
    assert a.kind == "named_person" and a.canonical == "Michael Maloof"
    assert a.source in ("Michael Maloof", "former Pentagon official Michael Maloof")
    assert (a.cue, a.channel) == ("told", "RT")
    # a later bare "Maloof" and the sentences of his multi-sentence quote resolve to him
    later = _att(ana, "They are meant to try to maintain a US presence")
    assert (later.canonical, later.cue) == ("Michael Maloof", "pointed out")
    first_of_quote = _att(ana, "“I think the US activity")
    assert first_of_quote.canonical == "Michael Maloof"


def test_seed_003_quoted_as_saying_by_outlet(analyze: Callable[[str], Analysis]) -> None:
    """Seed 003 quoted as saying by outlet."""
    a = _att(analyze(seed_text("003")), "“As we get closer to Deir ez-Zor")
    assert a.cue == "quoted as saying" and a.canonical == "Ryan Dillon" and a.channel == "Foreign Policy"


def test_anonymous_and_unattributed(analyze: Callable[[str], Analysis]) -> None:
    """Anonymous and unattributed."""
    text = (
        "According to reports, the rebels shelled the airport on Monday. "
        "It was reported that 12 people were wounded in the attack. "
        "Sources in the Syrian government army said three jets were damaged. "
        "Smoke rose over the runway for hours after the attack."
    )
    ana = analyze(text)
    assert _att(ana, "According to reports").kind == "anonymous"
    passive = _att(ana, "It was reported")
    assert (passive.kind, passive.cue) == ("anonymous", "reported")
    army = _att(ana, "Sources in the Syrian government army")
    assert army.kind == "anonymous" and army.source == "Sources in the Syrian government army"
    assert _att(ana, "Smoke rose").kind == "unattributed"


def test_pronoun_and_quote_continuation(analyze: Callable[[str], Analysis]) -> None:
    """Pronoun and quote continuation."""
    text = (
        "Brigadier Salim Haddad told the Orontes Herald that the bridge was destroyed at dawn.\n\n"
        "“We lost four vehicles. Two drivers were wounded,” he said.\n\n"
        "“Nine bridges were destroyed this year. The engineers are already there.”"
    )
    ana = analyze(text)
    first = _att(ana, "Brigadier Salim Haddad")
    assert (first.kind, first.canonical, first.channel) == ("named_person", "Salim Haddad", "Orontes Herald")
    assert _att(ana, "“We lost four vehicles.").canonical == "Salim Haddad"  # quote before its speaker
    assert _att(ana, "Two drivers were wounded").source == "he"
    assert _att(ana, "“Nine bridges were destroyed").canonical == "Salim Haddad"  # next paragraph goes on


def test_pronoun_without_antecedent_is_unresolved(analyze: Callable[[str], Analysis]) -> None:
    """A pronoun source that names nobody earlier is unresolved, never anonymous; with one, it resolves."""
    text = (
        "He said the convoy was hit by three rockets on the northern road.\n\n"
        "They claimed that the water station had stopped working for a week.\n\n"
        "Governor Rami Khalil visited the market on Tuesday. "
        "He said the bakery would reopen after the repairs were finished."
    )
    ana = analyze(text)
    assert (_att(ana, "He said the convoy").kind, _att(ana, "He said the convoy").source) == ("unresolved", "He")
    assert _att(ana, "They claimed").kind == "unresolved"
    later = _att(ana, "He said the bakery")
    assert (later.kind, later.canonical) == ("named_person", "Rami Khalil")
    assert not any(c.attribution and c.attribution.kind == "anonymous" for c in ana.claims)


def test_pronoun_of_the_other_gender_skips_the_last_speaker(analyze: Callable[[str], Analysis]) -> None:
    """ "She" does not resolve to a speaker the text already called "he" (TR-News: "She claimed to be his
    girlfriend" was the male police spokesman's claim), nor "he" to a "Mrs"; the same gender still resolves."""
    text = (
        "Police spokesman Jason Moore said the suspect was arrested near the bridge on Monday. "
        "He said the suspect had assaulted a woman with a knife. "
        "She claimed that the suspect was her boyfriend.\n\n"
        "Mrs Laila Haddad said the clinic reopened after the storm. "
        "He said the road to the clinic was still closed. "
        "She said the generators had arrived on Tuesday."
    )
    ana = analyze(text)
    assert _att(ana, "He said the suspect").canonical == "Jason Moore"
    she = _att(ana, "She claimed")
    assert (she.kind, she.source) == ("unresolved", "She")
    assert _att(ana, "He said the road").kind == "unresolved"
    assert _att(ana, "She said the generators").canonical == "Laila Haddad"
    # the person a pronoun's own sentence names is not its antecedent, and no gender is learned from that guess
    told = analyze("Dan Kotzer said the court would sit on Monday. "
                   "She told Kotzer that the will had been signed in March. "
                   "He said the hearing would take two days.")
    assert _att(told, "She told Kotzer").kind == "unresolved"
    assert _att(told, "He said the hearing").canonical == "Dan Kotzer"


def test_kinds_from_lexicon(analyze: Callable[[str], Analysis]) -> None:
    """Kinds from lexicon."""
    text = (
        "The Pentagon said 900 troops would stay in Syria. "
        "SANA reported that 20 rockets hit the base. "
        "The Russian Defense Ministry claimed that drones attacked Hmeimim."
    )
    ana = analyze(text)
    assert _att(ana, "The Pentagon").kind == "government_body"
    assert _att(ana, "SANA").kind == "media_outlet"
    assert _att(ana, "The Russian Defense Ministry").canonical == "Russian Ministry of Defence"


def test_unbalanced_quotes_degrade_per_paragraph(analyze: Callable[[str], Analysis]) -> None:
    """Unbalanced quotes degrade per paragraph."""
    text = (
        "“The siege is over, the commander said on Sunday.\n\n"
        "Officials said 40 families returned to the town.\n\n"
        "He added that schools \"will reopen” next week."
    )
    ana = analyze(text)
    assert _att(ana, "Officials said 40 families").kind == "anonymous"
    assert len(ana.claims) == 3 and not ana.errors


def test_quote_spans_tolerate_mixed_and_unclosed_marks() -> None:
    """Quote spans tolerate mixed and unclosed marks."""
    text = 'He said "it is over” and left. “Then it began'
    spans = quote_spans(text)
    assert [text[a:b] for a, b in spans] == ['"it is over”', "“Then it began"]
    assert quote_spans("a stray ” mark") == [(0, 9)]


def test_headline_colon_attribution(analyze: Callable[[str], Analysis]) -> None:
    """A "Name: claim" headline is attributed to the name; a dateline colon is not a source."""
    ana = analyze("Pentagon: 900 troops will stay in Syria\n\nDAMASCUS: Rebels shelled 3 villages near Homs on Monday.")
    head = _att(ana, "Pentagon:")
    assert (head.kind, head.source, head.cue) == ("government_body", "Pentagon", ":")
    assert _att(ana, "DAMASCUS:").kind == "unattributed"


def test_transcript_speaker_labels(analyze: Callable[[str], Analysis]) -> None:
    """A transcript's "NAME:" lines are attributed to the speaker, an opening quotation mark or not."""
    text = (
        "Pence spoke on Sunday in Ohio.\n\n"
        "WALLACE: Will Gennifer Flowers attend the debate in Hempstead tomorrow?\n\n"
        '"PENCE: Gennifer Flowers will not attend the debate, and 40 staff members left the campaign.\n\n'
        "WALLACE: Why not?\n\n"
        "PENCE: The campaign decided it last week, after 3 meetings."
    )
    ana = analyze(text)
    for start in ('"PENCE: Gennifer', "PENCE: The campaign"):
        att = _att(ana, start)
        assert (att.kind, att.source, att.cue) == ("named_person", "PENCE", ":")


def test_speaker_labels_need_a_transcript() -> None:
    """Speaker labels need two names, one speaking twice, off the first line and not furniture words."""
    transcript = "Intro.\n\nJAKE TAPPER: Why?\n\nFALLIN: Because.\n\nTAPPER: And then?"
    assert [transcript[a:b] for a, b, _ in speaker_labels(transcript)] == ["JAKE TAPPER", "FALLIN", "TAPPER"]
    assert speaker_labels("BOOM: Trump fired back\n\nUPDATE: 5/12 the site changed.\n\nUPDATE: it fell.") == []
    assert speaker_labels("Intro.\n\nDAMASCUS: Rebels shelled 3 villages.\n\nHOMS: Two died.") == []
