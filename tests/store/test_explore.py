"""The claims explorer's query language, folding, views and facets (store/explore.py) on the web fixture store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.fixtures import Fixture, build_store
from tracewire.errors import UsageError
from tracewire.store import explore
from tracewire.store.explore import Explore, Term, fts_match, parse_query, tokens
from tracewire.store.sqlite import SQLiteStore


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    """The web fixture corpus with its derived tables built."""
    fx: Fixture = build_store(tmp_path_factory.mktemp("explore") / "tw.db")
    s = SQLiteStore(fx.db)
    s.ensure_web_tables()
    return s


def test_tokens_fold_case_accents_and_spelling_variants() -> None:
    assert tokens("Ministry of DEFENCE, Ḥamāh's centre") == ["ministry", "of", "defense", "hamah", "s", "center"]


def test_query_language_words_or_phrases_prefixes_and_aliases() -> None:
    aliases = {"daesh": [("islamic", "state"), ("daesh",), ("isis",)]}
    q = parse_query('killed OR wounded "air strike" obs* Daesh', aliases)
    assert q == ((Term(("killed",)), Term(("wounded",))), (Term(("air", "strike")),), (Term(("obs",), prefix=True),),
                 (Term(("daesh",)), Term(("islamic", "state")), Term(("isis",))))
    assert fts_match(q) == ('("killed" OR "wounded") AND ("air strike") AND ("obs"*) AND '
                            '("daesh" OR "islamic state" OR "isis")')
    # an unclosed quote runs to the end; FTS syntax characters never reach FTS5 unquoted
    assert parse_query('") OR 1=1 --') == ((Term(("or", "1", "1")),),)
    assert parse_query("NEAR(a b) x:y") == ((Term(("near", "a")),), (Term(("b",)),), (Term(("x", "y")),))
    assert parse_query("OR OR") == () and parse_query("***") == ()


def test_pack_aliases_reach_other_names() -> None:
    aliases = explore.alias_groups(("syria",))
    assert ("at", "tanf") in aliases["tanf"] and ("isis",) in aliases["daesh"]
    assert "us" not in aliases  # two-letter capitals are too ambiguous once folded


def test_views_read_and_check_their_parameters() -> None:
    view = Explore.from_params({"q": "tanf", "kind": "anonymous", "sort": "date", "order": "desc", "page": "2"})
    assert view.params() == {"q": "tanf", "kind": "anonymous", "sort": "date", "page": "2"}  # desc is date's default
    assert view.params(place="Al-Tanf") == {"q": "tanf", "kind": "anonymous", "place": "Al-Tanf", "sort": "date"}
    assert view.slug() == "claims_q-tanf_kind-anonymous_sort-date"
    for bad in ({"sort": "text"}, {"order": "up"}, {"size": "7"}, {"kind": "rumour"}, {"from": "March"}):
        with pytest.raises(UsageError):
            Explore.from_params(bad)


def test_facets_count_under_every_other_filter(store: SQLiteStore) -> None:
    everything = store.explore_view(Explore(), {})
    assert everything["total"] == 20
    anonymous = store.explore_view(Explore(selected={"kind": "anonymous"}), {})
    assert anonymous["total"] == 6 and {c["kind"] for c in anonymous["claims"]} == {"anonymous"}
    # the kind facet still offers the other kinds, with the counts they would give
    kinds = {v["value"]: v["count"] for v in anonymous["facets"]["kind"]["values"]}
    assert kinds == {v["value"]: v["count"] for v in everything["facets"]["kind"]["values"]}
    # other facets count only the anonymous claims
    assert sum(v["count"] for v in anonymous["facets"]["outlet"]["values"]) == 6


def test_search_sort_paging_and_export_agree(store: SQLiteStore) -> None:
    view = Explore(q="killed OR spokesman", sort="date", order="asc", size=25)
    page = store.explore_view(view, {})
    rows = list(store.explore_rows(view, {}))
    assert page["total"] == len(rows) == 7
    assert [c["claim_key"] for c in page["claims"]] == [r["claim_key"] for r in rows]
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)
    assert all("killed" in r["text"].lower() or "spokesman" in r["text"].lower() for r in rows)
    assert store.explore_view(Explore(sq="observatory"), {})["total"] == 3  # sources are searched apart


def test_untitled_documents_take_their_first_line(tmp_path: Path) -> None:
    assert explore.first_line("\n\n  First line here.\nSecond") == "First line here."
    assert explore.first_line("x" * 200).endswith("…") and len(explore.first_line("x" * 200)) == 120
    assert explore.readable_technique("Name_Calling,Labeling") == "Name calling, labeling"
