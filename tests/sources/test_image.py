"""Image files: every format and pixel kind we decode, and every way a file can be wrong."""

from __future__ import annotations

import struct

import cv2
import numpy as np
import pytest

from playground.sources import ImageSource, SourceError

# Four 16×16 blocks, in RGB: red, green / blue, white. Large blocks so that even
# JPEG's 4:2:0 chroma leaves the block centres close to the true colours.
BLOCKS_RGB = {(8, 8): (1, 0, 0), (8, 24): (0, 1, 0), (24, 8): (0, 0, 1), (24, 24): (1, 1, 1)}


def four_blocks_bgr() -> np.ndarray:
    picture = np.zeros((32, 32, 3), np.uint8)
    for (y, x), (r, g, b) in BLOCKS_RGB.items():
        picture[y - 8:y + 8, x - 8:x + 8] = (255 * b, 255 * g, 255 * r)
    return picture


LOSSLESS = [("png", []), ("bmp", []), ("tif", []), ("webp", [cv2.IMWRITE_WEBP_QUALITY, 101])]


@pytest.mark.parametrize(("ext", "params"), LOSSLESS)
def test_lossless_formats_decode_exactly(tmp_path, ext, params):
    path = tmp_path / f"blocks.{ext}"
    assert cv2.imwrite(str(path), four_blocks_bgr(), params)
    source = ImageSource(path)
    frame = source.read()
    assert frame.shape == (32, 32, 3) and frame.dtype == np.float32 and frame.flags.c_contiguous
    for (y, x), rgb in BLOCKS_RGB.items():
        np.testing.assert_array_equal(frame[y, x], np.float32(rgb))  # a red pixel stays [1, 0, 0]
    assert source.notices == ()


def test_jpeg_decodes_close(tmp_path):
    path = tmp_path / "blocks.jpg"
    assert cv2.imwrite(str(path), four_blocks_bgr(), [cv2.IMWRITE_JPEG_QUALITY, 100])
    frame = ImageSource(path).read()
    for (y, x), rgb in BLOCKS_RGB.items():
        np.testing.assert_allclose(frame[y, x], rgb, atol=0.06)


def test_jpeg_exif_orientation_is_applied(tmp_path):
    """Phone photos: a JPEG stored 40 wide with orientation 6 (turn 90° clockwise) shows 20 wide."""
    picture = np.zeros((20, 40, 3), np.uint8)
    picture[:, :20] = 255  # left half white
    ok, encoded = cv2.imencode(".jpg", picture)
    assert ok
    tiff = b"MM" + struct.pack(">HI", 42, 8) + struct.pack(">H", 1)
    tiff += struct.pack(">HHIHH", 0x0112, 3, 1, 6, 0) + struct.pack(">I", 0)  # Orientation = 6
    app1 = b"Exif\x00\x00" + tiff
    data = encoded.tobytes()
    path = tmp_path / "phone.jpg"
    path.write_bytes(data[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + data[2:])
    frame = ImageSource(path).read()
    assert frame.shape == (40, 20, 3)
    # Turned clockwise, the white left half ends up on top.
    assert frame[5, 10].mean() > 0.9 and frame[35, 10].mean() < 0.1


@pytest.mark.parametrize("ext", ["png", "jpg", "bmp", "tif", "webp"])
def test_grayscale_files_give_three_equal_channels(tmp_path, ext):
    grey = np.tile(np.arange(0, 256, 8, dtype=np.uint8), (16, 1))  # 16 × 32 ramp
    path = tmp_path / f"grey.{ext}"
    params = [cv2.IMWRITE_WEBP_QUALITY, 101] if ext == "webp" else []
    assert cv2.imwrite(str(path), grey, params)
    source = ImageSource(path)
    frame = source.read()
    np.testing.assert_array_equal(frame[..., 0], frame[..., 1])
    np.testing.assert_array_equal(frame[..., 0], frame[..., 2])
    if ext in ("png", "bmp", "tif"):  # lossless grey storage
        np.testing.assert_array_equal(frame[..., 0], grey / np.float32(255))
        assert "grayscale image: all three channels are equal" in source.notices


def test_rgba_png_drops_alpha(tmp_path):
    bgra = np.zeros((4, 4, 4), np.uint8)
    bgra[..., 2] = 255  # red
    bgra[..., 3] = 0  # fully transparent
    bgra[0, 0] = (255, 0, 0, 255)  # an opaque blue pixel
    path = tmp_path / "rgba.png"
    assert cv2.imwrite(str(path), bgra)
    source = ImageSource(path)
    frame = source.read()
    np.testing.assert_array_equal(frame[1, 1], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(frame[0, 0], [0.0, 0.0, 1.0])
    assert any("alpha channel dropped" in n for n in source.notices)


@pytest.mark.parametrize("ext", ["png", "tif"])
def test_sixteen_bit_is_scaled(tmp_path, ext):
    bgr16 = np.zeros((2, 3, 3), np.uint16)
    bgr16[0, 0] = (0, 0, 65535)  # red
    bgr16[0, 1] = (1000, 2000, 40000)
    path = tmp_path / f"deep.{ext}"
    assert cv2.imwrite(str(path), bgr16)
    source = ImageSource(path)
    frame = source.read()
    np.testing.assert_array_equal(frame[0, 0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(frame[0, 1], np.array([40000, 2000, 1000]) / 65535, rtol=0, atol=1e-7)
    assert "16-bit image scaled to [0, 1]" in source.notices


def test_sixteen_bit_grey_png(tmp_path):
    path = tmp_path / "grey16.png"
    assert cv2.imwrite(str(path), np.full((3, 3), 65535, np.uint16))
    source = ImageSource(path)
    np.testing.assert_array_equal(source.read(), np.ones((3, 3, 3), np.float32))
    assert len(source.notices) == 2  # grey and 16-bit


def test_float_tiff_in_range(tmp_path):
    bgr = np.zeros((2, 2, 3), np.float32)
    bgr[..., 0], bgr[..., 1], bgr[..., 2] = 0.125, 0.5, 0.875
    path = tmp_path / "float.tif"
    assert cv2.imwrite(str(path), bgr)
    source = ImageSource(path)
    np.testing.assert_array_equal(source.read()[0, 0], [0.875, 0.5, 0.125])
    assert source.notices == ()


def test_float_tiff_out_of_range_is_clipped(tmp_path):
    bgr = np.zeros((2, 2, 3), np.float32)
    bgr[..., 2] = 3.0  # red way above 1
    bgr[..., 1] = -1.0  # green below 0
    bgr[..., 0] = 0.5
    path = tmp_path / "hdr.tif"
    assert cv2.imwrite(str(path), bgr)
    source = ImageSource(path)
    np.testing.assert_array_equal(source.read()[1, 1], [1.0, 0.0, 0.5])
    assert any("clipped to [0, 1]" in n for n in source.notices)


def test_large_image_is_scaled_down_with_notice(tmp_path):
    big = np.zeros((2000, 3000, 3), np.uint8)
    big[:, 1500:] = 255
    path = tmp_path / "big.png"
    assert cv2.imwrite(str(path), big)
    source = ImageSource(path, max_side=1000)
    frame = source.read()
    assert frame.shape == (667, 1000, 3)
    assert "scaled down from 3000×2000 to 1000×667 for speed" in source.notices
    assert source.description == "big.png 1000×667"
    assert frame[300, 100].max() == 0.0 and frame[300, 900].min() == 1.0


def test_default_max_side_is_1920(tmp_path):
    path = tmp_path / "wide.png"
    assert cv2.imwrite(str(path), np.zeros((100, 2400, 3), np.uint8))
    assert ImageSource(path).read().shape == (80, 1920, 3)


def test_downscale(tmp_path):
    picture = np.zeros((40, 60, 3), np.uint8)
    picture[::2, ::2] = 255
    path = tmp_path / "dots.png"
    assert cv2.imwrite(str(path), picture)
    source = ImageSource(path, downscale=2)
    frame = source.read()
    assert frame.shape == (20, 30, 3)
    np.testing.assert_allclose(frame, 0.25, atol=1 / 255)  # INTER_AREA: one lit pixel in four
    assert source.description == "dots.png 30×20 (1/2)"


def test_attributes_and_cached_read_only_frame(tmp_path):
    path = tmp_path / "photo.png"
    assert cv2.imwrite(str(path), four_blocks_bgr())
    source = ImageSource(path)
    assert (source.kind, source.live, source.frame_interval) == ("image", False, None)
    assert source.spec == str(path.absolute())
    assert source.description == "photo.png 32×32"
    first, second = source.read(), source.read()
    assert first is second
    assert not first.flags.writeable
    with pytest.raises(ValueError):
        first[0, 0, 0] = 0.5


def test_non_ascii_path(tmp_path):
    folder = tmp_path / "fotos ñ"
    folder.mkdir()
    path = folder / "日本の写真.png"
    ok, encoded = cv2.imencode(".png", four_blocks_bgr())
    assert ok
    path.write_bytes(encoded.tobytes())
    np.testing.assert_array_equal(ImageSource(path).read()[8, 8], [1.0, 0.0, 0.0])


def test_text_file_is_not_an_image(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, not a picture")
    with pytest.raises(SourceError) as caught:
        ImageSource(path)
    assert str(caught.value) == f"cannot open '{path}': not an image (OpenCV could not decode it)"


def test_truncated_png_is_a_damaged_image(tmp_path):
    ok, encoded = cv2.imencode(".png", four_blocks_bgr())
    path = tmp_path / "cut.png"
    path.write_bytes(encoded.tobytes()[:30])
    with pytest.raises(SourceError, match="damaged PNG image"):
        ImageSource(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.png"
    path.touch()
    with pytest.raises(SourceError) as caught:
        ImageSource(path)
    assert str(path) in str(caught.value) and "empty" in str(caught.value)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.png"
    with pytest.raises(SourceError) as caught:
        ImageSource(path)
    assert str(path) in str(caught.value) and "no such file" in str(caught.value)


def test_directory(tmp_path):
    with pytest.raises(SourceError) as caught:
        ImageSource(tmp_path)
    assert str(tmp_path) in str(caught.value) and "folder" in str(caught.value)


def test_close_is_idempotent_and_context_manager_closes(tmp_path):
    path = tmp_path / "a.png"
    assert cv2.imwrite(str(path), four_blocks_bgr())
    with ImageSource(path) as source:
        assert not source.closed
        source.read()
    assert source.closed
    source.close()  # again: no error
    with pytest.raises(SourceError, match="closed"):
        source.read()
