"""The bundled demo corpus (fictional outlets and events) and ``run_demo``."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import REJECTION_TITLES


@dataclass(slots=True)
class DemoResult:
    """Paths and summary lines of a demo run."""

    db: Path
    report: Path | None
    lines: list[str] = field(default_factory=list)


def corpus_dir() -> Path:
    """Folder of the bundled demo corpus inside the installed package."""
    return Path(str(resources.files("tracewire.demo").joinpath("corpus")))


def answers_path() -> Path:
    """The answers file stating the truth about the demo corpus."""
    return Path(str(resources.files("tracewire.demo").joinpath("answers.toml")))


def run_demo(
    out: Path, progress_factory: Callable[[str], AbstractContextManager[Any]] | None = None
) -> DemoResult:
    """Ingest and analyse the demo corpus into ``out``/tracewire.db and write the report."""
    from contextlib import nullcontext

    from ..engines.local import analyze_store, describe
    from ..ingest import ingest
    from ..report import build_report
    from ..store import SQLiteStore

    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    db = out / "tracewire.db"
    bar = progress_factory or (lambda _label: nullcontext(None))
    store = SQLiteStore(db)
    result = DemoResult(db=db, report=None)
    lines = result.lines
    try:
        with bar("ingest") as p:
            s = ingest([corpus_dir()], store, progress=p)
        c = s.counts
        docs = store.count_documents()
        lines.append(f"demo corpus: {corpus_dir()}")
        lines.append(f"ingested {c.ingested} new documents ({docs} in the store, "
                     f"{c.unchanged + s.unchanged_inputs} unchanged); rejected {len(s.rejections)} inputs")
        stored = list(store.rejections())
        for r in stored:
            lines.append(f"  rejected {r.code} ({REJECTION_TITLES.get(r.code, '')}) {Path(r.path).name}: "
                         f"{r.message}")
        with bar("analyze") as p:
            a = analyze_store(store, progress=p)
        lines.append(f"analysed {a.analysed} documents ({a.up_to_date} already up to date)")
        for name, value in a.corpus.items():
            lines.append(f"  {name}: {describe(value)}")
    finally:
        store.close()
    result.report = Path(build_report(db, out / "report"))
    lines.append(f"report: {result.report}")
    lines.append(f"open it offline: file://{result.report}")
    lines.append(f"serve it: tracewire serve --db {db}   (then open http://127.0.0.1:8765/)")
    lines.append(f"database: {db} (explore with: tracewire export claims --db {db})")
    return result
