"""Draw the bundled sample pictures: ``python resources/samples/make_samples.py``.

Three procedural 800×600 pictures, each with something for a kernel to find:

* ``city.png`` — a skyline at dusk: vertical and horizontal edges (buildings,
  windows), diagonals (roofs, the road in perspective), a smooth sky gradient.
* ``shapes.png`` — a still life: coloured discs and squares whose channels differ,
  stripe patches at six orientations and three frequencies, printed text.
* ``texture.png`` — tiles of checkerboards, a zone plate (rings whose frequency
  grows outwards: stride and pooling alias visibly), a Siemens star, bricks and noise.

Everything is drawn at twice the size and shrunk with INTER_AREA, so edges are
anti-aliased. Seeded, so running it again gives the same pictures. Released under
CC0 1.0 with the pictures (see LICENSE.txt).
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

WIDTH, HEIGHT = 800, 600
SUPERSAMPLE = 2
W, H = WIDTH * SUPERSAMPLE, HEIGHT * SUPERSAMPLE  # drawing size

AA = cv2.LINE_AA


def rgb(r: int, g: int, b: int) -> tuple[float, float, float]:
    """An 8-bit RGB colour as floats in [0, 1] (the canvases are float32 RGB)."""
    return (r / 255.0, g / 255.0, b / 255.0)


def vertical_gradient(stops: list[tuple[float, tuple[float, float, float]]], height: int, width: int) -> np.ndarray:
    """A (height, width, 3) picture blending colour stops [(fraction of height, colour), …] from top down."""
    positions = np.array([p for p, _ in stops])
    colours = np.array([c for _, c in stops], np.float32)
    y = np.linspace(0.0, 1.0, height)
    column = np.stack([np.interp(y, positions, colours[:, c]) for c in range(3)], axis=1)
    return np.ascontiguousarray(np.broadcast_to(column[:, None, :], (height, width, 3)), dtype=np.float32)


def finish(canvas: np.ndarray) -> np.ndarray:
    """Shrink the supersampled float RGB canvas to the final size; BGR uint8 for cv2.imwrite."""
    small = cv2.resize(canvas, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(np.clip(small * 255.0 + 0.5, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)


# --------------------------------------------------------------------------- city


def draw_city(rng: np.random.Generator) -> np.ndarray:
    horizon = int(H * 0.70)
    sky = [(0.0, rgb(22, 30, 78)), (0.45, rgb(88, 70, 140)), (0.75, rgb(232, 120, 92)), (1.0, rgb(255, 196, 120))]
    canvas = vertical_gradient(sky, H, W)
    canvas[horizon:] = rgb(54, 58, 64)

    # A pale moon, and a few soft clouds (blurred ellipses).
    sun_layer = np.zeros((H, W), np.float32)
    cv2.circle(sun_layer, (int(W * 0.58), int(H * 0.09)), 46, 1.0, -1, AA)
    sun_layer = cv2.GaussianBlur(sun_layer, (0, 0), 3)
    canvas += sun_layer[..., None] * (np.array(rgb(250, 244, 220), np.float32) - canvas)
    clouds = np.zeros((H, W), np.float32)
    for cx, cy, ax, ay in ((300, 160, 220, 34), (520, 210, 160, 26), (1150, 120, 260, 40), (1350, 250, 140, 22)):
        cv2.ellipse(clouds, (cx, cy), (ax, ay), 0, 0, 360, 0.8, -1, AA)
    clouds = cv2.GaussianBlur(clouds, (0, 0), 14)
    canvas += clouds[..., None] * (np.array(rgb(250, 210, 220), np.float32) - canvas)

    # Far skyline: flat, hazy silhouettes.
    x = 0
    while x < W:
        w = int(rng.integers(60, 140))
        top = horizon - int(rng.integers(120, 330))
        cv2.rectangle(canvas, (x, top), (x + w, horizon), rgb(70, 64, 110), -1)
        x += w

    # Near buildings: varied colours, lit and dark windows, some with pitched roofs or antennas.
    palette = [rgb(150, 62, 48), rgb(72, 96, 130), rgb(196, 170, 128), rgb(40, 110, 110), rgb(120, 120, 132),
               rgb(168, 98, 60), rgb(88, 72, 96)]  # fmt: skip
    x = -20
    index = 0
    while x < W:
        w = int(rng.integers(150, 260))
        top = horizon - int(rng.integers(260, 700))
        colour = palette[index % len(palette)]
        index += 1
        cv2.rectangle(canvas, (x, top), (x + w, horizon), colour, -1)
        # Shade the right side a little: a vertical edge in brightness, not only in colour.
        cv2.rectangle(canvas, (x + w - 18, top), (x + w, horizon), tuple(0.7 * c for c in colour), -1)
        roof = rng.integers(0, 3)
        if roof == 0:  # pitched roof: two diagonals
            peak = (x + w // 2, top - int(rng.integers(50, 110)))
            cv2.fillPoly(canvas, [np.array([(x, top), peak, (x + w, top)], np.int32)], colour, AA)
        elif roof == 1:  # antenna
            ax = x + w // 3
            cv2.line(canvas, (ax, top), (ax, top - 120), rgb(30, 30, 36), 4, AA)
            cv2.circle(canvas, (ax, top - 120), 7, rgb(255, 60, 50), -1, AA)
        # Window grid.
        win_w, win_h, gap_x, gap_y = 22, 30, 16, 22
        for wy in range(top + 30, horizon - 60, win_h + gap_y):
            for wx in range(x + 20, x + w - 40, win_w + gap_x):
                lit = rng.random() < 0.45
                glass = rgb(255, 214, 110) if lit else rgb(34, 40, 58)
                cv2.rectangle(canvas, (wx, wy), (wx + win_w, wy + win_h), glass, -1)
        x += w + int(rng.integers(10, 40))

    # Road in perspective: lanes converge on a vanishing point, so lines of many slopes.
    vanish = (W // 2, horizon - 40)
    cv2.rectangle(canvas, (0, horizon), (W, horizon + 26), rgb(150, 146, 140), -1)  # pavement
    road = np.array([(W // 2 - 60, horizon + 26), (W // 2 + 60, horizon + 26), (W + 500, H), (-500, H)], np.int32)
    cv2.fillPoly(canvas, [road], rgb(44, 46, 52), AA)
    for frac in (-0.55, 0.55):  # edge lines
        cv2.line(canvas, (W // 2 + int(frac * 220), horizon + 26), (W // 2 + int(frac * 2800), H), rgb(240, 240, 235),
                 10, AA)  # fmt: skip
    for i in range(7):  # dashed centre line, dashes growing toward the viewer
        t0, t1 = (i / 7) ** 1.6, ((i + 0.5) / 7) ** 1.6
        y0, y1 = horizon + 26 + t0 * (H - horizon - 26), horizon + 26 + t1 * (H - horizon - 26)
        half0, half1 = 3 + 16 * t0, 3 + 16 * t1
        dash = np.array([(vanish[0] - half0, y0), (vanish[0] + half0, y0), (vanish[0] + half1, y1),
                         (vanish[0] - half1, y1)], np.int32)  # fmt: skip
        cv2.fillPoly(canvas, [dash], rgb(250, 200, 60), AA)

    # Street lamps along the pavement.
    for lx in range(60, W, 300):
        cv2.line(canvas, (lx, horizon + 20), (lx, horizon - 170), rgb(28, 28, 32), 8, AA)
        cv2.line(canvas, (lx, horizon - 170), (lx + 40, horizon - 190), rgb(28, 28, 32), 6, AA)
        cv2.circle(canvas, (lx + 44, horizon - 184), 12, rgb(255, 240, 190), -1, AA)
    return finish(np.clip(canvas, 0.0, 1.0))


# --------------------------------------------------------------------------- shapes


def grating(size: int, period: float, angle_deg: float, square: bool) -> np.ndarray:
    """A (size, size) pattern in [0, 1]: stripes of ``period`` pixels, perpendicular to ``angle_deg``."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    a = math.radians(angle_deg)
    phase = 2 * math.pi * (xx * math.cos(a) + yy * math.sin(a)) / period
    wave = np.sin(phase)
    return (wave > 0).astype(np.float32) if square else 0.5 + 0.5 * wave


def put_text(canvas: np.ndarray, text: str, origin: tuple[int, int], font: int, scale: float,
             colour: tuple[float, float, float], thickness: int) -> None:  # fmt: skip
    """cv2.putText onto a float canvas (OpenCV draws text on 8-bit pictures only): via an 8-bit mask."""
    mask = np.zeros(canvas.shape[:2], np.uint8)
    cv2.putText(mask, text, origin, font, scale, 255, thickness, AA)
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    canvas += alpha * (np.array(colour, np.float32) - canvas)


def draw_shapes(rng: np.random.Generator) -> np.ndarray:
    canvas = vertical_gradient([(0.0, rgb(232, 226, 212)), (1.0, rgb(196, 188, 172))], H, W)
    # A table edge: a long horizontal edge across the picture.
    table = int(H * 0.78)
    canvas[table:] = vertical_gradient([(0.0, rgb(120, 78, 52)), (1.0, rgb(84, 52, 34))], H - table, W)

    # Overlapping translucent discs: red, green and blue mix where they meet.
    discs = ((330, 360, rgb(220, 40, 40)), (470, 360, rgb(40, 170, 70)), (400, 480, rgb(40, 70, 220)))
    for cx, cy, colour in discs:
        layer = np.zeros((H, W), np.float32)
        cv2.circle(layer, (cx, cy), 120, 0.75, -1, AA)
        canvas += layer[..., None] * (np.array(colour, np.float32) - canvas)

    # Squares, one upright and one turned 45°, and a triangle: edges at 0°, 45°, 90°, 135°, 60°.
    cv2.rectangle(canvas, (680, 620), (900, 840), rgb(250, 170, 30), -1)
    cv2.rectangle(canvas, (680, 620), (900, 840), rgb(60, 40, 20), 6, AA)
    diamond = np.array([(1080, 560), (1220, 700), (1080, 840), (940, 700)], np.int32)
    cv2.fillPoly(canvas, [diamond], rgb(30, 150, 190), AA)
    triangle = np.array([(1280, 880), (1520, 880), (1400, 672)], np.int32)
    cv2.fillPoly(canvas, [triangle], rgb(150, 60, 170), AA)
    # A thin ring and an ellipse on the table.
    cv2.circle(canvas, (1500, 1080), 55, rgb(30, 30, 30), 10, AA)
    cv2.ellipse(canvas, (700, 1050), (200, 60), 0, 0, 360, rgb(230, 230, 240), -1, AA)
    cv2.ellipse(canvas, (700, 1050), (200, 60), 0, 0, 360, rgb(70, 70, 90), 5, AA)
    cv2.ellipse(canvas, (1250, 1040), (150, 90), -20, 0, 360, rgb(200, 60, 90), -1, AA)

    # Stripe patches along the top: six orientations, three periods, sine and square waves.
    patch, margin = 190, 40
    specs = [(0, 24, True), (30, 16, False), (45, 10, True), (90, 24, False), (120, 8, True), (150, 16, False)]
    tints = [rgb(200, 40, 40), rgb(40, 140, 60), rgb(40, 60, 200), rgb(20, 20, 20), rgb(200, 120, 20),
             rgb(120, 30, 150)]  # fmt: skip
    for i, ((angle, period, square), tint) in enumerate(zip(specs, tints, strict=True)):
        x0, y0 = margin + i * (patch + 66), 60
        g = grating(patch, period, angle, square)[..., None]
        canvas[y0:y0 + patch, x0:x0 + patch] = (1 - g) * np.array(tint, np.float32) + g * np.float32(0.97)
        cv2.rectangle(canvas, (x0, y0), (x0 + patch, y0 + patch), rgb(40, 40, 40), 3, AA)

    # Text in two fonts and sizes: curves and corners at many orientations.
    put_text(canvas, "Kernel Playground", (120, 1170), cv2.FONT_HERSHEY_DUPLEX, 3.0, rgb(245, 235, 210), 6)
    put_text(canvas, "3x3 conv, stride 2", (1000, 380), cv2.FONT_HERSHEY_SIMPLEX, 1.6, rgb(40, 40, 60), 4)
    put_text(canvas, "f x f x n_c", (1040, 470), cv2.FONT_HERSHEY_COMPLEX_SMALL, 2.6, rgb(160, 40, 40), 4)
    return finish(np.clip(canvas, 0.0, 1.0))


# --------------------------------------------------------------------------- texture


def draw_texture(rng: np.random.Generator) -> np.ndarray:
    tile_w, tile_h = W // 3 + 1, H // 2  # 534 × 600 at 2×: three tiles span 1602, cut to 1600
    canvas = np.zeros((H, 3 * tile_w, 3), np.float32)
    yy, xx = np.mgrid[0:tile_h, 0:tile_w].astype(np.float32)
    cy, cx = tile_h / 2, tile_w / 2

    # 1. Checkerboards: large in black/white, small in two colours.
    big = ((xx // 80 + yy // 80) % 2)[..., None]
    small = ((xx // 20 + yy // 20) % 2)[..., None]
    board = big * np.float32(0.95) + (1 - big) * np.float32(0.05)
    quadrant = (xx >= cx) & (yy >= cy)
    colourful = small * np.array(rgb(230, 60, 60), np.float32) + (1 - small) * np.array(rgb(40, 90, 200), np.float32)
    canvas[:tile_h, :tile_w] = np.where(quadrant[..., None], colourful, board)

    # 2. Zone plate: rings whose frequency rises with the radius (aliasing appears under stride).
    r2 = (xx - cx) ** 2 + (yy - cy) ** 2
    zone = 0.5 + 0.5 * np.cos(math.pi * r2 / 2400.0)  # at most ~0.34 cycles/pixel at 1×
    canvas[:tile_h, tile_w:2 * tile_w] = zone[..., None] * np.array(rgb(255, 240, 200), np.float32)

    # 3. Siemens star: wedges of every orientation meeting at the centre, in cyan and magenta.
    theta = np.arctan2(yy - cy, xx - cx)
    star = (np.sin(18 * theta) > 0).astype(np.float32)[..., None]
    inside = (np.sqrt(r2) < min(tile_w, tile_h) * 0.46)[..., None]
    star_rgb = star * np.array(rgb(20, 190, 210), np.float32) + (1 - star) * np.array(rgb(200, 30, 140), np.float32)
    canvas[:tile_h, 2 * tile_w:] = np.where(inside, star_rgb, np.float32(0.92))

    # 4. Bricks: staggered rows, mortar lines, brick-to-brick colour variation.
    bricks = np.empty((tile_h, tile_w, 3), np.float32)
    bricks[:] = rgb(205, 200, 190)  # mortar
    brick_w, brick_h, mortar = 120, 50, 8
    for row, y in enumerate(range(0, tile_h, brick_h)):
        offset = (brick_w // 2) * (row % 2)
        for x in range(-offset, tile_w, brick_w):
            shade = rng.uniform(0.75, 1.05)
            colour = np.array(rgb(170, 74, 50), np.float32) * shade
            x0, x1 = max(0, x + mortar // 2), min(tile_w, x + brick_w - mortar // 2)
            y0, y1 = y + mortar // 2, min(tile_h, y + brick_h - mortar // 2)
            if x0 < x1 and y0 < y1:
                bricks[y0:y1, x0:x1] = colour
    canvas[tile_h:, :tile_w] = bricks

    # 5. Wood-like grain: warped sine rings, brown.
    warp = cv2.GaussianBlur(rng.normal(0, 1, (tile_h, tile_w)).astype(np.float32), (0, 0), 40) * 120
    grain = 0.5 + 0.5 * np.sin((np.sqrt((xx + 300) ** 2 + (yy * 0.35) ** 2) + warp) / 9.0)
    wood = np.array(rgb(120, 72, 36), np.float32) + grain[..., None] * np.array(rgb(90, 60, 30), np.float32)
    canvas[tile_h:, tile_w:2 * tile_w] = wood

    # 6. Noise: coloured blobs at several scales over fine grain.
    noise = np.zeros((tile_h, tile_w, 3), np.float32)
    for sigma, weight in ((30, 0.35), (8, 0.2), (0, 0.08)):
        layer = rng.normal(0, 1, (tile_h, tile_w, 3)).astype(np.float32)
        if sigma:
            layer = cv2.GaussianBlur(layer, (0, 0), sigma)
            layer /= layer.std()
        noise += weight * layer
    canvas[tile_h:, 2 * tile_w:] = 0.5 + 0.5 * noise

    # Dark borders between the tiles: straight edges, both directions.
    for x in (tile_w, 2 * tile_w):
        canvas[:, x - 4:x + 4] = 0.1
    canvas[tile_h - 4:tile_h + 4] = 0.1
    return finish(np.clip(canvas[:, :W], 0.0, 1.0))


def main() -> None:
    out = Path(__file__).resolve().parent
    pictures = {"city": draw_city, "shapes": draw_shapes, "texture": draw_texture}
    for seed, (name, draw) in enumerate(pictures.items()):
        picture = draw(np.random.default_rng(seed))
        path = out / f"{name}.png"
        if not cv2.imwrite(str(path), picture, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
            raise SystemExit(f"could not write {path}")
        print(f"{path.name}: {picture.shape[1]}×{picture.shape[0]}, {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
