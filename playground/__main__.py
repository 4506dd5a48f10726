"""``python -m playground``: same as ``python main.py``."""

from playground.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
