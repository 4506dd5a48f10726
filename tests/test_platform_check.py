"""The check before Qt starts: missing xcb libraries become one message and exit code 2, not Qt's abort."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from playground.platform_check import (
    XCB_LIBRARIES,
    check_qt_platform,
    missing_libraries,
    missing_libraries_message,
    uses_xcb,
    xcb_plugin_path,
)

PLUGIN = Path("/site-packages/PySide6/Qt/plugins/platforms/libqxcb.so")

# ldd on a fresh Ubuntu desktop, abridged: three libraries the wheel does not bring.
LDD_FRESH = """\
\tlinux-vdso.so.1 (0x00007ffd2b5f1000)
\tlibQt6XcbQpa.so.6 => /site-packages/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x00007f)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)
\tlibxcb-icccm.so.4 => not found
"""
LDD_COMPLETE = "\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f)\n"
X11 = {"DISPLAY": ":0"}


def run_check(environ=X11, ldd=LDD_FRESH, platform="linux", plugin=PLUGIN, can_load=lambda soname: True):
    stream = io.StringIO()
    asked = []

    def run_ldd(path):
        asked.append(path)
        return ldd

    code = check_qt_platform(environ=environ, platform=platform, plugin=plugin, run_ldd=run_ldd,
                             can_load=can_load, stream=stream)
    return code, stream.getvalue(), asked


def test_missing_xcb_libraries_name_the_packages_and_exit_2():
    code, text, asked = run_check()
    assert code == 2 and asked == [PLUGIN]
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1\n" in text
    assert "libxcb-cursor.so.0, libxcb-icccm.so.4, libxcb-keysyms.so.1" in text  # each once, in order
    assert text.startswith("kernel-playground: error: the window cannot open")


def test_nothing_missing_lets_qt_start_silently():
    assert run_check(ldd=LDD_COMPLETE)[:2] == (0, "")


@pytest.mark.parametrize("environ, platform", [
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux"),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland"}, "linux"),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux"),  # Qt may pick Wayland: don't stop it
    ({}, "linux"),
    ({"DISPLAY": ":0"}, "win32"),
    ({"DISPLAY": ":0"}, "darwin"),
])  # fmt: skip
def test_not_checked_when_xcb_would_not_be_used(environ, platform):
    code, text, asked = run_check(environ=environ, platform=platform)
    assert (code, text, asked) == (0, "", [])


@pytest.mark.parametrize("environ", [{"DISPLAY": ":0"}, {"QT_QPA_PLATFORM": "xcb"},
                                     {"QT_QPA_PLATFORM": "xcb:nograb", "WAYLAND_DISPLAY": "w"},
                                     {"QT_QPA_PLATFORM": "XCB;wayland"}])
def test_xcb_cases(environ):
    assert uses_xcb(environ, "linux")
    assert run_check(environ=environ)[0] == 2


def test_no_pyside_wheel_plugin_means_no_check():
    assert run_check(plugin=lambda: None)[:3] == (0, "", [])


def test_without_ldd_the_known_libraries_are_loaded_one_by_one():
    tried = []

    def can_load(soname):
        tried.append(soname)
        return soname != "libxcb-cursor.so.0"

    code, text, _ = run_check(ldd=None, can_load=can_load)
    assert code == 2 and tried == list(XCB_LIBRARIES)
    assert "sudo apt install libxcb-cursor0\n" in text


def test_an_unknown_library_is_named_with_a_way_to_find_its_package():
    text = missing_libraries_message(["libxcb-cursor.so.0", "libfoo.so.3"])
    assert "sudo apt install libxcb-cursor0" in text
    assert "apt-file search" in text and "libfoo.so.3" in text


def test_missing_libraries_parses_ldd_once_per_name():
    assert missing_libraries(PLUGIN, run_ldd=lambda path: LDD_FRESH) == [
        "libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


@pytest.mark.skipif(sys.platform != "linux", reason="the xcb plugin exists only on Linux")
def test_this_machine_the_real_plugin_and_ldd():
    plugin = xcb_plugin_path()
    assert plugin is not None and plugin.name == "libqxcb.so"
    # this machine has the libraries (the window tests need them): nothing missing, with the real ldd
    assert missing_libraries(plugin) == []


def test_the_command_line_stops_before_qt(tmp_path):
    """main() with DISPLAY set and a fake ldd that reports libxcb-cursor missing: the message, exit 2."""
    ldd = tmp_path / "ldd"
    ldd.write_text("#!/bin/sh\necho '\tlibxcb-cursor.so.0 => not found'\n")
    ldd.chmod(0o755)
    code = ("import sys\nfrom playground.cli import main\nrc = main([])\n"
            "print(sorted(m for m in sys.modules if m.startswith('PySide6.QtWidgets')))\nsys.exit(rc)\n")
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin", "DISPLAY": ":99", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env,
                          cwd=Path(__file__).resolve().parents[1])
    if sys.platform != "linux" or xcb_plugin_path() is None:
        pytest.skip("needs PySide6's xcb plugin (Linux)")
    assert done.returncode == 2, done.stderr
    assert "sudo apt install libxcb-cursor0" in done.stderr
    assert "qt.qpa.plugin" not in done.stderr  # Qt's own text never came
    assert done.stdout.strip() == "[]"  # stopped before Qt's widgets were even imported
