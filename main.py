"""Start Kernel Playground: ``python main.py [--backend auto|numpy|cupy] [--screenshot PATH]``."""

if __name__ == "__main__":
    try:
        from playground.cli import main  # importing NumPy and OpenCV takes a while: Ctrl+C may come first

        code = main()
    except KeyboardInterrupt:
        code = 130
    raise SystemExit(code)
