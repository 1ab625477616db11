"""Entry point: `python main.py [--data-dir DIR] [COMMAND …]` (see README)."""

import sys

from desktop.bootstrap import main

if __name__ == "__main__":
    sys.exit(main())
