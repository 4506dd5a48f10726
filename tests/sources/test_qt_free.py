"""The sources are part of the Qt-free core: importing and using them loads no Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_sources_never_import_qt():
    code = (
        "import sys\n"
        "from playground.sources import open_source\n"
        "with open_source('demo') as s: s.read()\n"
        "with open_source('sample:city') as s: s.read()\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'pyqtgraph'))\n"
        "print(qt)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
