"""The command line, run as a user would: python main.py / python -m playground."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import playground

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args: str, module: bool = False, timeout: float = 120) -> subprocess.CompletedProcess:
    entry = ["-m", "playground"] if module else [str(REPO / "main.py")]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, *entry, *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


def assert_one_line_error(result: subprocess.CompletedProcess) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "error" in lines[0]


def test_version_from_main_py():
    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"kernel-playground {playground.__version__}"


def test_version_from_python_m_playground():
    result = run_cli("--version", module=True)
    assert result.returncode == 0, result.stderr
    assert playground.__version__ in result.stdout


def test_cupy_backend_without_gpu_is_a_one_line_error(has_gpu, tmp_path):
    if has_gpu:
        pytest.skip("a GPU is available here, so --backend cupy works")
    # --screenshot so that, should the backend wrongly succeed, the app exits instead of waiting.
    result = run_cli("--backend", "cupy", "--screenshot", str(tmp_path / "shot.png"))
    assert result.returncode == 2
    assert_one_line_error(result)
    assert "cupy" in result.stderr.lower()


def test_unknown_backend_is_refused_by_argparse():
    result = run_cli("--backend", "tpu")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "invalid choice" in result.stderr


def test_screenshot_into_missing_folder_is_a_one_line_error(tmp_path):
    result = run_cli("--screenshot", str(tmp_path / "no" / "such" / "shot.png"))
    assert result.returncode == 2
    assert_one_line_error(result)
    assert "does not exist" in result.stderr


def test_core_modules_do_not_import_qt():
    code = (
        "import sys, playground, playground.cli, playground.engine, playground.sources.demo\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
        "assert not qt, qt\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_app_runs_blas_single_threaded_so_engine_bands_do_not_oversubscribe():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    code = "import playground.cli, os; print(os.environ['OPENBLAS_NUM_THREADS'])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "1"
