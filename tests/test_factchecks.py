"""Known fact-checks: import (ClaimReview JSON-LD / JSONL, EUvsDisinfo CSV), matching, review, ClaimReview out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tracewire.cli import main
from tracewire.ingest.factchecks import import_factchecks, stable_id
from tracewire.store import open_store
from tracewire.store.factchecks import FactcheckStore

SCHEMA = json.loads((Path(__file__).parent / "data" / "schemaorg_claimreview.json").read_text(encoding="utf-8"))

REVIEW = {
    "@context": "https://schema.org", "@type": "ClaimReview",
    "claimReviewed": "American helicopters evacuated Islamic State commanders from Deir ez-Zor before the army came.",
    "url": "https://checks.example.org/helicopters", "datePublished": "2018-03-05",
    "author": {"@type": "Organization", "name": "Example Checks"},
    "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1, "alternateName": "False"},
    "itemReviewed": {"@type": "Claim", "author": {"@type": "Organization", "name": "Some Outlet"}},
}
OTHER = {"@type": "ClaimReview", "claimReviewed": "The Eiffel Tower will be taken apart and rebuilt in Las Vegas.",
         "url": "https://checks.example.org/eiffel", "datePublished": "2019-01-02",
         "reviewRating": {"@type": "Rating", "alternateName": "False"}}
EUVS = (
    '"issue","date","outlet","language","origin","reported by","keywords","source","title","summary","disproof"\n'
    '7,03/01/18,"Example TV","English","Syria","Team","Syria, ISIS","http://tv.example/1",'
    '"US helicopters rescued ISIS leaders","US helicopters rescued ISIS leaders from Deir ez-Zor.","No evidence."\n'
    '7,31/31/18,"Example TV","English","Syria","Team","Syria","http://tv.example/2","Bad date","A claim.","None."\n'
    '7,03/02/18,"Example TV","English","Syria","Team","Syria","http://tv.example/3","","","No text."\n'
)

ARTICLE = ("DAMASCUS – American helicopters evacuated commanders of the Islamic State from Deir ez-Zor on Tuesday, "
           "hours before the Syrian army reached the area, local sources told the agency. The operation was the "
           "third such evacuation this month, the sources said, adding that the militants were flown to a base in "
           "Hasakah province where they were questioned by officers of the coalition and then released.")


def _export_rows(capsys: pytest.CaptureFixture[str], kind: str, db: str) -> list[dict[str, Any]]:
    """Records of one export kind."""
    capsys.readouterr()
    assert main(["export", kind, "--db", db]) == 0
    return [json.loads(x) for x in capsys.readouterr().out.splitlines()]


def _write(tmp: Path, name: str, content: Any) -> Path:
    """A file of the test's own text."""
    p = tmp / name
    p.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return p


def test_claimreview_shapes_and_rejections(tmp_path: Path) -> None:
    """One object, a list, an @graph and a JSONL feed import; bad records are coded rejections, the rest goes on."""
    store = open_store(tmp_path / "tw.db")
    files = [
        _write(tmp_path, "one.jsonld", REVIEW),
        _write(tmp_path, "list.json", [OTHER, {"@type": "ClaimReview", "url": "https://x.example/no-claim"}]),
        _write(tmp_path, "graph.jsonld", {"@context": "https://schema.org", "@graph": [
            {"@type": "WebPage", "name": "a page"},
            {"@type": "ClaimReview", "claimReviewed": "Bad link", "url": "javascript:alert(1)"}]}),
        _write(tmp_path, "feed.jsonl", json.dumps(OTHER) + "\n{not json\n"
               + json.dumps({**OTHER, "claimReviewed": "Dated badly", "datePublished": "next Tuesday"}) + "\n"),
    ]
    s = import_factchecks(files, store)
    assert (s.new, s.changed) == (3, 0)  # OTHER in list.json and in feed.jsonl: two sources, two records
    codes = sorted((r.path.rsplit("/", 1)[-1], r.code) for r in s.rejections)
    assert codes == [("feed.jsonl#row=2", "TW109"), ("feed.jsonl#row=3", "TW113"), ("graph.jsonld", "TW112"),
                     ("graph.jsonld", "TW113"), ("list.json", "TW112")]
    bad_link = next(r for r in s.rejections if r.code == "TW113" and "javascript" in r.message)
    assert "not an http or https URL" in bad_link.message
    bad_date = next(r for r in s.rejections if "next Tuesday" in r.message)
    assert "YYYY-MM-DD" in bad_date.message
    fcs = {f.id: f for f in FactcheckStore.of(store).factchecks()}
    one = fcs[stable_id("one.jsonld", REVIEW["url"], REVIEW["claimReviewed"])]
    assert (one.rating, one.author, one.claimant, one.date) == ("False", "Example Checks", "Some Outlet", "2018-03-05")
    again = import_factchecks(files, store)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 3)
    assert FactcheckStore.of(store).count() == 3
    _write(tmp_path, "one.jsonld", {**REVIEW, "reviewRating": {"@type": "Rating", "alternateName": "Misleading"}})
    changed = import_factchecks([tmp_path / "one.jsonld"], store)
    assert (changed.new, changed.changed) == (0, 1)
    store.close()


def test_euvsdisinfo_csv(tmp_path: Path) -> None:
    """EUvsDisinfo rows become fact-checks with provenance; a bad date and an empty case are rejections."""
    store = open_store(tmp_path / "tw.db")
    s = import_factchecks([_write(tmp_path, "cases.csv", EUVS)], store)
    assert s.new == 1 and sorted(r.code for r in s.rejections) == ["TW112", "TW113"]
    fc = FactcheckStore.of(store).factchecks()[0]
    assert fc.id.startswith("euvsdisinfo:") and fc.source == "euvsdisinfo" and fc.row == 2
    assert (fc.date, fc.claimant, fc.appearance, fc.rating) == ("2018-03-01", "Example TV", "http://tv.example/1",
                                                              "disinformation")
    assert fc.keywords == ("Syria", "ISIS") and fc.review_body == "No evidence."
    store.close()


def test_real_euvsdisinfo_imports_every_case(tmp_path: Path) -> None:
    """The shared EUvsDisinfo export imports without a rejection, twice without a change."""
    from tests.conftest import shared_path

    csv_path = shared_path("data", "euvsdisinfo", "full_dataset_formatted.csv")
    store = open_store(tmp_path / "tw.db")
    s = import_factchecks([csv_path], store)
    assert not s.rejections and s.new > 2500
    assert import_factchecks([csv_path], store).new == 0
    store.close()


def _walk(obj: Any, path: str = "$") -> list[str]:
    """Every (type, property) of a JSON-LD tree that the schema.org list does not allow."""
    bad: list[str] = []
    if isinstance(obj, list):
        for i, x in enumerate(obj):
            bad += _walk(x, f"{path}[{i}]")
        return bad
    if not isinstance(obj, dict):
        return bad
    kind = obj.get("@type")
    if kind not in SCHEMA["types"]:
        return [f"{path}: unknown @type {kind!r}"]
    allowed = set(SCHEMA["types"][kind])
    for k, v in obj.items():
        if k.startswith("@"):
            continue
        if k not in allowed:
            bad.append(f"{path}: {kind} has no property {k!r}")
        bad += _walk(v, f"{path}.{k}")
    return bad


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of three articles (one a copy of another), analysed, with two fact-checks imported."""
    tmp = tmp_path_factory.mktemp("fc")
    corpus = tmp / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("March 6, 2018\nFrom Outlet A\n\n" + ARTICLE + "\n", encoding="utf-8")
    (corpus / "b.txt").write_text("March 8, 2018\nFrom Outlet B\n\nOur readers asked about this report. " + ARTICLE
                                  + "\nWe will follow the story.\n", encoding="utf-8")
    (corpus / "c.txt").write_text("March 7, 2018\nFrom Outlet C\n\nRain fell over Damascus on Wednesday and the "
                                  "city council said 40 streets were flooded after the storm.\n", encoding="utf-8")
    db = tmp / "tw.db"
    assert main(["ingest", str(corpus), "--db", str(db)]) == 0
    assert main(["analyze", "--db", str(db)]) == 0
    return db


def test_stage_without_factchecks_then_matches_and_inherits(analysed: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """No fact-checks: the stage says so; after an import the copied claim inherits the match via the reuse link."""
    db = str(analysed)
    capsys.readouterr()
    assert main(["analyze", "--db", db]) == 0
    assert "factchecks: " in capsys.readouterr().out
    files = [_write(tmp_path, "one.jsonld", REVIEW), _write(tmp_path, "list.json", [OTHER])]
    assert main(["factchecks", "import", *map(str, files), "--db", db]) == 0
    assert main(["analyze", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "status first run" in out or "changed" in out
    assert main(["analyze", "--db", db]) == 0
    assert "status up to date" in capsys.readouterr().out
    rows = _export_rows(capsys, "factcheck_matches", db)
    heli = stable_id("one.jsonld", REVIEW["url"], REVIEW["claimReviewed"])
    docs = {d["id"]: d["text"] for d in _export_rows(capsys, "documents", db)}
    top = {r["doc"]: r for r in rows if r["rank"] == 1 and "helicopters" in docs[r["doc"]][r["start"]:r["end"]]}
    assert top["a"]["factcheck"] == heli and top["b"]["factcheck"] == heli
    assert not any(r["doc"] == "c" and r["factcheck"] == heli for r in rows)
    assert top["a"]["via"] is None and top["b"]["via"]["source"] == "a" and top["b"]["via"]["target"] == "b"
    assert top["b"]["via"]["claim"] == {"doc": "a", "start": top["a"]["start"], "end": top["a"]["end"]}
    ev = " | ".join(top["a"]["evidence"])
    assert "shared entities: Islamic State, United States" in ev and "american helicopters" in ev
    assert "article 2018-03-06 is 1 day after the fact-check (2018-03-05)" in ev
    from tracewire.web.views import factchecks_context

    store = open_store(analysed)
    item = next(x for x in factchecks_context(store)["items"] if x["fc"]["id"] == heli)
    store.close()
    # the fact-checks page: one entry per original claim, its copies folded under it
    assert len(item["groups"]) == len([r for r in rows if r["factcheck"] == heli and r["via"] is None])
    assert all(g["first"]["doc"] == "a" and g["first"]["via"] is None for g in item["groups"])
    copies = [c for g in item["groups"] for c in g["copies"]]
    assert copies and all(c["doc"] == "b" and c["via"]["source"] == "a" for c in copies)
    assert main(["export", "factchecks", "--db", db]) == 0
    fcs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert set(fcs[0]) == {"id", "source", "claim_reviewed", "rating", "url", "date", "author", "language"}


def test_review_export_validates_and_round_trips(analysed: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """review -> export claimreview (schema.org types and properties only) -> import gives the same reviews."""
    db = str(analysed)
    capsys.readouterr()
    assert main(["export", "claims", "--db", db]) == 0
    claim = next(json.loads(x) for x in capsys.readouterr().out.splitlines() if json.loads(x)["doc"] == "a")
    cid = f"{claim['doc']}:{claim['start']}-{claim['end']}"
    assert main(["review", "a:5-1", "--rating", "False", "--reviewer", "R", "--db", db]) == 2
    assert main(["review", cid, "--rating", "False", "--note", "No source for it", "--reviewer", "Ana Checker",
                 "--db", db]) == 0
    capsys.readouterr()
    out = tmp_path / "claimreview.jsonl"
    assert main(["export", "claimreview", "--db", db, "--out", str(out)]) == 0
    objs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(objs) == 1 and not _walk(objs[0])
    text = " ".join(claim["text"].split())
    assert objs[0]["claimReviewed"] == text and objs[0]["identifier"] == cid
    fresh = open_store(tmp_path / "again.db")
    s = import_factchecks([out], fresh)
    assert s.new == 1 and not s.rejections
    back = FactcheckStore.of(fresh).factchecks()[0]
    assert (back.claim_reviewed, back.rating, back.review_body, back.author) == (
        text, "False", "No source for it", "Ana Checker")
    fresh.close()


def test_schema_list_rejects_unknown_properties() -> None:
    """The property check itself fails on a property schema.org does not define."""
    assert _walk({"@type": "ClaimReview", "verdict": "x"}) == ["$: ClaimReview has no property 'verdict'"]
    assert _walk({"@type": "Claim", "appearance": {"@type": "Tweet"}})


def test_web_panel_page_and_review_form(analysed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Known fact-checks on the article and /factchecks; the review form needs its CSRF token; --read-only refuses."""
    from starlette.testclient import TestClient

    from tracewire.web.app import create_app

    db = str(analysed)
    files = [_write(tmp_path, "one.jsonld", REVIEW), _write(tmp_path, "list.json", [OTHER])]
    assert main(["factchecks", "import", *map(str, files), "--db", db]) == 0
    assert main(["analyze", "--db", db]) == 0
    capsys.readouterr()
    base = "http://127.0.0.1"
    with TestClient(create_app(analysed, cache_entries=0), base_url=base) as client:
        article = client.get("/doc/a").text
        assert "Known fact-checks" in article and 'href="https://checks.example.org/helicopters"' in article
        assert "inherited through the reuse link a → b" in client.get("/doc/b").text
        page = client.get("/factchecks").text
        assert "American helicopters evacuated Islamic State commanders" in page and "copies in" in page
        assert main(["export", "claims", "--db", db]) == 0
        claim = next(json.loads(x) for x in capsys.readouterr().out.splitlines() if json.loads(x)["doc"] == "b")
        cid = f"{claim['doc']}:{claim['start']}-{claim['end']}"
        form = client.get("/review", params={"claim": cid})
        assert form.status_code == 200 and 'name="csrf"' in form.text
        token = form.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        fields = {"claim": cid, "rating": "Misleading", "note": "Copied from a, no source", "reviewer": "Web Reviewer"}
        forged = client.post("/review", data={**fields, "csrf": "forged"}, follow_redirects=False)
        assert forged.status_code == 403
        foreign = client.post("/review", data={**fields, "csrf": token}, headers={"Origin": "https://evil.example"},
                              follow_redirects=False)
        assert foreign.status_code == 403
        ok = client.post("/review", data={**fields, "csrf": token}, follow_redirects=False)
        assert ok.status_code == 303 and ok.headers["location"].startswith("/review?")
        assert "Web Reviewer" in client.get(ok.headers["location"]).text
    with TestClient(create_app(analysed, cache_entries=0, read_only=True), base_url=base) as ro:
        shown = ro.get("/review", params={"claim": cid})
        assert shown.status_code == 403 and "--read-only" in shown.text and 'name="csrf"' not in shown.text
        ro.cookies.set("tw_csrf", token)
        assert ro.post("/review", data={**fields, "csrf": token}).status_code == 403
    out = tmp_path / "cr.jsonl"
    assert main(["export", "claimreview", "--db", db, "--out", str(out)]) == 0
    fresh = open_store(tmp_path / "again.db")
    import_factchecks([out], fresh)
    back = {(f.claim_reviewed, f.rating, f.review_body, f.author) for f in FactcheckStore.of(fresh).factchecks()}
    assert (" ".join(claim["text"].split()), "Misleading", "Copied from a, no source", "Web Reviewer") in back
    fresh.close()


def test_claims_too_short_to_stand_alone_are_not_matched(analysed: Path, tmp_path: Path) -> None:
    """A claim of fewer than ``min_words`` distinct content words gets no fact-check; a full one still does."""
    import shutil

    from tracewire import embeddings
    from tracewire.corpus.factcheck import MatchConfig, build_index, match_claims, shipped_reranker

    db = tmp_path / "short.db"
    shutil.copy(analysed, db)
    store = open_store(db)
    import_factchecks([_write(tmp_path, "one.jsonld", REVIEW)], store)
    index, _ = build_index(store)
    texts = ["American helicopters evacuated commanders.",  # 4 content words: leans on its article
             "American helicopters evacuated Islamic State commanders from Deir ez-Zor."]
    claims = [{"doc": "x", "start": 100 * i, "end": 100 * i + len(t), "text": t, "date": None, "actors": []}
              for i, t in enumerate(texts)]
    vecs = embeddings.encode(texts)
    got = match_claims(index, claims, vecs, shipped_reranker(), MatchConfig())
    assert [k[1] for k in got] == [100]
    assert set(match_claims(index, claims, vecs, shipped_reranker(), MatchConfig(min_words=0))) == {
        ("x", 0, len(texts[0])), ("x", 100, 100 + len(texts[1]))}
    store.close()
    with pytest.raises(ValueError, match="min_words -1"):
        MatchConfig(min_words=-1)


def test_a_claim_matching_one_sentence_of_a_long_case_ranks_it_first(tmp_path: Path) -> None:
    """The dense score is the mean of the whole-claim cosine and the best part's (a sentence, the headline): a case
    that joins four messages with `` // `` is found by a claim that tells one of them, ahead of a case that only
    shares its topic (with the whole-claim cosine alone, the topical case ranked first)."""
    from tracewire import embeddings
    from tracewire.corpus.factcheck import build_index, case_parts, rank, shipped_reranker

    header = '"issue","date","outlet","language","origin","reported by","keywords","source","title","summary","disproof"\n'
    long_case = ("Sweden is the rape capital of Europe. // The euro will collapse next year because of migrants. // "
                 "American forces are stealing Syrian oil from the fields of Deir ez-Zor and smuggling it to Iraq. // "
                 "NATO plans to invade Belarus.")
    csv_text = (header + f'7,03/01/18,"TV","English","Syria","Team","Syria","http://tv.example/1",'
                f'"Sweden is the rape capital of Europe","{long_case}","No."\n'
                '7,03/02/18,"TV","English","Syria","Team","Syria","http://tv.example/2","Syrian oil production fell",'
                '"Oil production in Syria fell sharply because of the war.","No."\n')
    store = open_store(tmp_path / "parts.db")
    assert import_factchecks([_write(tmp_path, "cases.csv", csv_text)], store).new == 2
    index, _ = build_index(store)
    by_row = {fc.row: fc for fc in index.fcs}
    assert case_parts(by_row[2]) == [long_case, "Sweden is the rape capital of Europe.",
                                     "The euro will collapse next year because of migrants.",
                                     "American forces are stealing Syrian oil from the fields of Deir ez-Zor and "
                                     "smuggling it to Iraq.", "NATO plans to invade Belarus."]  # the headline repeats one
    query = "US troops are looting Syria's oil in Deir ez-Zor and smuggling it across the border into Iraq."
    vec = embeddings.encode([query])[0]
    ranked = [index.fcs[c.pos].row for c, _ in rank(index, query, vec, shipped_reranker())]
    assert ranked[0] == 2
    whole = [index.fcs[c.pos].row for c, _ in rank(index, query, vec, shipped_reranker(), cos=index.claim_vecs @ vec)]
    assert whole[0] == 3  # what the whole-claim cosine alone gave
    store.close()


def test_claim_gate_flags_or_drops_matches_of_claims_that_tell_no_narrative(analysed: Path, tmp_path: Path) -> None:
    """A claim that reports an event or a count and neither accuses nor takes a stance keeps its matches flagged
    "low confidence" (or loses them with ``low_confidence="drop"``); an accusing claim's strong match stays
    confident; a match only one retriever found is flagged too; the stored claims carry their check-worthiness
    rules, which the gate reads before the text's."""
    import shutil
    from dataclasses import replace

    from tracewire import embeddings
    from tracewire.corpus.factcheck import (
        MatchConfig,
        build_index,
        claim_rules,
        is_confident,
        match_claims,
        narrative_gate,
        shipped_reranker,
    )

    assert narrative_gate(frozenset({"event", "number", "reporting"})) is not None
    assert narrative_gate(frozenset({"event", "accusation"})) is None
    assert narrative_gate(frozenset({"stance", "number"})) is None
    assert narrative_gate(frozenset({"reporting"})) is None and narrative_gate(frozenset()) is None
    db = tmp_path / "gate.db"
    shutil.copy(analysed, db)
    store = open_store(db)
    stored = FactcheckStore.of(store).claims(0.0)
    assert stored and all(isinstance(c["rules"], list) for c in stored)
    assert any("reporting" in c["rules"] for c in stored)  # "... local sources told the agency"
    import_factchecks([_write(tmp_path, "one.jsonld", REVIEW)], store)
    index, _ = build_index(store)
    texts = ["American helicopters evacuated Islamic State commanders from Deir ez-Zor and two guards were killed.",
             "American helicopters evacuated Islamic State terrorists from Deir ez-Zor, a cover-up the army blamed on "
             "Washington."]
    claims = [{"doc": "x", "start": 200 * i, "end": 200 * i + len(t), "text": t, "date": None, "actors": []}
              for i, t in enumerate(texts)]
    assert claim_rules(claims[0]) == {"event", "number"} and "accusation" in claim_rules(claims[1])
    assert claim_rules({**claims[1], "rules": ["event"]}) == {"event"}  # stored rules come first
    vecs = embeddings.encode(texts)
    got = match_claims(index, claims, vecs, shipped_reranker(), MatchConfig())
    report, accusation = got[("x", 0, len(texts[0]))], got[("x", 200, 200 + len(texts[1]))]
    assert report[0].factcheck == accusation[0].factcheck
    assert not is_confident(report[0]) and report[0].evidence[0].startswith("low confidence: the claim reports")
    assert report[0].evidence[-1].startswith("cosine")  # the usual evidence follows the flag
    assert is_confident(accusation[0]) and accusation[0].score >= MatchConfig().confident_score
    dropped = match_claims(index, claims, vecs, shipped_reranker(), MatchConfig(low_confidence="drop"))
    assert set(dropped) == {("x", 200, 200 + len(texts[1]))}
    # a match under the confident score is flagged too, whatever the claim
    strict = match_claims(index, claims[1:], vecs[1:], shipped_reranker(),
                          MatchConfig(confident_score=1.0, confident_cosine=None))
    assert "re-ranker score" in next(iter(strict.values()))[0].evidence[0]
    # no word in common with the fact-check: only the dense retriever finds it, so it is flagged (or not, without
    # the agreement gate)
    para = "US choppers airlifted IS leaders out of the eastern province ahead of government soldiers, a cover-up."
    one = [{"doc": "y", "start": 0, "end": len(para), "text": para, "date": None, "actors": [], "rules": ["accusation"]}]
    pvec = embeddings.encode([para])
    floorless = replace(shipped_reranker(), min_score=0.0)
    lone = match_claims(index, one, pvec, floorless, MatchConfig(min_score=0.0, confident_score=0.0,
                                                                  confident_agreement=True))[("y", 0, len(para))]
    assert lone[0].factcheck == report[0].factcheck and "no BM25 hit" in lone[0].evidence[-1]
    assert lone[0].evidence[0] == "low confidence: only the dense retriever found it"
    agreeless = MatchConfig(min_score=0.0, confident_score=0.0, confident_agreement=False)
    assert is_confident(match_claims(index, one, pvec, floorless, agreeless)[("y", 0, len(para))][0])
    store.close()
    with pytest.raises(ValueError, match="low_confidence 'hide'"):
        MatchConfig(low_confidence="hide")


def test_an_inherited_match_keeps_its_source_claims_low_confidence() -> None:
    """A copy's match opens with the copy note; the source's "low confidence" line after it still counts."""
    from tracewire.corpus.factcheck import LOW_CONFIDENCE, FactcheckMatch, is_confident

    ev = ("copy of a claim in a that matched it (reuse link a -> b, copy)", LOW_CONFIDENCE + "re-ranker score 0.10",
          "shared key phrases: convoy")
    assert not is_confident(FactcheckMatch("b", 0, 10, "fc:1", 1, 0.1, ev, {"source": "a"}))
    assert is_confident(FactcheckMatch("b", 0, 10, "fc:1", 1, 0.3, ev[:1] + ev[2:], {"source": "a"}))


CHEM = {"@type": "ClaimReview", "url": "https://checks.example.org/shells", "datePublished": "2018-04-01",
        "claimReviewed": "The rebels fired shells filled with chlorine at the village themselves to blame the army.",
        "reviewRating": {"@type": "Rating", "alternateName": "False"}}


def _constant(score: float) -> Any:
    """A re-ranker that gives every candidate the same score (the features then decide nothing)."""
    import math

    from tracewire.corpus.factcheck import FEATURES, Reranker

    return Reranker(tuple(0.0 for _ in FEATURES), math.log(score / (1 - score)), min_score=0.05)


def _chem_index(tmp_path: Path, packs: tuple[str, ...]) -> Any:
    """An index over two made-up fact-checks (a chemical-attack story and an unrelated one)."""
    from tracewire.corpus.factcheck import build_index

    store = open_store(tmp_path / "chem.db")
    import_factchecks([_write(tmp_path, "chem.jsonld", [CHEM, OTHER])], store)
    return build_index(store, packs)[0]


def _claim(text: str, rules: list[str]) -> dict[str, Any]:
    return {"doc": "d", "start": 0, "end": len(text), "text": text, "date": None, "actors": [], "rules": rules}


def test_a_low_scoring_match_fills_an_empty_top_3_place(tmp_path: Path) -> None:
    """A match scoring 0.03 fills an empty top-3 place (flagged low confidence): the fill score 0.01 chosen on the
    narrative dev set is under the weights file's floor 0.05; a fill score above the match's score hides it, and
    so does a fourth place (the floor holds there)."""
    from dataclasses import replace

    from tracewire import embeddings
    from tracewire.corpus.factcheck import MatchConfig, is_confident, match_claims

    index = _chem_index(tmp_path, ())
    c = _claim("Rebels fired shells with chlorine at the village, then blamed the army for the attack.", ["accusation"])
    vec = embeddings.encode([c["text"]])
    got = match_claims(index, [c], vec, _constant(0.03), MatchConfig())[("d", 0, len(c["text"]))]
    assert got[0].factcheck == index.fcs[index.pos[got[0].factcheck]].id and got[0].score == 0.03
    assert index.fcs[index.pos[got[0].factcheck]].url == CHEM["url"]
    assert not is_confident(got[0]) and "re-ranker score 0.03 under 0.15" in got[0].evidence[0]
    assert match_claims(index, [c], vec, _constant(0.03), replace(MatchConfig(), fill_score=0.05)) == {}
    assert match_claims(index, [c], vec, _constant(0.03), replace(MatchConfig(), fill_places=0)) == {}
    with pytest.raises(ValueError, match="fill_places -1"):
        MatchConfig(fill_places=-1)


def test_a_close_paraphrase_is_confident_with_a_modest_score(tmp_path: Path) -> None:
    """Under the confident score a match stays confident when its cosine is high (>= 0.60, score >= 0.05); a
    looser one is flagged and the evidence says which cosine it lacked."""
    from tracewire import embeddings
    from tracewire.corpus.factcheck import MatchConfig, is_confident, match_claims

    index = _chem_index(tmp_path, ())
    close = _claim("The rebels fired chlorine shells at the village themselves to blame the army.", ["accusation"])
    loose = _claim("The army said rebels shelled a village in the north, and residents reported a strange smell.",
                   ["accusation"])  # cosine about 0.58 with the case
    vecs = embeddings.encode([close["text"], loose["text"]])
    got = match_claims(index, [close, {**loose, "doc": "e"}], vecs, _constant(0.08), MatchConfig())
    sure, doubt = got[("d", 0, len(close["text"]))][0], got[("e", 0, len(loose["text"]))][0]
    assert sure.factcheck == doubt.factcheck and index.fcs[index.pos[sure.factcheck]].url == CHEM["url"]
    assert is_confident(sure)
    assert not is_confident(doubt) and "(cosine" in doubt.evidence[0] and "under 0.60)" in doubt.evidence[0]
    assert not is_confident(match_claims(index, [close], vecs[:1], _constant(0.04), MatchConfig())[
        ("d", 0, len(close["text"]))][0])  # the cosine branch still needs a score of 0.05


def test_a_packs_narrative_cue_lets_a_report_worded_claim_through_the_claim_gate(tmp_path: Path) -> None:
    """A claim the claims component reads as an event report passes the claim gate when the syria pack's cue says
    its wording tells a story (a chemical attack blamed on armed groups, or denied); a plain report does not."""
    from tracewire import embeddings
    from tracewire.corpus.factcheck import (
        MatchConfig,
        NarrativeCues,
        is_confident,
        match_claims,
        narrative_gate,
    )

    cues = NarrativeCues.from_packs(("syria",))
    told = "Militants fired shells filled with chlorine at the village, and twelve people choked."
    plain = "Shells fired at the village killed twelve people on Monday, and the army and rebels traded blame."
    assert cues.told(told) == "a chemical attack blamed on armed groups, or denied" and cues.told(plain) is None
    assert NarrativeCues.from_packs(()).told(told) is None
    assert narrative_gate(frozenset({"event", "number"}), cues.told(told)) is None
    assert narrative_gate(frozenset({"event", "number"}), cues.told(plain)) is not None
    index = _chem_index(tmp_path, ("syria",))
    a, b = _claim(told, ["event", "number"]), {**_claim(plain, ["event", "number"]), "doc": "e"}
    vecs = embeddings.encode([told, plain])
    got = match_claims(index, [a, b], vecs, _constant(0.5), MatchConfig())
    assert is_confident(got[("d", 0, len(told))][0])
    assert got[("e", 0, len(plain))][0].evidence[0].startswith("low confidence: the claim reports")


# Hand-written cases for the document-votes test: one narrative (the US arms ISIS) among cases about armed groups'
# patrons and a few others.
NARRATIVE_CASES = {
    "us-arms-isis": "The United States secretly supplies weapons and money to the ISIS terrorists in Syria.",
    "convoy-base": "A US military convoy crossed the Iraqi border into Syria to build a new air base near Hasakah.",
    "isis-brussels": "ISIS claimed the bombing of the Brussels metro, which European governments staged.",
    "church-france": "Terrorists attacked a church in France because Paris lets migrants in.",
    "daesh-afghan": "Daesh recruits fighters in Afghanistan with help from the Afghan government.",
    "iran-sanctions": "Washington imposes sanctions on Iran to starve its people.",
    "saudi-arms": "American arms sales to Saudi Arabia pay for the war in Yemen.",
    "ukraine-nat": "America funds Ukrainian nationalists who burn villages.",
    "cia-ukraine": "The CIA trains saboteurs in Ukraine to attack Crimea.",
    "nato-kosovo": "NATO arms Kosovo militants to break up Serbia.",
    "turkey-oil": "Turkey buys stolen oil from ISIS and sells it to Europe.",
    "qatar-nusra": "Qatar finances the al-Nusra Front and pays ransom to its commanders.",
    "vaccine": "The vaccine campaign in Georgia is a secret American laboratory experiment.",
    "eu-collapse": "The European Union will collapse next year under the weight of its debt.",
    "uk-whitehelmets": "British intelligence pays the White Helmets to stage attacks for the cameras.",
    "israel-nusra": "Israel treats wounded Nusra fighters in its hospitals and sends them back to fight.",
    "france-rebels": "France ships rifles to the rebels of Idlib through Turkey.",
    "saudi-daesh": "Saudi Arabia pays the salaries of Daesh fighters in Iraq.",
    "west-jihadists": "Western governments created the jihadist groups of the Middle East to redraw its borders.",
    "coalition-spare": "The coalition spares Islamic State convoys while bombing civilians in Raqqa.",
    "us-evacuates": "US helicopters evacuate Daesh commanders from Deir ez-Zor before the army arrives.",
    "pentagon-train": "The Pentagon trains militants at al-Tanf to fight the Syrian army.",
    "cia-weapons": "The CIA buys Bulgarian weapons for the armed opposition in Syria.",
    "turkey-border": "Turkey lets foreign terrorists cross its border into Syria.",
}


def test_an_articles_other_claims_vote_a_narrative_into_a_claims_top_3(tmp_path: Path) -> None:
    """Document votes (issue 14; on by default since session 29, ``MatchConfig.doc_votes``): a claim that only tells
    of rifles dropped to rebels does not get the "US arms ISIS" case from the first stage (its score is under the fill
    floor), but four other claims of its article each retrieve that case, so with the votes it enters the claim's top
    3 (flagged low confidence: confidence reads the first-stage score), with the votes in its evidence. The case is
    dated two days before the article, which raises it further than the same votes from an article two years later.
    The same claim alone in its article keeps the first stage's matches and scores exactly, as a CheckThat! tweet
    does."""
    from dataclasses import replace

    from tracewire import embeddings
    from tracewire.corpus.factcheck import (
        NO_VOTES,
        MatchConfig,
        build_index,
        is_confident,
        match_claims,
        shipped_votes,
    )
    from tracewire.corpus.factcheck import shipped_reranker as rr

    reviews = [{"@type": "ClaimReview", "url": f"https://checks.example.org/{k}", "datePublished": "2017-05-01",
                "claimReviewed": t, "reviewRating": {"@type": "Rating", "alternateName": "False"}}
               for k, t in NARRATIVE_CASES.items()]
    store = open_store(tmp_path / "votes.db")
    import_factchecks([_write(tmp_path, "cases.jsonld", reviews)], store)
    index, _ = build_index(store)
    name = {fc.id: (fc.url or "").rsplit("/", 1)[1] for fc in index.fcs}
    texts = ["American planes dropped crates of rifles to the rebels near Raqqa, the agency said.",
             "The Americans keep supplying the terrorists with anti-tank missiles, Damascus said.",
             "US weapons keep reaching ISIS in Syria, and Washington protects the group, the army said.",
             "The United States sends the terrorists in Syria weapons and cash, the statement said.",
             "Washington is the main sponsor of the ISIS terrorists in Syria, the envoy told the council."]
    claims, at = [], 0
    for t in texts:
        claims.append({"doc": "d", "start": at, "end": at + len(t), "text": t, "date": "2017-05-03", "actors": [],
                       "rules": ["accusation"]})
        at += len(t) + 1
    vecs = embeddings.encode(texts)
    target = ("d", 0, len(texts[0]))
    assert MatchConfig().doc_votes and shipped_votes().on
    voted = match_claims(index, claims, vecs, rr(), MatchConfig())[target]  # the default: with the votes
    first = match_claims(index, claims, vecs, rr(), MatchConfig(doc_votes=False))[target]
    assert first == match_claims(index, claims, vecs, rr(), MatchConfig(), votes=NO_VOTES)[target]
    assert "us-arms-isis" not in [name[m.factcheck] for m in first[:3]]
    top3 = {name[m.factcheck]: m for m in voted[:3]}
    assert "us-arms-isis" in top3
    lifted = top3["us-arms-isis"]
    assert "the article's other claims: 4 also retrieve this case" in lifted.evidence
    assert not is_confident(lifted) and "re-ranker score 0.0" in lifted.evidence[0]
    # a raised score says so, with the re-ranker's and what raised it: it is not the re-ranker's probability
    before = next(m.score for m in match_claims(index, claims, vecs, rr(), replace(
        MatchConfig(doc_votes=False), fill_score=0.0, top_k=30))[target] if name[m.factcheck] == "us-arms-isis")
    assert f"score {lifted.score:.2f} raised from the re-ranker's {before:.2f} by the article's other claims and " \
           "the date (within 30 days of the article)" in lifted.evidence
    assert not any("raised from" in e for m in first for e in m.evidence)
    assert [m.score for m in voted] == sorted((m.score for m in voted), reverse=True)
    # the same article two years after the cases: the votes raise the case, the date no longer does
    later = [{**c, "date": "2019-05-03"} for c in claims]
    far = {name[m.factcheck]: m.score
           for m in match_claims(index, later, vecs, rr(), replace(MatchConfig(), fill_score=0.0, top_k=30))[target]}
    near = {name[m.factcheck]: m.score
            for m in match_claims(index, claims, vecs, rr(), replace(MatchConfig(), fill_score=0.0, top_k=30))[target]}
    alone_first = {name[m.factcheck]: m.score for m in first}
    assert alone_first.get("us-arms-isis", 0.0) < far["us-arms-isis"] < near["us-arms-isis"]
    alone = match_claims(index, claims[:1], vecs[:1], rr(), MatchConfig())[target]
    assert [(m.factcheck, m.score) for m in alone] == [(m.factcheck, m.score) for m in first]
    store.close()


def test_document_votes_grow_with_the_log_of_the_votes_and_read_the_date() -> None:
    """The shipped document votes (session 29): each further vote adds less than the one before (a long article's many
    claims cannot flood a claim's top 3 as session 28's linear votes did), a case within 30 days of the article is
    raised, but (session 30) by less than two other claims' votes, a claim without votes or date keeps its score; the weights file round-trips and a bad one is refused."""
    from tracewire.corpus.factcheck import NO_VOTES, DocVotes, shipped_votes, votes_bytes, votes_from_json

    v = shipped_votes()
    steps = [v.boost(n + 1, 1.0, None) - v.boost(n, 1.0, None) for n in range(8)]
    assert all(a > b > 0 for a, b in zip(steps, steps[1:], strict=False))
    assert v.boost(8, 1.0, None) < 0.65 * 8  # session 28's linear weight
    assert v.boost(0, 1.0, None) == 0.0 and v.boost(0, 1.0, 12) > 0.0 and v.boost(0, 1.0, 31) == 0.0
    # session 30: the date weight halved (3.319 -> 1.660, chosen by cross-validation on the dev set's 'choose' half):
    # a case dated near the article but voted for by no other claim no longer outweighs one that two other claims
    # vote for (fc19's audit: the date term raised wrong near-date cases, 0.012 -> 0.867)
    assert v.boost(0, 1.0, 12) < v.boost(2, 1.0, None)
    assert v.boost(2, 1.0, 12) - v.boost(2, 1.0, None) < 2.0
    assert votes_from_json(votes_bytes()) == v and votes_from_json(v.to_json()) == v
    assert not NO_VOTES.on and votes_from_json(NO_VOTES.to_json()) == NO_VOTES
    with pytest.raises(ValueError, match="unknown terms"):
        DocVotes(0.5, 10, "", (("share", 1.0),))
    with pytest.raises(ValueError, match="must not be negative"):
        DocVotes(0.0, 10, "", (("log_votes", -1.0),))
    with pytest.raises(ValueError, match="refit"):
        votes_from_json('{"features": ["first_stage_logit", "doc_votes", "share"], "coef": [1, 0, 1], "top": 10}')
