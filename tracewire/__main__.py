"""``python -m tracewire``, and the script spark-submit runs (absolute imports: it may run as a file)."""

import sys

from tracewire.cli import main

if __name__ == "__main__":
    sys.exit(main())
