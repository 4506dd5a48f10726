"""Before Qt starts on Linux: are the system libraries its X11 (xcb) platform plugin needs installed?

The PySide6 wheel brings Qt but not the X11 helper libraries its xcb plugin links
to. On a fresh Debian/Ubuntu desktop ``libxcb-cursor0`` and a few others are
missing, and Qt then prints a long text about platform plugins and aborts. This
module finds the missing libraries first and says which packages to install.
Qt-free: it only reads the plugin file's dependencies, it never loads Qt.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TextIO

__all__ = [
    "DEBIAN_PACKAGES",
    "XCB_LIBRARIES",
    "check_qt_platform",
    "missing_libraries",
    "missing_libraries_message",
    "uses_xcb",
    "xcb_plugin_path",
]

# soname → the Debian/Ubuntu package that installs it (checked with dpkg -S on Debian 12).
DEBIAN_PACKAGES: Mapping[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}

# What Qt 6's xcb plugin links to outside the wheel: tried one by one when ldd cannot
# be run (ldd, when there, is exact for the installed Qt version).
XCB_LIBRARIES: tuple[str, ...] = (
    "libxcb.so.1", "libX11.so.6", "libX11-xcb.so.1", "libxkbcommon.so.0", "libxkbcommon-x11.so.0",
    "libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-util.so.1", "libxcb-image.so.0", "libxcb-keysyms.so.1",
    "libxcb-randr.so.0", "libxcb-render-util.so.0", "libxcb-shm.so.0", "libxcb-sync.so.1", "libxcb-xfixes.so.0",
    "libxcb-render.so.0", "libxcb-shape.so.0", "libxcb-xkb.so.1",
)  # fmt: skip

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$", re.MULTILINE)


def uses_xcb(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt would start on its X11 (xcb) plugin.

    True on Linux/BSD with ``DISPLAY`` set when ``QT_QPA_PLATFORM`` names xcb first,
    or is unset and no Wayland session is there (Qt may choose Wayland there, which
    needs none of these libraries: better not to stop a start that would work).
    """
    if not platform.startswith(("linux", "freebsd")):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return re.split(r"[;:]", chosen, maxsplit=1)[0].strip().lower() == "xcb"
    return bool(environ.get("DISPLAY")) and not environ.get("WAYLAND_DISPLAY")


def xcb_plugin_path() -> Path | None:
    """``libqxcb.so`` inside the installed PySide6, without importing Qt; None if not there."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return path if path.is_file() else None


def _run_ldd(path: Path) -> str | None:
    """ldd's report on ``path``; None when ldd cannot be run or fails."""
    try:
        done = subprocess.run(["ldd", str(path)], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _can_load(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_libraries(
    plugin: Path,
    *,
    run_ldd: Callable[[Path], str | None] = _run_ldd,
    can_load: Callable[[str], bool] = _can_load,
    fallback: Iterable[str] = XCB_LIBRARIES,
) -> list[str]:
    """The sonames ``plugin`` needs that the system does not have, in ldd's order.

    Parameters
    ----------
    plugin : pathlib.Path
        The platform plugin (``libqxcb.so``).
    run_ldd : callable
        ``run_ldd(path)`` returns ldd's output, or None when it cannot run.
    can_load : callable
        ``can_load(soname)`` says whether the dynamic loader finds it; used for
        ``fallback`` when ldd cannot run.
    fallback : iterable of str
        The sonames to try without ldd.
    """
    report = run_ldd(plugin)
    if report is not None:
        return list(dict.fromkeys(_NOT_FOUND.findall(report)))
    return [soname for soname in fallback if not can_load(soname)]


def missing_libraries_message(missing: Iterable[str]) -> str:
    """One message naming the missing libraries and the ``apt install`` line that adds them."""
    missing = list(missing)
    packages = list(dict.fromkeys(DEBIAN_PACKAGES[s] for s in missing if s in DEBIAN_PACKAGES))
    unknown = [s for s in missing if s not in DEBIAN_PACKAGES]
    lines = [
        "kernel-playground: error: the window cannot open: Qt's X11 (xcb) platform plugin needs system "
        f"libraries that are not installed ({', '.join(missing)})."
    ]
    if packages:
        lines.append(f"On Debian/Ubuntu install them with:  sudo apt install {' '.join(packages)}")
    if unknown:
        lines.append(f"Find the package that has {', '.join(unknown)} with:  apt-file search <name>")
    lines.append("Meanwhile pictures work without a window: "
                 "QT_QPA_PLATFORM=offscreen python main.py --screenshot out.png")
    return "\n".join(lines)


def check_qt_platform(
    *,
    environ: Mapping[str, str] = os.environ,
    platform: str = sys.platform,
    plugin: Path | None | Callable[[], Path | None] = xcb_plugin_path,
    run_ldd: Callable[[Path], str | None] = _run_ldd,
    can_load: Callable[[str], bool] = _can_load,
    stream: TextIO | None = None,
) -> int:
    """Say which packages to install when Qt's xcb plugin would fail to load; call before QApplication.

    Returns
    -------
    int
        0 when the window can try to open (not xcb, plugin not found, nothing
        missing); 2 after printing the message to ``stream`` (stderr by default).
    """
    if not uses_xcb(environ, platform):
        return 0
    path = plugin() if callable(plugin) else plugin
    if path is None:
        return 0  # not a PySide6 wheel (e.g. a distribution's Qt, whose packages bring these)
    missing = missing_libraries(path, run_ldd=run_ldd, can_load=can_load)
    if not missing:
        return 0
    print(missing_libraries_message(missing), file=stream or sys.stderr)
    return 2
