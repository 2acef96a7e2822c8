"""The README documents every setting, command, rejection code and export kind."""

from __future__ import annotations

from tests.conftest import ROOT
from tracewire.cli import COMMANDS
from tracewire.errors import REJECTION_TITLES
from tracewire.export import EXPORTS
from tracewire.settings import SETTINGS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_settings_documented() -> None:
    """Each setting's environment variable is in the README's settings table."""
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in README]
    assert not missing, f"undocumented settings: {missing}"


def test_commands_documented() -> None:
    """Each CLI command has an example in the README."""
    missing = [c for c in COMMANDS if f"tracewire {c}" not in README]
    assert not missing, f"undocumented commands: {missing}"


def test_rejection_codes_documented() -> None:
    """Each rejection code is in the README's table."""
    missing = [c for c in REJECTION_TITLES if c.startswith("TW1") and f"| {c} |" not in README]
    assert not missing, f"undocumented rejection codes: {missing}"


def test_export_kinds_documented() -> None:
    """Each export kind's record format is described."""
    missing = [k for k in EXPORTS if f"- `{k}`:" not in README]
    assert not missing, f"undocumented export kinds: {missing}"


def test_two_commands() -> None:
    """The README keeps the two fresh-machine commands."""
    assert "make demo" in README and "make test" in README
