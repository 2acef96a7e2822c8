"""Ordered, named per-document components and ``analyze_document``.

A component is a plain callable ``(document, analysis, resources) -> None`` that reads the
layers it ``requires`` from the Analysis and adds the layers it ``provides``. It also names the
pack files and model files it reads, which go into its analysis signature (``signatures.py``).
Components are registered under a versioned name and imported lazily, so importing tracewire
loads no model; this module imports no component.
"""

from __future__ import annotations

import gc
import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import settings
from .errors import Code, PipelineError
from .records import ActorMention, Claim, Document, DocumentAnalysis, Place, Quantity, Span, Technique

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Analysis:
    """Everything the per-document components found in one document."""

    doc: Document
    layers: set[str] = field(default_factory=set)
    parsed: Any = None  # spaCy Doc, not exported
    sentences: list[Span] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    techniques: list[Technique] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def record(self) -> DocumentAnalysis:
        """The results as a frozen record for the store (the parse tree stays behind)."""
        return DocumentAnalysis(
            doc=self.doc, sentences=tuple(self.sentences), claims=tuple(self.claims),
            quantities=tuple(self.quantities), actors=tuple(self.actors), places=tuple(self.places),
            techniques=tuple(self.techniques), errors=tuple(self.errors),
        )


ComponentFunc = Callable[[Document, Analysis, "Resources"], None]
BatchFunc = Callable[[Sequence[Document], Sequence[Analysis], "Resources"], None]


@dataclass(frozen=True, slots=True)
class Component:
    """A registered analysis step: the layers it reads and writes, the pack and model files it reads.

    ``packs`` are file names looked up in every active pack (``"gazetteer.tsv"``); ``models`` are
    ``"dist:NAME"`` or ``"package:path"`` specs (see ``signatures.model_hash``). ``batch``, when
    given, does the same work as ``func`` over several documents at once (spaCy's ``nlp.pipe``).
    """

    name: str
    func: ComponentFunc
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    packs: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    batch: BatchFunc | None = None


class Resources:
    """Models and packs loaded once per process and shared by components (no globals).

    ``packs`` are bundled pack names or folder paths; None takes them from the ``pack`` setting.
    """

    def __init__(self, packs: Sequence[str] | None = None) -> None:
        self.packs = settings.packs() if packs is None else tuple(packs)
        self._cache: dict[str, Any] = {}

    def get(self, key: str, loader: Callable[[], Any]) -> Any:
        """Return resource ``key``, loading it with ``loader`` on first use in this process."""
        if key not in self._cache:
            # what is loaded lives as long as the process: building its million objects (spaCy, the
            # gazetteer) would set off full garbage collections that scan them in vain, and so would
            # every later one, so collection waits for the load and the result is frozen out of it
            enabled = gc.isenabled()
            gc.disable()
            try:
                self._cache[key] = loader()
            finally:
                if enabled:
                    gc.enable()
            gc.freeze()
        return self._cache[key]


# name -> "module:attribute" of a Component; imported only when a pipeline is built.
REGISTRY: dict[str, str] = {
    "tracewire.parse.v1": "tracewire.analyze.parse:parse_component",
    "tracewire.sentences.v1": "tracewire.analyze.sentences:component",
    "tracewire.claims.v1": "tracewire.analyze.claims:component",
    "tracewire.attribution.v1": "tracewire.analyze.attribution:component",
    "tracewire.hedges.v1": "tracewire.analyze.hedges:component",
    "tracewire.quantities.v1": "tracewire.analyze.quantities:component",
    "tracewire.actors.v1": "tracewire.analyze.actors:component",
    "tracewire.places.v1": "tracewire.analyze.places:component",
    "tracewire.techniques.v1": "tracewire.analyze.techniques:component",
}

# The order `tracewire analyze` runs; build() checks that each requirement comes earlier.
DEFAULT_PIPELINE: tuple[str, ...] = (
    "tracewire.parse.v1",
    "tracewire.sentences.v1",
    "tracewire.claims.v1",
    "tracewire.attribution.v1",
    "tracewire.hedges.v1",
    "tracewire.quantities.v1",
    "tracewire.actors.v1",
    "tracewire.places.v1",
    "tracewire.techniques.v1",
)


def register(name: str, target: str) -> None:
    """Register a component by versioned name and ``module:attribute`` path."""
    REGISTRY[name] = target


def load_component(name: str) -> Component:
    """Import and return the component registered as ``name``."""
    try:
        target = REGISTRY[name]
    except KeyError as e:
        known = ", ".join(sorted(REGISTRY)) or "(none)"
        raise PipelineError(f"Unknown component {name!r}. Known components: {known}.") from e
    module_name, _, attr = target.partition(":")
    comp = getattr(importlib.import_module(module_name), attr)
    if not isinstance(comp, Component):
        raise PipelineError(f"{target} is not a tracewire Component", Code.TW301)
    return comp


def build(names: Sequence[str] | None = None) -> list[Component]:
    """Load components in order and check each one's requirements are provided earlier."""
    comps = [load_component(n) for n in (DEFAULT_PIPELINE if names is None else names)]
    available: set[str] = set()
    for c in comps:
        missing = [r for r in c.requires if r not in available]
        if missing:
            raise PipelineError(
                f"Component {c.name!r} needs {missing} but no earlier component provides it. "
                f"Put a component providing {missing[0]!r} before {c.name!r}."
            )
        available.update(c.provides)
    return comps


def analyze_documents(docs: Sequence[Document], comps: Sequence[Component], res: Resources) -> list[Analysis]:
    """Analyse a batch; a first component with a ``batch`` function (the spaCy parse) runs once over it."""
    first = comps[0] if comps else None
    if first is None or first.batch is None:
        return [analyze_document(d, comps, res) for d in docs]
    anas = [Analysis(doc=d) for d in docs]
    try:
        first.batch(docs, anas, res)
    except Exception:  # fall back to one by one, so one bad text fails alone
        return [analyze_document(d, comps, res) for d in docs]
    for ana in anas:
        ana.layers.update(first.provides)
    return [analyze_document(d, comps[1:], res, ana) for d, ana in zip(docs, anas, strict=True)]


def analyze_document(
    doc: Document, comps: Sequence[Component], res: Resources, ana: Analysis | None = None
) -> Analysis:
    """Run components over one document; a failing component is recorded, not raised."""
    ana = ana if ana is not None else Analysis(doc=doc)
    for c in comps:
        if any(r not in ana.layers for r in c.requires):
            ana.errors.append(f"{Code.TW302.value} {c.name}: skipped, a required layer failed")
            continue
        try:
            c.func(doc, ana, res)
        except Exception as e:  # one bad document must not stop a batch
            log.warning("component %s failed on %s: %s", c.name, doc.id, e)
            ana.errors.append(f"{Code.TW302.value} {c.name}: {type(e).__name__}: {e}")
            continue
        ana.layers.update(c.provides)
    ana.parsed = None
    return ana
