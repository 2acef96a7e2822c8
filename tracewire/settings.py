"""Every setting once: name, default, help. Environment variables override defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Setting:
    """One configurable value with its environment variable and documentation."""

    name: str
    default: str
    help: str

    @property
    def env(self) -> str:
        """Environment variable that overrides the default."""
        return "TRACEWIRE_" + self.name.upper()

    def get(self) -> str:
        """Current value: the environment variable when set, else the default."""
        return os.environ.get(self.env, self.default)


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "tracewire.db", "SQLite database file used when --db is absent."),
    Setting("max_file_mb", "50", "Inputs larger than this many megabytes are rejected with TW106."),
    Setting("batch_size", "200", "Documents written per database transaction during ingest."),
    Setting("pack", "syria", "Domain pack(s) to load, comma-separated names or folder paths."),
    Setting("workers", "1", "Worker processes for `analyze --engine local`."),
    Setting("token", "", "Access token for `serve` (16 characters or more); required on a non-loopback address."),
    Setting("token_file", "", "File holding the `serve` token (read when --token-file is absent)."),
    Setting("allow_hosts", "", "Extra Host names `serve` answers to, comma-separated (besides loopback and --host)."),
    Setting("web_db", "", "Set by `serve` for its worker processes: the store they open (not for users)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """Return the current value of setting ``name``."""
    try:
        return _BY_NAME[name].get()
    except KeyError as e:
        known = ", ".join(sorted(_BY_NAME))
        raise KeyError(f"Unknown setting {name!r}; known settings: {known}") from e


def hand_down(name: str, value: str) -> None:
    """Set setting ``name`` in this process's environment, so the processes it starts read ``value``."""
    if name not in _BY_NAME:
        get(name)  # raises the KeyError that lists the known settings
    os.environ[_BY_NAME[name].env] = value


def default_db() -> Path:
    """Database path: $TRACEWIRE_DB, else ./tracewire.db."""
    return Path(get("db"))


def max_file_bytes() -> int:
    """Size limit for one input file, in bytes."""
    return int(float(get("max_file_mb")) * 1024 * 1024)
