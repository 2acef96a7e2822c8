"""Python API: analyse one text without a database."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from . import settings
from .pipeline import Analysis, Resources, analyze_document, build
from .records import Document


def analyze_text(
    text: str,
    *,
    doc_id: str = "text",
    packs: Sequence[str] | None = None,
    resources: Resources | None = None,
) -> Analysis:
    """Run the default per-document pipeline over ``text`` and return its Analysis.

    Pass the same ``resources`` to several calls to load the models once; ``packs`` (bundled pack
    names or folder paths, default: the ``pack`` setting, $TRACEWIRE_PACK) is used only when
    ``resources`` is not given.
    """
    doc = Document(
        id=doc_id,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source_path="<text>",
    )
    res = resources if resources is not None else Resources(settings.packs() if packs is None else packs)
    return analyze_document(doc, build(), res)
