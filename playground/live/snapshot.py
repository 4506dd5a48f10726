"""Everything a frame is computed and drawn with, as one immutable value."""

from __future__ import annotations

from dataclasses import dataclass, field

from playground.engine.layer import LayerSettings
from playground.kernels import FilterBank, starter_bank
from playground.render.levels import LevelPolicy

__all__ = ["ViewSettings", "Snapshot"]


@dataclass(frozen=True)
class ViewSettings:
    """What is drawn: which views, and how values map to colours."""

    levels: LevelPolicy = field(default_factory=LevelPolicy)
    per_channel: bool = True
    pooled: bool = True           # shown when the layer pools
    # Tiles are drawn at a fraction of the map size: the screen shows a map a few
    # hundred pixels wide, and drawing 24 full-size maps cost more than computing
    # them. 0 means "fit": each view uses its entry in ``fits``, which the window
    # sets from the panel's size on screen.
    display_scale: float = 0.0
    fits: tuple = ()   # ((view key, scale, width/height of the panel), …)

    def __post_init__(self):
        if not (float(self.display_scale) == 0.0 or 0.05 <= float(self.display_scale) <= 1.0):
            raise ValueError(f"display scale must be 0 (fit) or between 0.05 and 1; got {self.display_scale!r}")

    def scale_for(self, key: str) -> float:
        """The drawing scale of view ``key``."""
        if self.display_scale > 0:
            return float(self.display_scale)
        for fit_key, scale, _aspect in self.fits:
            if fit_key == key:
                return float(scale)
        return 0.5

    def aspect_for(self, key: str) -> float:
        """Width/height of the panel showing view ``key`` (tiles are arranged to fill it)."""
        for fit_key, _scale, aspect in self.fits:
            if fit_key == key:
                return float(aspect)
        return 1.6


@dataclass(frozen=True)
class Snapshot:
    """Bank + layer + view settings. Workers read a whole snapshot, never a half edit."""

    bank: FilterBank = field(default_factory=starter_bank)
    layer: LayerSettings = field(default_factory=LayerSettings)
    view: ViewSettings = field(default_factory=ViewSettings)
