"""bench/analyze.py's model-size table: what each component ships and declares, in bytes on disk."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from tracewire import pipeline
from tracewire.analyze import techniques_minilm, techniques_tc_minilm

ROOT = Path(__file__).resolve().parents[2]


def _bench_analyze() -> Any:
    """bench/analyze.py loaded as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("bench_analyze", ROOT / "bench" / "analyze.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_analyze"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_techniques_size_counts_both_minilm_models_and_stays_under_the_limit() -> None:
    """The techniques component's shipped size holds the MiniLM tagger and span classifier files (and
    the linear model), and stays under issue 12's 100 MB; a component without models weighs 0."""
    mod = _bench_analyze()
    sizes = {name: (shipped, dists) for name, shipped, dists in
             mod.model_sizes(pipeline.build(("tracewire.parse.v1", "tracewire.sentences.v1",
                                             "tracewire.techniques.v1")))}
    both = sum(f.stat().st_size for f in (Path(str(techniques_minilm.files()[0])),
                                          Path(str(techniques_tc_minilm.files()[0]))))
    shipped, dists = sizes["tracewire.techniques.v1"]
    assert both < shipped < 100_000_000
    assert dists > 0  # the installed MiniLM wheel and onnxruntime it declares
    assert sizes["tracewire.sentences.v1"] == (0, 0)
