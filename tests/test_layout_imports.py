"""Layout, checked on what Python really loads (transitively), not only on each file's own imports."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

SERVER_MODULES = {"tracewire.web.app", "tracewire.web.server", "tracewire.web.security", "tracewire.web.db",
                  "tracewire.web.cache"}


def _loaded(code: str) -> set[str]:
    """The tracewire modules a fresh interpreter has loaded after running ``code``."""
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith('tracewire'))))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_report_never_loads_the_server() -> None:
    """Every module of tracewire.report, with all it imports, leaves the server modules unloaded."""
    loaded = _loaded("import importlib, pkgutil, tracewire.report as r\n"
                     "for m in pkgutil.walk_packages(r.__path__, 'tracewire.report.'): importlib.import_module(m.name)")
    assert "tracewire.report.html" in loaded
    assert not loaded & SERVER_MODULES


def test_pipeline_loads_no_component() -> None:
    """The pipeline knows components by registered name: importing it loads no analyze module (parse included)."""
    loaded = _loaded("import tracewire.pipeline")
    assert "tracewire.pipeline" in loaded
    assert not {m for m in loaded if m.startswith("tracewire.analyze")}


def test_split_modules_keep_their_public_names() -> None:
    """attribution and techniques were split along their seams; callers still import from the old modules."""
    loaded = _loaded("from tracewire.analyze.attribution import CORE_CUES, CUES_PATH, find_all, find_learned, "
                     "lexicon, load_cues, quote_spans, component\n"
                     "from tracewire.analyze.techniques import LABELS, N_FEATURES, ArticleView, Lexicon, "
                     "TechniqueModel, article_view, detect_techniques, load_model, pack_files, span_features, "
                     "token_features, tokenize, component")
    assert {"tracewire.analyze.attribution_find", "tracewire.analyze.attribution_kinds",
            "tracewire.analyze.techniques_features", "tracewire.analyze.techniques_model"} <= loaded
