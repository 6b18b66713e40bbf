"""`python -m bot` is the same as the `vdwbot` command."""

import sys

from bot.cli import main

sys.exit(main())
