"""The web and report packages keep their layout: one job per file, the report apart from the server, no env reads."""

from __future__ import annotations

from tests.conftest import ROOT
from tests.imports import imported

PACKAGE = ROOT / "tracewire"
SERVER_MODULES = {"tracewire.web.app", "tracewire.web.server", "tracewire.web.security", "tracewire.web.db",
                  "tracewire.web.cache"}


def test_report_does_not_import_the_server() -> None:
    for path in sorted((PACKAGE / "report").glob("*.py")):
        assert not imported(path) & SERVER_MODULES, path


def test_web_and_report_read_no_environment_variables() -> None:
    for path in sorted([*(PACKAGE / "web").glob("*.py"), *(PACKAGE / "report").glob("*.py")]):
        text = path.read_text(encoding="utf-8")
        assert "os.environ" not in text and "getenv" not in text, f"{path}: read settings through tracewire.settings"


def test_dev_scripts_are_outside_the_package() -> None:
    assert not list(PACKAGE.rglob("make_*.py"))
    assert (ROOT / "tools" / "make_basemap.py").exists() and (ROOT / "tools" / "make_pdf.py").exists()
