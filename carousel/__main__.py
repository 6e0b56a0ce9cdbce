"""``python -m carousel``: the same as the installed ``carousel`` command."""

import sys

from carousel.cli import main

sys.exit(main())
