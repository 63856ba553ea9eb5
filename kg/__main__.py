"""``python -m kg`` runs the ``aco-kg`` command."""

import sys

from kg.cli import main

sys.exit(main())
