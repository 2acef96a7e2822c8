"""The gates share tests/conftest.py: its held-out guard also covers ``pytest eval/gate_*.py``."""

import tests.conftest  # noqa: F401  (installs the guard against held-out splits on import)
