"""Damaged and oversized pictures: refused with one clear line, never shown half decoded or as a video."""

from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np
import pytest

from playground.sources import ImageSource, SourceError, VideoSource, open_source
from playground.sources.image import MAX_IMAGE_PIXELS, ImageRefusedError, decode_image
from playground.sources.image_header import DamagedImageError, read_header, sniff_format


def photo_bgr(height: int = 96, width: int = 128) -> np.ndarray:
    """Smooth colours with detail everywhere, so every JPEG scan has real data."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([(x * 2) % 256, (y * 3) % 256, ((x + y) * 5) % 256], axis=2).astype(np.uint8)


def encoded(ext: str, picture: np.ndarray | None = None, params=()) -> bytes:
    ok, data = cv2.imencode(ext, photo_bgr() if picture is None else picture, list(params))
    assert ok
    return data.tobytes()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int, bit_depth: int = 8, colour_type: int = 2) -> bytes:
    """A small, well-formed PNG whose header claims ``width``×``height`` (one row of real data)."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    row = b"\x00" + bytes(min(width, 64) * channels * bit_depth // 8)
    return (b"\x89PNG\r\n\x1a\n"
            + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(row)) + png_chunk(b"IEND", b""))


@pytest.fixture
def no_decode(monkeypatch):
    """Fails the test if OpenCV is asked to decode (that is where the memory goes)."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("cv2.imdecode was called: the picture would have been allocated")

    monkeypatch.setattr(cv2, "imdecode", refuse)


# --- truncated and damaged files ------------------------------------------------------------
@pytest.mark.parametrize("name", ["cut.jpg", "cut.dat"])
def test_a_truncated_jpeg_is_a_damaged_image_not_a_video(tmp_path, name):
    path = tmp_path / name
    data = encoded(".jpg")
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(SourceError) as caught:
        source = open_source(str(path))
        source.close()
        pytest.fail(f"opened as {type(source).__name__}: a truncated JPEG must not be shown")
    message = str(caught.value)
    assert message.startswith(f"cannot open '{path}': damaged JPEG image") and "\n" not in message


def test_a_jpeg_without_its_end_marker_is_refused(tmp_path):
    path = tmp_path / "no-eoi.jpg"
    path.write_bytes(encoded(".jpg")[:-2])
    with pytest.raises(ImageRefusedError, match="cut short"):
        ImageSource(path)


def test_a_partly_decoded_frame_is_refused_even_if_the_decoder_returns_one(tmp_path, monkeypatch):
    """OpenCV 4 hands back a truncated JPEG with its missing rows filled in: that must not be used."""
    path = tmp_path / "cut.jpg"
    data = encoded(".jpg")
    path.write_bytes(data[:len(data) * 2 // 3])
    monkeypatch.setattr(cv2, "imdecode", lambda *_args: photo_bgr())
    with pytest.raises(ImageRefusedError, match="damaged JPEG image"):
        ImageSource(path)


def test_a_truncated_jpeg_with_a_whole_exif_thumbnail_is_still_refused(tmp_path):
    """The thumbnail inside APP1 has its own end marker; only the main image's counts."""
    thumbnail = encoded(".jpg", photo_bgr(16, 16))
    main = encoded(".jpg")
    app1 = b"\xff\xe1" + struct.pack(">H", len(thumbnail) + 8) + b"Exif\x00\x00" + thumbnail
    whole = main[:2] + app1 + main[2:]
    path = tmp_path / "thumb.jpg"
    path.write_bytes(whole)
    assert ImageSource(path).read().shape == (96, 128, 3)  # whole: fine
    path.write_bytes(whole[:len(whole) - len(main) // 2])
    with pytest.raises(ImageRefusedError, match="cut short"):
        ImageSource(path)


def test_bytes_after_the_end_of_a_jpeg_are_fine(tmp_path):
    path = tmp_path / "trailer.jpg"
    path.write_bytes(encoded(".jpg") + b"camera maker's trailer")
    assert ImageSource(path).read().shape == (96, 128, 3)


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_a_truncated_png_is_a_damaged_image(tmp_path, cut):
    data = encoded(".png")
    path = tmp_path / "cut.png"
    path.write_bytes(data[:int(len(data) * cut)])
    with pytest.raises(ImageRefusedError) as caught:
        open_source(str(path))
    assert str(caught.value) == f"cannot open '{path}': damaged PNG image: the file ends before its IEND chunk " \
                                "(cut short)"


def test_a_png_with_a_bad_checksum_is_a_damaged_image(tmp_path):
    data = bytearray(encoded(".png"))
    data[len(data) // 2] ^= 0xFF
    path = tmp_path / "crc.png"
    path.write_bytes(bytes(data))
    with pytest.raises(ImageRefusedError, match=r"damaged PNG image \(OpenCV could not decode it\)"):
        open_source(str(path))


def test_a_video_with_an_unknown_extension_still_opens(tmp_path, small_video):
    disguised = tmp_path / "clip.bin"
    disguised.write_bytes(small_video.read_bytes())
    with open_source(str(disguised)) as source:
        assert isinstance(source, VideoSource)


# --- sizes from the header --------------------------------------------------------------------
@pytest.mark.parametrize(("ext", "params"), [(".png", ()), (".jpg", ()), (".bmp", ()), (".webp", ()),
                                             (".webp", (cv2.IMWRITE_WEBP_QUALITY, 101)), (".tif", ()),
                                             (".ppm", ()), (".pgm", ()), (".ras", ()), (".jp2", ()),
                                             (".gif", ())])
def test_the_header_gives_the_size_without_decoding(ext, params, no_decode):
    picture = photo_bgr(37, 53)
    if ext == ".pgm":
        picture = picture[:, :, 0]
    header = read_header(encoded(ext, picture, params))
    assert header is not None and (header.width, header.height) == (53, 37)


def test_unknown_bytes_have_no_header():
    assert sniff_format(b"hello, not a picture") is None
    assert read_header(b"hello, not a picture") is None


def test_a_header_cut_short_is_damaged():
    with pytest.raises(DamagedImageError, match="cut short"):
        read_header(encoded(".png")[:20])


@pytest.mark.parametrize(("width", "height", "depth", "colour"), [
    (50000, 50000, 8, 2),    # 7.5 GB if decoded
    (32000, 32000, 8, 2),    # 3 GB: under OpenCV's own limit, so it tried
    (20000, 20000, 16, 6),   # 16-bit RGBA: 3.2 GB
])
def test_a_png_claiming_a_huge_size_is_refused_before_decoding(tmp_path, no_decode, width, height, depth, colour):
    path = tmp_path / "huge.png"
    path.write_bytes(png_claiming(width, height, depth, colour))
    with pytest.raises(ImageRefusedError) as caught:
        open_source(str(path))
    message = str(caught.value)
    assert f"{width}×{height}" in message and "50-megapixel limit" in message


def test_the_limit_is_50_megapixels():
    assert MAX_IMAGE_PIXELS == 50_000_000


def test_a_large_jpeg_is_decoded_reduced_with_a_notice():
    data = np.frombuffer(encoded(".jpg", photo_bgr(800, 1000)), np.uint8)
    notices: list[str] = []
    raw = decode_image(data, "big.jpg", max_pixels=200_000, notices=notices)
    assert raw.shape == (400, 500, 3)
    assert notices == ["decoded at 1/2 size: 1000×800 is more than the 0.2-megapixel limit for pictures"]
    raw = decode_image(data, "big.jpg", max_pixels=20_000, notices=notices)
    assert raw.shape == (100, 125, 3)  # 1/8


def test_a_jpeg_too_large_even_at_one_eighth_is_refused(no_decode):
    data = np.frombuffer(encoded(".jpg", photo_bgr(800, 1000)), np.uint8)
    with pytest.raises(ImageRefusedError, match="1000×800 is 0.8 megapixels"):
        decode_image(data, "big.jpg", max_pixels=10_000)


def test_a_png_over_the_limit_is_refused_not_reduced(no_decode):
    data = np.frombuffer(encoded(".png", photo_bgr(800, 1000)), np.uint8)
    with pytest.raises(ImageRefusedError, match="more than the 0.2-megapixel limit"):
        decode_image(data, "big.png", max_pixels=200_000)


def test_a_picture_at_the_limit_decodes(tmp_path):
    data = np.frombuffer(encoded(".png", photo_bgr(400, 500)), np.uint8)
    assert decode_image(data, "ok.png", max_pixels=200_000).shape == (400, 500, 3)


def test_help_states_the_limit():
    from playground.cli import build_parser

    assert "larger than 50 megapixels are refused" in " ".join(build_parser().format_help().split())
