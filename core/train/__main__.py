"""``python -m core.train``: see :mod:`core.train.cli`."""

import sys

from core.train.cli import main

sys.exit(main())
