"""Models as data: tracewire/models/NOTICE.txt gives every shipped model its corpus, licence and script."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "tracewire" / "models"


def test_notice_covers_every_model_file() -> None:
    """Each model file is named in the NOTICE, under an entry with its training corpus, licence and script."""
    notice = (MODELS / "NOTICE.txt").read_text(encoding="utf-8")
    files = [p.relative_to(MODELS).as_posix() for p in sorted(MODELS.rglob("*"))
             if p.is_file() and p.suffix not in (".py", ".pyc") and p.name != "NOTICE.txt"]
    assert files
    entries = re.split(r"\n(?=\S)", notice)
    for f in files:
        entry = next((e for e in entries if f in e.splitlines()[0]), None)
        assert entry is not None, f"{f} has no entry in tracewire/models/NOTICE.txt"
        assert "Trained on:" in entry and "Licence:" in entry, f
        script = re.search(r"Rebuild:\s+python (eval/\S+\.py)", entry)
        assert script and (ROOT / script.group(1)).is_file(), f


def test_geonames_attribution_in_readme_and_pages() -> None:
    """GeoNames data (CC BY 4.0) is attributed in the README and on every web/report page."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    base = (ROOT / "tracewire" / "web" / "templates" / "base.html").read_text(encoding="utf-8")
    for text in (readme, base):
        assert "GeoNames" in text and "CC BY 4.0" in text
