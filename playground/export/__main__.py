"""``python -m playground.export --source demo --out DIR``: the headless export (see :mod:`.cli`)."""

from playground.export.cli import main

raise SystemExit(main())
