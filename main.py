"""Start Kernel Playground: ``python main.py [--backend auto|numpy|cupy] [--screenshot PATH]``."""

from playground.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
