"""File types by content, EXIF of real JPEG, PNG and HEIC files, previews."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from photos import exif_bytes, minimal_pdf, photo
from weipian.errors import InputError
from weipian.io.exif import BEIJING, FileType, preview_jpeg, read_photo, sniff

LON, LAT = 118.385432, 24.905118  # near P0000


@pytest.mark.parametrize(
    ("fmt", "expected"), [("JPEG", FileType.jpeg), ("PNG", FileType.png), ("HEIF", FileType.heic)]
)
def test_photo_exif_is_read_in_every_format(fmt: str, expected: FileType) -> None:
    data = photo(fmt, lon=LON, lat=LAT, azimuth=231.5, taken=dt.datetime(2022, 10, 1, 9, 30, 15))
    assert sniff(data) is expected
    info = read_photo(data)
    assert info.lon == pytest.approx(LON, abs=1e-6)  # seconds kept to 1/10000: ~3 mm
    assert info.lat == pytest.approx(LAT, abs=1e-6)
    assert info.azimuth == pytest.approx(231.5)
    assert info.taken_at == dt.datetime(2022, 10, 1, 9, 30, 15, tzinfo=BEIJING)
    assert (info.width, info.height) == (64, 48)


def test_southern_and_western_references_make_negative_degrees() -> None:
    info = read_photo(photo(lon=-70.25, lat=-33.5))
    assert info.lon == pytest.approx(-70.25)
    assert info.lat == pytest.approx(-33.5)


def test_offset_is_used_and_missing_offset_means_beijing_time() -> None:
    taken = dt.datetime(2022, 10, 1, 9, 0)
    utc = read_photo(photo(taken=taken, offset="+00:00")).taken_at
    assert utc == dt.datetime(2022, 10, 1, 9, 0, tzinfo=dt.UTC)
    local = read_photo(photo(taken=taken, offset=None)).taken_at
    assert local is not None and local.utcoffset() == dt.timedelta(hours=8)
    assert local == dt.datetime(2022, 10, 1, 1, 0, tzinfo=dt.UTC)


def test_gps_time_is_the_fallback_without_datetime_original() -> None:
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[29] = "2022:10:02"
    gps[7] = (3.0, 15.0, 30.0)
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG", exif=exif.tobytes())
    assert read_photo(out.getvalue()).taken_at == dt.datetime(2022, 10, 2, 3, 15, 30, tzinfo=dt.UTC)


def test_photo_without_exif_has_nothing_but_its_size() -> None:
    info = read_photo(photo())
    assert (info.taken_at, info.lon, info.lat, info.azimuth) == (None, None, None, None)


GOOD = {
    "lat": 24.905,
    "lon": 118.385278,
    "azimuth": 90.0,
    "taken_at": dt.datetime(2022, 10, 1, 9, 30, tzinfo=BEIJING),
}


@pytest.mark.parametrize(
    ("mangle", "missing"),
    [
        (
            lambda gps, sub: gps.__setitem__(2, (IFDRational(24, 0), 1.0, 0.0)),
            {"lat", "lon"},
        ),  # 0 denominator
        (lambda gps, sub: gps.__setitem__(4, (400.0, 0.0, 0.0)), {"lat", "lon"}),  # out of range
        (lambda gps, sub: gps.__setitem__(17, IFDRational(5, 0)), {"azimuth"}),
        (lambda gps, sub: gps.__setitem__(17, 720.0), {"azimuth"}),
        (lambda gps, sub: sub.__setitem__(0x9003, "yesterday"), {"taken_at"}),
        (lambda gps, sub: sub.__setitem__(0x9003, "0000:00:00 00:00:00"), {"taken_at"}),
        (lambda gps, sub: sub.__setitem__(0x9011, "+8"), set()),  # a bad offset: Beijing time
        (lambda gps, sub: gps.__setitem__(1, "Q"), set()),  # an unknown reference: north
    ],
)
def test_broken_exif_values_are_reported_missing_never_raised(mangle: object, missing: set[str]) -> None:
    exif = Image.Exif()
    sub, gps = exif.get_ifd(0x8769), exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (24.0, 54.0, 18.0), 3: "E", 4: (118.0, 23.0, 7.0), 17: 90.0})
    sub[0x9003] = "2022:10:01 09:30:00"
    mangle(gps, sub)  # type: ignore[operator]
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG", exif=exif.tobytes())
    info = read_photo(out.getvalue())  # never raises
    for name, good in GOOD.items():
        value = getattr(info, name)
        if name in missing:
            assert value is None, name
        else:
            assert value == (pytest.approx(good) if isinstance(good, float) else good), name


def test_garbage_exif_segment_is_tolerated() -> None:
    good = photo()
    # An APP1 "Exif" segment whose TIFF header is nonsense, right after SOI.
    junk = b"Exif\x00\x00" + b"\x13\x37" * 20
    segment = b"\xff\xe1" + (len(junk) + 2).to_bytes(2, "big") + junk
    info = read_photo(good[:2] + segment + good[2:])
    assert info.taken_at is None and info.lon is None


def test_sniff_ignores_names_and_knows_pdf() -> None:
    assert sniff(minimal_pdf()) is FileType.pdf
    assert sniff(b"just some text, saved as photo.jpg\n") is None
    assert sniff(b"") is None
    assert sniff(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom") is None  # an MP4 video


def test_text_renamed_jpg_is_not_a_picture() -> None:
    with pytest.raises(InputError) as caught:
        read_photo(b"hello, I am text")
    assert caught.value.code == "evidence.unreadable_image"


def test_truncated_jpeg_is_unreadable() -> None:
    with pytest.raises(InputError):
        read_photo(photo(size=(400, 300))[:300])


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "HEIF"])
def test_preview_is_an_upright_jpeg(fmt: str) -> None:
    # Orientation 6: the camera was turned; the picture is stored 64 × 48 and shown 48 × 64.
    data = photo(fmt, size=(64, 48), orientation=6)
    preview = Image.open(io.BytesIO(preview_jpeg(data)))
    assert preview.format == "JPEG"
    if fmt == "HEIF":  # pillow-heif applies the orientation when encoding: already upright
        assert preview.size in ((48, 64), (64, 48))
    else:
        assert preview.size == (48, 64)


def test_preview_is_scaled_down() -> None:
    preview = Image.open(io.BytesIO(preview_jpeg(photo(size=(2000, 1000)), max_px=500)))
    assert preview.size == (500, 250)


def test_exif_bytes_helper_round_trips() -> None:
    assert exif_bytes() == Image.Exif().tobytes()
