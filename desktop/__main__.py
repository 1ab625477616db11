"""`python -m desktop` starts Comptoir, exactly like `python main.py`."""

import sys

from desktop.bootstrap import main

sys.exit(main())
