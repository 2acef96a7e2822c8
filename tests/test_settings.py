"""Typed settings read once, and the rule that only settings.py reads the environment."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.imports import imported
from tracewire import settings
from tracewire.errors import UsageError
from tracewire.settings import SETTINGS, Setting

PACKAGE = ROOT / "tracewire"

_ENV_ATTRS = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}
_VAR = re.compile(r"^TRACEWIRE_[A-Z0-9_]*$")


def test_types_come_from_the_defaults() -> None:
    """Each setting parses its variable to its default's type; a bad value is a coded error naming it."""
    env = {"TRACEWIRE_WORKERS": "3", "TRACEWIRE_MAX_FILE_MB": "0.5", "TRACEWIRE_PACK": "syria, /tmp/my pack ,",
           "TRACEWIRE_TOKEN": "s3cret"}
    cfg = settings.load(env)
    assert cfg["workers"] == 3 and isinstance(cfg["workers"], int)
    assert cfg["max_file_mb"] == 0.5
    assert cfg.packs() == ("syria", "/tmp/my pack")
    assert cfg["token"] == "s3cret" and cfg["db"] == "tracewire.db"
    assert settings.load({}).packs() == ("syria",)
    with pytest.raises(UsageError, match=r"TW002.*TRACEWIRE_WORKERS='two'"):
        settings.load({"TRACEWIRE_WORKERS": "two"})
    flag = Setting("flag", False, "a switch")
    assert flag.parse("yes") is True and flag.parse("0") is False and flag.type is bool
    with pytest.raises(UsageError, match="true or false"):
        flag.parse("maybe")
    with pytest.raises(UsageError, match="Unknown setting 'pakc'"):
        cfg["pakc"]


def test_hand_off_reaches_a_later_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` hands settings to processes it spawns through hand_off; load() there reads them."""
    monkeypatch.delenv("TRACEWIRE_WEB_DB", raising=False)
    settings.hand_off(web_db="/data/tw.db")
    try:
        assert settings.load()["web_db"] == "/data/tw.db"
    finally:
        settings.hand_off(web_db=None)
    assert settings.load()["web_db"] == ""


def test_every_setting_has_help_and_a_typed_default() -> None:
    """Datasette's shape: name, default, help; defaults are int, float, bool, str or a tuple of str."""
    for s in SETTINGS:
        assert s.help and s.name == s.name.lower()
        assert isinstance(s.default, int | float | bool | str | tuple), s.name


def _offences(path: Path) -> list[str]:
    """Places in one module that read the environment or name a TRACEWIRE_ variable in code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    found: list[str] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute) and node.attr in _ENV_ATTRS:
            found.append(f"{line}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and any(a.name in _ENV_ATTRS for a in node.names):
            found.append(f"{line}: from os import {', '.join(a.name for a in node.names)}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            # a string that is (or starts) a variable name is code reading one; a sentence that
            # mentions $TRACEWIRE_PACK in an error or help text tells the user which one to set
            if _VAR.match(node.value) or node.value.startswith("TRACEWIRE_"):
                found.append(f"{line}: {node.value!r}")
    return found


def test_only_settings_reads_the_environment() -> None:
    """No module but settings.py reads os.environ (or getenv) or names a TRACEWIRE_ variable in code."""
    offenders: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "tracewire/settings.py":
            continue
        found = _offences(path)
        if found:
            offenders[rel] = found
    assert not offenders, f"read settings through tracewire.settings instead: {offenders}"


def test_the_scan_catches_what_it_should(tmp_path: Path) -> None:
    """The scanner flags environ, getenv, imported environ and variable names; not help sentences."""
    bad = tmp_path / "bad.py"
    bad.write_text('"""Reads $TRACEWIRE_DB."""\nimport os\nfrom os import environ\n'
                   'a = os.environ.get("TRACEWIRE_DB")\nb = os.getenv("X")\nc = f"TRACEWIRE_{a}"\n'
                   'd = "set TRACEWIRE_PACK to a folder"\n', encoding="utf-8")
    found = _offences(bad)
    assert len(found) == 5, found
    assert not any("set TRACEWIRE_PACK" in f or "Reads" in f for f in found)


def test_pipeline_and_parse_do_not_import_each_other() -> None:
    """LAYOUT PART 2: parse uses the pipeline's Component; the pipeline knows parse only by registered name."""
    assert "tracewire.pipeline" in imported(PACKAGE / "analyze" / "parse.py")
    assert not {m for m in imported(PACKAGE / "pipeline.py") if m.startswith("tracewire.analyze")}


def test_a_misspelt_setting_warns_but_the_harness_variables_do_not(caplog: pytest.LogCaptureFixture) -> None:
    """TRACEWIRE_WORKER (a typo) is named in a warning; the test and eval harness's own variables are not."""
    with caplog.at_level("WARNING", logger=settings.log.name):
        settings.load({"TRACEWIRE_WORKER": "2", "TRACEWIRE_SHARED": "/data", "TRACEWIRE_REQUIRE_SHARED": "1"})
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "TRACEWIRE_WORKER'" in warned
    assert "TRACEWIRE_SHARED'" not in warned and "TRACEWIRE_REQUIRE_SHARED'" not in warned
