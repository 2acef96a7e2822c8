"""Which part of each shared dataset is training, development (gated) and held out (printed only).

The one place that names the evaluation splits. ``make test`` (the gates in ``eval/gate_*.py``)
reads development data only; held-out figures come from the eval scripts, run by hand for the
closing note. Rules, fixed before any figure was looked at:

- PolNeAR: gates read the official ``dev`` split; ``test`` is held out.
- CheckThat! 2019 Task 1: the 4 training debates whose names have the smallest SHA-256
  (``CHECKTHAT_DEV_DEBATES``) are the development fold; the shipped model trains on the other 15
  (``eval/train_checkworthy.py``); the annotated test debates are held out.
- PTC: the 297 training articles (all but the 74 listed as held out) split by
  ``sha256("ptc-dev:" + id) % 5 == 0`` into 62 development articles (``eval/data/ptc_dev_ids.txt``)
  and 235 on which ``eval/train_techniques.py`` trains; the 74 are held out.
- CheckThat! 2020 Task 2: the re-ranker of fact-check matching trains on the ``train`` tweets of
  ``data/v3.zip`` and is tuned on its ``dev`` tweets (gated by ``eval/gate_factchecks.py``); the
  200 tweets of ``test-input/`` are held out (``eval/factcheck_retrieval.py test``).
- GeoWebNews and TR-News: an article is development when ``sha256("geo-half:" + id)`` is even,
  else held out (``geo_half``). Both halves live in one XML file per corpus, so the loaders drop
  the held-out half while parsing unless ``eval/geoparsing.py`` asks for it.
- FA-KES claim pairs (``eval/narratives_real``): a pair is development when the first byte of
  ``sha256("fakes\t" + a + offsets + b + offsets)`` is even, else held out (stored in each pair's
  ``split``); ``eval/narratives.py`` refuses the held-out half under the test run.

``refuse_under_gates`` raises when a held-out split is requested while
``TRACEWIRE_NO_TEST_SPLITS`` is set (tests/conftest.py sets it for every pytest run), and
``TEST_SPLIT_MARKERS`` lists the path fragments that tests/conftest.py refuses to open.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENV_GUARD = "TRACEWIRE_NO_TEST_SPLITS"

POLNEAR_DEV = "dev"
POLNEAR_HELD_OUT = "test"
CHECKTHAT_TRAIN = "training"
CHECKTHAT_HELD_OUT = "test_annotated"
CHECKTHAT_DEV_DEBATES = ("20160226_10_gop", "20161010_2pres", "20170928_trump_tax", "20180916_trump_miami")
PTC_HELD_OUT_LIST = "eval-ids.txt"
CHECKTHAT2020_HELD_OUT = "test-input"  # CheckThat! 2020 Task 2: the 200 test tweets; train+dev (data/v3.zip) for the rest
PTC_DEV_IDS = HERE / "data" / "ptc_dev_ids.txt"

# path fragments (``/`` separators) of held-out data; a test that opens one fails
TEST_SPLIT_MARKERS = (
    "polnear/data/" + POLNEAR_HELD_OUT + "/",
    "checkthat2019-task1/data/" + CHECKTHAT_HELD_OUT,
    "checkthat2020-task2/" + CHECKTHAT2020_HELD_OUT,
    "ptc/" + PTC_HELD_OUT_LIST,
)
# words that name a held-out split (the repository's stop hook greps tests/ and eval/gate_* for them)
HELD_OUT_WORDS = ("polnear/data/" + POLNEAR_HELD_OUT, CHECKTHAT_HELD_OUT, "test-input", PTC_HELD_OUT_LIST.removesuffix(".txt"))


class HeldOutSplitError(PermissionError):
    """A held-out evaluation split was requested where only development data may be read."""


def shared_dir() -> Path:
    """The ../shared folder beside the checkout, or ``$TRACEWIRE_SHARED``."""
    return Path(os.environ.get("TRACEWIRE_SHARED", ROOT.parent / "shared"))


def refuse_under_gates(what: str) -> None:
    """Raise HeldOutSplitError when ``what`` (a held-out split) is read during the test run."""
    if os.environ.get(ENV_GUARD):
        raise HeldOutSplitError(
            f"TW901 {what} is a held-out split and {ENV_GUARD} is set (pytest/make test): gates read "
            f"development data only; print held-out figures with the eval scripts instead (eval/splits.py)"
        )


def checkthat_dev_rule(names: list[str]) -> tuple[str, ...]:
    """The 4 debate names with the smallest SHA-256: the rule behind CHECKTHAT_DEV_DEBATES."""
    return tuple(sorted(sorted(names, key=lambda n: hashlib.sha256(n.encode()).hexdigest())[:4]))


def ptc_is_dev(article_id: str) -> bool:
    """True for the PTC training articles that form the development fold."""
    return int(hashlib.sha256(f"ptc-dev:{article_id}".encode()).hexdigest(), 16) % 5 == 0


def ptc_dev_ids() -> tuple[str, ...]:
    """The development fold of PTC training article ids, as listed in eval/data/ptc_dev_ids.txt."""
    lines = PTC_DEV_IDS.read_text(encoding="utf-8").splitlines()
    return tuple(x.strip() for x in lines if x.strip() and not x.startswith("#"))


def geo_half(article_id: str) -> str:
    """``"dev"`` or ``"heldout"``: the half of GeoWebNews / TR-News an article belongs to."""
    return "dev" if int(hashlib.sha256(f"geo-half:{article_id}".encode()).hexdigest(), 16) % 2 == 0 else "heldout"


_OTHER_TASKS: list[str] = []  # tasks now reading plain article texts for labels of their own


@contextmanager
def texts_for_another_task(task: str) -> Iterator[None]:
    """Let ``task`` read the plain article texts of held-out splits while it runs.

    The reuse pairs of eval/reuse_real/ are labels of our own on PolNeAR and PTC articles, a task
    those corpora's splits say nothing about; a plain text without its annotation cannot score
    attribution or techniques. Annotation files and the held-out id lists stay refused.
    """
    _OTHER_TASKS.append(task)
    try:
        yield
    finally:
        _OTHER_TASKS.remove(task)


def _plain_article_text(p: str) -> bool:
    """True for a PolNeAR or PTC article's text file (no annotation in it)."""
    return (("/polnear/data/" in p and "/text/" in p) or "/ptc/train-articles/article" in p) and p.endswith(".txt")


def is_test_split_path(path: str, ptc_dev: frozenset[str]) -> bool:
    """True when ``path`` lies in a held-out split (PTC: any article outside ``ptc_dev``, the dev fold)."""
    p = path.replace(os.sep, "/")
    if _OTHER_TASKS and _plain_article_text(p):
        return False
    if any(m in p for m in TEST_SPLIT_MARKERS):
        return True
    if "/ptc/train-articles/article" in p and p.endswith(".txt"):
        return p.rsplit("/article", 1)[1].removesuffix(".txt") not in ptc_dev
    return False
