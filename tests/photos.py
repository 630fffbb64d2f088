"""Real photo and document files for the field-evidence tests, made with Pillow and pillow-heif.

``photo()`` writes a small picture with the EXIF a phone records: GPS latitude/longitude as
(degrees, minutes, seconds) rationals with N/S/E/W references, GPSImgDirection, DateTimeOriginal
and OffsetTimeOriginal, and an orientation tag. ``gk_lonlat`` turns a point of the test county
(EPSG:4527 metres from ``factories.ORIGIN``) into the lon/lat a phone would write.
"""

from __future__ import annotations

import datetime as dt
import io
from fractions import Fraction

from PIL import Image, TiffImagePlugin
from pyproj import Transformer

from factories import ORIGIN

# A minimal valid PDF: one empty page, with a correct cross-reference table.
_PDF_OBJECTS = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
]


def minimal_pdf() -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(_PDF_OBJECTS, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(_PDF_OBJECTS) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(_PDF_OBJECTS) + 1, xref)
    return bytes(out)


def gk_lonlat(dx: float, dy: float) -> tuple[float, float]:
    """lon/lat of the point ``dx``, ``dy`` metres east and north of ``ORIGIN`` (EPSG:4527)."""
    tr = Transformer.from_crs(4527, 4490, always_xy=True)
    lon, lat = tr.transform(ORIGIN[0] + dx, ORIGIN[1] + dy)
    return float(lon), float(lat)


def _dms(value: float) -> tuple[TiffImagePlugin.IFDRational, ...]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = Fraction((value - d - m / 60) * 3600).limit_denominator(10000)
    return (
        TiffImagePlugin.IFDRational(d, 1),
        TiffImagePlugin.IFDRational(m, 1),
        TiffImagePlugin.IFDRational(s.numerator, s.denominator),
    )


def exif_bytes(
    *,
    lon: float | None = None,
    lat: float | None = None,
    azimuth: float | None = None,
    taken: dt.datetime | None = None,
    offset: str | None = "+08:00",
    orientation: int | None = None,
) -> bytes:
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if taken is not None:
        sub = exif.get_ifd(0x8769)
        sub[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
        if offset:
            sub[0x9011] = offset
    if (lon is not None and lat is not None) or azimuth is not None:
        gps = exif.get_ifd(0x8825)
        if lon is not None and lat is not None:
            gps[1] = "N" if lat >= 0 else "S"
            gps[2] = _dms(lat)
            gps[3] = "E" if lon >= 0 else "W"
            gps[4] = _dms(lon)
        if azimuth is not None:
            gps[16] = "T"
            gps[17] = TiffImagePlugin.IFDRational(round(azimuth * 100), 100)
    return exif.tobytes()


def photo(
    fmt: str = "JPEG",
    *,
    size: tuple[int, int] = (64, 48),
    colour: tuple[int, int, int] = (90, 140, 60),
    **exif: object,
) -> bytes:
    """A picture in ``fmt`` (JPEG, PNG or HEIF) carrying the given EXIF (see :func:`exif_bytes`)."""
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    img = Image.new("RGB", size, colour)
    out = io.BytesIO()
    img.save(out, fmt, exif=exif_bytes(**exif))  # type: ignore[arg-type]
    return out.getvalue()


def field_photo(fmt: str = "JPEG", dx: float = 50.0, dy: float = 50.0, **kw: object) -> bytes:
    """A good field photo of P0000 (the 100 m square at ``ORIGIN``): inside, after HSX, with direction."""
    lon, lat = gk_lonlat(dx, dy)
    values: dict[str, object] = {
        "lon": lon, "lat": lat, "azimuth": 135.0, "taken": dt.datetime(2022, 10, 8, 10, 30), **kw,
    }  # fmt: skip
    return photo(fmt, **values)
