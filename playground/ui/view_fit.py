"""The drawing scale of each map view: tiles at about the size they get on screen."""

from __future__ import annotations

from playground.render.mosaic import grid_layout

__all__ = ["view_fits"]


def view_fits(result, panels) -> tuple:
    """``((view key, scale, width/height of the panel), …)`` for the views of ``result``.

    Parameters
    ----------
    result : RenderedFrame
        The frame on screen (its views give the map sizes and tile counts).
    panels : iterable of (key, MapPanel)

    Each scale is the smallest power of ½ that Qt then enlarges by at most 1.4×
    (sharp, and cheap); maps smaller than the panel are drawn at full size and
    enlarged with crisp pixels.
    """
    fits = []
    for key, panel in panels:
        view = result.views.get(key)
        size = panel.view.size() * panel.devicePixelRatioF()
        if view is None or size.width() < 20 or size.height() < 20:
            continue
        h, w = view.values.shape[:2]
        aspect = size.width() / size.height()
        cols = view.layout.cols if key == "channels" else None
        full = grid_layout(len(view.cells), (h, w), cols=cols, aspect=aspect)
        fit = min(size.width() / (full.cols * w), size.height() / (full.rows * h))
        scale = next((s for s in (0.125, 0.25, 0.5) if s >= fit / 1.4), 1.0)
        fits.append((key, scale, round(aspect, 1)))
    return tuple(fits)
