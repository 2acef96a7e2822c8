"""Pack loading and the analyze_text API."""

from __future__ import annotations

from pathlib import Path

import pytest

import tracewire
from tracewire.errors import UsageError
from tracewire.packs import load_toml, pack_dirs
from tracewire.pipeline import Resources


def test_packs_by_name_and_path(tmp_path: Path) -> None:
    """Packs by name and path."""
    (tmp_path / "hedges.toml").write_text('hedges = ["per unverified footage"]\n', encoding="utf-8")
    dirs = pack_dirs(["syria", str(tmp_path)])
    assert [d.name for d in dirs] == ["core", "syria", tmp_path.name]
    files = load_toml(["syria", str(tmp_path)], "hedges.toml")
    assert len(files) == 3 and files[-1]["hedges"] == ["per unverified footage"]


def test_unknown_pack_names_the_fix() -> None:
    """Unknown pack names the fix."""
    with pytest.raises(UsageError, match="neither a bundled pack"):
        pack_dirs(["no-such-pack"])


def test_user_pack_extends_hedges(tmp_path: Path) -> None:
    """User pack extends hedges."""
    (tmp_path / "hedges.toml").write_text('hedges = ["per unverified footage"]\n', encoding="utf-8")
    ana = tracewire.analyze_text(
        "Per unverified footage, 30 fighters were killed near Raqqa on Monday.",
        packs=("syria", str(tmp_path)),
        resources=None,
    )
    assert [h.text for h in ana.claims[0].hedges] == ["Per unverified footage"]


def test_analyze_text_layers() -> None:
    """Analyze text layers."""
    ana = tracewire.analyze_text("Rebels shelled the airport on Monday, the army said.", doc_id="x", resources=Resources())
    assert ana.doc.id == "x" and {"sentences", "claims", "attribution", "hedges"} <= ana.layers
    assert ana.claims[0].attribution is not None and ana.claims[0].attribution.kind == "government_body"
