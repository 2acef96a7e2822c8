"""Analysis signatures: what a component's output depends on, hashed, so that a change is seen.

A component's signature covers its versioned name, the hash of its code (its module and the
``tracewire.analyze`` modules that module imports, followed recursively), the hashes of the pack
files it reads (``Component.packs``, in every active pack) and of its model files
(``Component.models``). ``analyze`` stores the digest per document and component; when a digest
differs, the component and everything that reads its layers run again. The code hash is a
stand-in for "the code changed": an edit that changes nothing (a comment) also re-analyses, which
costs time but never leaves a stale result.

Model specs: ``"dist:NAME"`` is an installed distribution, hashed by its RECORD (the hash of every
installed file) or by its version; ``"package:path"`` is a file or folder inside an importable
package, hashed by content (``"package:"`` is the whole package folder).
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import importlib.metadata
import importlib.util
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import settings
from .errors import Code, PipelineError
from .packs import pack_dirs

if TYPE_CHECKING:
    from .pipeline import Component

_VERSION = re.compile(r"^(?P<key>.+)\.(?P<version>v\d+)$")


@dataclass(frozen=True, slots=True)
class Signature:
    """One component's identity for one configuration: versioned name and (part, sha256) pairs."""

    name: str
    parts: tuple[tuple[str, str], ...]

    @property
    def key(self) -> str:
        """The component without its version ("tracewire.places"): the layer slot it fills."""
        m = _VERSION.match(self.name)
        return m.group("key") if m else self.name

    @property
    def version(self) -> str:
        """The version suffix of the name ("v1"), or "" when the name has none."""
        m = _VERSION.match(self.name)
        return m.group("version") if m else ""

    @property
    def short(self) -> str:
        """The name people read in summaries ("places")."""
        return self.key.rsplit(".", 1)[-1]

    @property
    def digest(self) -> str:
        """sha256 over the name and every part."""
        blob = json.dumps([self.name, list(map(list, self.parts))], separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def to_json(self) -> str:
        """The parts as JSON, to keep beside the digest."""
        return json.dumps(dict(self.parts), sort_keys=True)

    @classmethod
    def from_json(cls, name: str, parts: str) -> Signature:
        """Rebuild a stored signature."""
        loaded: dict[str, str] = json.loads(parts)
        return cls(name, tuple(sorted(loaded.items())))


def changes(old: Signature, new: Signature) -> list[str]:
    """What differs between two signatures of one component, in words ("pack file syria/gazetteer.tsv")."""
    out: list[str] = []
    if old.name != new.name:
        out.append(f"version {old.version or old.name} -> {new.version or new.name}")
    a, b = dict(old.parts), dict(new.parts)
    for part in sorted(a.keys() | b.keys()):
        if a.get(part) == b.get(part):
            continue
        kind, _, what = part.partition(" ")
        label = {"code": "code", "pack": "pack file", "model": "model"}.get(kind, kind)
        state = " added" if part not in a else " removed" if part not in b else ""
        out.append(f"{label} {what}{state}")
    return out


def _sha(data: bytes) -> str:
    """sha256 hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _module_file(module: str) -> Path | None:
    """Source file of ``module`` without importing it (None when it has no source file)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ModuleNotFoundError, ValueError):  # a name imported from a module, not a module
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def code_files(module: str, scope: str | tuple[str, ...] = "tracewire.analyze") -> list[tuple[str, Path]]:
    """``module`` and the modules under ``scope`` (one package or module, or several) it imports,
    recursively: (module name, file)."""
    scopes = (scope,) if isinstance(scope, str) else scope
    seen: dict[str, Path] = {}
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _module_file(name)
        if path is None:
            continue
        seen[name] = path
        package = name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                targets = [base, *(f"{base}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            todo.extend(t for t in targets if any(t == x or t.startswith(x + ".") for x in scopes))
    return sorted(seen.items())


def _files_under(root: Path) -> Iterator[Path]:
    """Data files below ``root`` in a stable order (compiled caches left out)."""
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc":
            yield p


def model_hash(spec: str) -> str:
    """Hash of one model spec ("dist:NAME" or "package:path"); a coded error when it is missing."""
    kind, _, rest = spec.partition(":")
    if kind == "dist":
        try:
            dist = importlib.metadata.distribution(rest)
        except importlib.metadata.PackageNotFoundError as e:
            raise PipelineError(f"Model package {rest!r} is not installed. Install it (`make demo` installs "
                                "every model) or remove the component that needs it.", Code.TW301) from e
        record = dist.read_text("RECORD")
        return _sha(record.encode("utf-8")) if record else _sha(f"{rest}=={dist.version}".encode())
    found = importlib.util.find_spec(kind)
    if found is None or not found.submodule_search_locations:
        raise PipelineError(f"Model spec {spec!r}: {kind!r} is not an installed package. Use "
                            "'dist:NAME' or 'package:path'.", Code.TW301)
    root = Path(next(iter(found.submodule_search_locations))) / rest
    if root.is_file():
        return _sha(root.read_bytes())
    if not root.is_dir():
        raise PipelineError(f"Model spec {spec!r}: {root} does not exist. Reinstall tracewire.", Code.TW301)
    h = hashlib.sha256()
    for p in _files_under(root):
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + _sha(p.read_bytes()).encode())
    return h.hexdigest()


def code_parts(module: str, scope: str | tuple[str, ...]) -> dict[str, str]:
    """{"code NAME": sha256} of ``module`` and the modules under ``scope`` it imports (``code_files``)."""
    return {f"code {name}": _sha(path.read_bytes()) for name, path in code_files(module, scope)}


def pack_parts(packs: Sequence[str], filenames: Sequence[str]) -> dict[str, str]:
    """{"pack DIR/FILE": sha256} of each of ``filenames`` that a pack of ``packs`` holds."""
    parts: dict[str, str] = {}
    for d in pack_dirs(packs) if packs and filenames else []:
        for filename in filenames:
            f = d / filename
            if f.is_file():
                parts[f"pack {d.name}/{filename}"] = _sha(f.read_bytes())
    return parts


def config_part(config: Any) -> dict[str, str]:
    """{"config": sha256} of a settings dataclass, field by field."""
    return {"config": _sha(json.dumps(dataclasses.asdict(config), sort_keys=True, default=str).encode())}


def signature(comp: Component, packs: Sequence[str], cache: dict[str, str] | None = None) -> Signature:
    """The signature of ``comp`` run with the packs ``packs`` (bundled names or folder paths)."""
    memo: dict[str, str] = {} if cache is None else cache
    parts: dict[str, str] = {}
    for name, path in code_files(comp.func.__module__):
        parts[f"code {name}"] = memo.setdefault(str(path), _sha(path.read_bytes()))
    parts.update(pack_parts(packs, comp.packs))
    for spec in comp.models:
        if "{" in spec:  # "dist:{spacy_model}": the distribution a setting names
            kind, _, rest = spec.partition(":")
            spec = f"{kind}:" + str(settings.get(rest.strip("{}"))).replace("_", "-")
        if spec not in memo:
            memo[spec] = model_hash(spec)
        parts[f"model {spec}"] = memo[spec]
    return Signature(comp.name, tuple(sorted(parts.items())))


def signatures(comps: Sequence[Component], packs: Sequence[str]) -> dict[str, Signature]:
    """Signature of each component, by component name (files shared by several are hashed once)."""
    cache: dict[str, str] = {}
    return {c.name: signature(c, packs, cache) for c in comps}

