"""The web and report packages keep their layout: one job per file, the report apart from the server, no env reads."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "tracewire"
SERVER_MODULES = {"tracewire.web.app", "tracewire.web.server", "tracewire.web.security", "tracewire.web.db",
                  "tracewire.web.cache"}


def imports(path: Path) -> set[str]:
    """The absolute names of the modules a file imports (relative imports resolved against its package)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)
    return found


def test_report_does_not_import_the_server() -> None:
    for path in sorted((PACKAGE / "report").glob("*.py")):
        assert not imports(path) & SERVER_MODULES, path


def test_web_and_report_read_no_environment_variables() -> None:
    for path in sorted([*(PACKAGE / "web").glob("*.py"), *(PACKAGE / "report").glob("*.py")]):
        text = path.read_text(encoding="utf-8")
        assert "os.environ" not in text and "getenv" not in text, f"{path}: read settings through tracewire.settings"


def test_dev_scripts_are_outside_the_package() -> None:
    assert not list(PACKAGE.rglob("make_*.py"))
    assert (ROOT / "tools" / "make_basemap.py").exists() and (ROOT / "tools" / "make_pdf.py").exists()
