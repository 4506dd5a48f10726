"""The Qt shell: every PySide6 and pyqtgraph import lives in this package and only here.

Import :mod:`playground.ui.app` (or a window module) explicitly; this package
itself imports nothing, so ``import playground.ui`` is cheap.
"""
