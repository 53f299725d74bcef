"""``python -m bot`` is ``billing-bot``."""

import sys

from bot.cli import main

sys.exit(main())
