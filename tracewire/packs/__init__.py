"""Domain packs: folders of user-extendable data files (TOML, TSV) found by name or path.

A pack is named either by a bundled pack name (``"syria"``, a folder next to this file) or by a
folder path. ``core`` is always loaded first when it exists, so a general lexicon can be extended
by a domain pack. The ``pack`` setting (``TRACEWIRE_PACK``) lists packs, comma-separated.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Code, UsageError

if TYPE_CHECKING:
    from ..pipeline import Resources

BUNDLED = Path(__file__).resolve().parent


def pack_dirs(names: Sequence[str]) -> list[Path]:
    """Folders of the packs ``names`` (bundled names or folder paths), ``core`` first when bundled."""
    out: list[Path] = []
    core = BUNDLED / "core"
    if core.is_dir():
        out.append(core)
    for name in names:
        name = name.strip()
        if not name:
            continue
        bundled = BUNDLED / name
        path = bundled if bundled.is_dir() and "/" not in name else Path(name).expanduser()
        if not path.is_dir():
            known = ", ".join(sorted(p.name for p in BUNDLED.iterdir() if p.is_dir() and p.name[0] != "_"))
            raise UsageError(
                f"Pack {name!r} is neither a bundled pack ({known}) nor a folder. "
                "Set TRACEWIRE_PACK to bundled names or folder paths, comma-separated.",
                Code.TW002,
            )
        if path.resolve() not in [p.resolve() for p in out]:
            out.append(path)
    return out


def load_toml(names: Sequence[str], filename: str) -> list[dict[str, Any]]:
    """Each active pack's parsed ``filename`` (packs without the file are skipped), in pack order."""
    out: list[dict[str, Any]] = []
    for d in pack_dirs(names):
        f = d / filename
        if not f.is_file():
            continue
        try:
            with f.open("rb") as fh:
                out.append(tomllib.load(fh))
        except tomllib.TOMLDecodeError as e:
            raise UsageError(f"Pack file {f} is not valid TOML: {e}. Fix the file or remove it.", Code.TW002) from e
    return out


def load_pack_file(res: Resources, filename: str) -> list[dict[str, Any]]:
    """``load_toml`` for the packs active in ``res``, cached in ``res`` for the process."""
    loaded: list[dict[str, Any]] = res.get(f"pack:{filename}", lambda: load_toml(res.packs, filename))
    return loaded
