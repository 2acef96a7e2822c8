"""The gazetteer's built copy in the model cache: the same places as a fresh build, keyed by every file the build reads."""

from __future__ import annotations

import dataclasses
import gzip
import os
import pathlib
from pathlib import Path
from typing import Any

import pytest

from tracewire.analyze import gazetteer as gz

NAMES = ["Aleppo", "Deir ez-Zor", "London", "Washington", "European", "Zhejiang", "Korean", "Syria", "Al-Tanf", "Homs"]


def _view(g: gz.Gazetteer) -> list[Any]:
    """What places make of the gazetteer for a few names: lookups and demonyms, as plain tuples."""
    out: list[Any] = []
    for name in NAMES:
        out.append([dataclasses.astuple(e) for e in g.lookup(name)])
        out.append([dataclasses.astuple(e) for e in g.demonyms.get(gz.name_key(name), [])])
    return out


def test_copy_answers_as_a_fresh_build_and_a_damaged_copy_is_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACEWIRE_MODEL_CACHE", str(tmp_path))
    built = gz.load_gazetteer(["syria"])  # no copy yet: built, then written
    (copy,) = tmp_path.glob("gazetteer-*.marshal")
    real_build = gz.build_gazetteer

    def no_build(packs: Any) -> gz.Gazetteer:
        raise AssertionError("built again although its copy was there")

    monkeypatch.setattr(gz, "build_gazetteer", no_build)
    read = gz.load_gazetteer(["syria"])  # read back from the copy
    assert _view(read) == _view(built)
    assert read.lookup("Aleppo") and read.demonyms.get(gz.name_key("European"))
    monkeypatch.setattr(gz, "build_gazetteer", real_build)
    copy.write_bytes(b"\x00not marshal")
    again = gz.load_gazetteer(["syria"])  # unreadable: built afresh, and the copy written whole again
    assert _view(again) == _view(built)
    assert _view(gz.load_gazetteer(["syria"])) == _view(built)


def test_the_copy_is_keyed_by_every_file_the_build_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    read: set[Path] = set()
    real_text, real_bytes, real_gzip = pathlib.Path.read_text, pathlib.Path.read_bytes, gzip.open

    def text(self: Path, *a: Any, **k: Any) -> str:
        read.add(Path(self).resolve())
        return real_text(self, *a, **k)

    def raw(self: Path) -> bytes:
        read.add(Path(self).resolve())
        return real_bytes(self)

    def gzopen(path: Any, *a: Any, **k: Any) -> Any:
        read.add(Path(path).resolve())
        return real_gzip(path, *a, **k)

    monkeypatch.setattr(pathlib.Path, "read_text", text)
    monkeypatch.setattr(pathlib.Path, "read_bytes", raw)
    monkeypatch.setattr(gz.gzip, "open", gzopen)
    gz.build_gazetteer(["syria"])
    monkeypatch.undo()
    keyed = {p.resolve() for p in gz.build_inputs(["syria"])}
    assert read, "the build read no file: the recorder missed how it reads"
    assert read <= keyed, f"read by the build but not in the copy's key: {sorted(map(str, read - keyed))}"


def test_writing_a_copy_keeps_only_the_most_recently_used_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACEWIRE_MODEL_CACHE", str(tmp_path))
    stale = []
    for i in range(gz.KEEP_COPIES + 2):  # copies of older code versions, oldest first
        p = tmp_path / f"gazetteer-{i:016x}.marshal"
        p.write_bytes(b"old")
        stale.append(p)
        os.utime(p, (1_000_000 + i, 1_000_000 + i))
    os.utime(stale[0], (2_000_000, 2_000_000))  # the oldest file was read most recently: kept
    other = tmp_path / "all-minilm-l6-v2-0000000000000000.onnx"
    other.write_bytes(b"model")
    gz.load_gazetteer(["syria"])  # builds and writes this version's copy, then prunes
    left = sorted(p.name for p in tmp_path.glob("gazetteer-*.marshal"))
    assert len(left) == gz.KEEP_COPIES
    assert stale[0].name in left and stale[-1].name in left and stale[1].name not in left
    assert other.exists(), "pruning touched a file that is not a gazetteer copy"
