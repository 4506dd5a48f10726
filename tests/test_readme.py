"""The README's engine example must run and print what the README says it does."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_example_runs_and_matches_its_comments():
    blocks = _python_blocks()
    assert blocks, "README.md lost its engine example"
    namespace: dict = {}
    exec(compile(blocks[0], str(README), "exec"), namespace)  # noqa: S102 - our own README
    conv2d, image, edge = namespace["conv2d"], namespace["image"], namespace["edge"]
    np.testing.assert_array_equal(conv2d(image, edge), np.tile([0, 30, 30, 0], (4, 1)))
    assert namespace["a1"].shape == (37, 37, 10)
    assert (namespace["a1"] >= 0).all()
    assert namespace["parts"].shape == (37, 37, 3, 10)
    assert namespace["conv_params"](3, 3, 10) == 280
    assert namespace["output_size"](7, 3, p=0, s=2) == 3
    assert namespace["same_padding"](6, 4) == (1, 2)
    assert namespace["pool2d"](namespace["a1"], 2).shape == (18, 18, 10)


def test_readme_holds_the_two_setup_commands_that_ci_runs():
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    test_command = 'python3 -m pip install -e ".[test]" && QT_QPA_PLATFORM=offscreen python3 -m pytest'
    assert test_command in text and test_command in ci
    assert "python3 -m pip install -e . && python3 main.py" in text
