"""Field photos and attachments: the real file type, the photo's EXIF, a JPEG preview.

The type comes from the first bytes of the file (:func:`sniff`), never from its name or the
browser's content type. :func:`read_photo` opens a JPEG, PNG or HEIC/HEIF photo (Pillow with
``pillow_heif``) and reads the EXIF a phone writes: GPS position (degrees, minutes, seconds with
N/S/E/W references), GPSImgDirection (azimuth, degrees from north) and DateTimeOriginal with
OffsetTimeOriginal; without an offset the time is taken as Beijing time (+08:00), and without
DateTimeOriginal the GPS date and time (UTC) are used. Broken or absent EXIF values come back as
``None``: reading never fails because of EXIF, only because the picture itself is unreadable.

GPS values are WGS 84 as phones record them; CGCS2000 differs by well under a metre here.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import threading
import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from weipian.domain.clock import BEIJING
from weipian.errors import InputError

PREVIEW_PX = 1280  # longest side of a preview

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL, _DATETIME = 0x9003, 0x9011, 0x0132
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON = 1, 2, 3, 4
_GPS_TIME, _GPS_DIRECTION, _GPS_DATE = 7, 17, 29


class FileType(StrEnum):
    """File types evidence may be; values are the stored extensions."""

    jpeg = "jpg"
    png = "png"
    heic = "heic"
    pdf = "pdf"

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES[self]

    @property
    def label(self) -> str:
        return _LABELS[self]


_CONTENT_TYPES = {
    FileType.jpeg: "image/jpeg",
    FileType.png: "image/png",
    FileType.heic: "image/heic",
    FileType.pdf: "application/pdf",
}
_LABELS = {FileType.jpeg: "JPEG", FileType.png: "PNG", FileType.heic: "HEIC", FileType.pdf: "PDF"}


def sniff(data: bytes) -> FileType | None:
    """The file type the leading bytes show, or None for anything else.

    >>> sniff(b"\\xff\\xd8\\xff\\xe0rest"), sniff(b"%PDF-1.7\\n"), sniff(b"hello")
    (<FileType.jpeg: 'jpg'>, <FileType.pdf: 'pdf'>, None)
    """
    if data.startswith(b"\xff\xd8\xff"):
        return FileType.jpeg
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.png
    if data.startswith(b"%PDF-"):
        return FileType.pdf
    if len(data) >= 12 and data[4:8] == b"ftyp":
        # ISO base media: the major brand, then the compatible brands up to the box's end.
        size = int.from_bytes(data[:4], "big")
        end = min(max(size, 16), len(data), 256)
        brands = {data[8:12]} | {data[i : i + 4] for i in range(16, end - 3, 4)}
        if brands & _HEIF_BRANDS:
            return FileType.heic
    return None


@dataclass(frozen=True)
class PhotoInfo:
    """What the photo's EXIF says; ``None`` where a value is absent or unreadable."""

    width: int
    height: int
    taken_at: dt.datetime | None = None  # timezone-aware
    lon: float | None = None
    lat: float | None = None
    azimuth: float | None = None  # degrees from north, 0 ≤ a < 360


def _register_heif() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()


# A decompression bomb (a small file declaring a huge picture) is refused from its header,
# before any pixel is decoded: 50 million pixels holds every phone camera (48 MP modes included).
MAX_PIXELS = 50_000_000
MAX_EXIF_BYTES = 256 * 1024  # a phone's EXIF is a few KB; more is not read
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard, for any other path that opens images
# At most two pictures are decoded at once in a process, so previews stay within a fixed bound
# (two pictures of MAX_PIXELS, JPEGs decoded at a reduced scale) however many uploads arrive.
_DECODING = threading.BoundedSemaphore(2)


def _open(data: bytes) -> Image.Image:
    """Open a picture lazily (header only) and refuse one declaring more than MAX_PIXELS."""
    _register_heif()
    limit = f"{MAX_PIXELS / 1e6:g}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused just below
            img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:  # Pillow's own guard, past twice its limit
        raise InputError("evidence.too_many_pixels", size="过大", limit=limit) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise InputError("evidence.unreadable_image", detail=type(exc).__name__) from exc
    width, height = img.size
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
        img.close()
        raise InputError("evidence.too_many_pixels", size=f"为 {width}×{height} 像素", limit=limit)
    return img


def _number(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return f if math.isfinite(f) else None


def _degrees(value: Any, ref: Any, negative: str, limit: float) -> float | None:
    """EXIF (degrees, minutes, seconds) rationals and a reference letter → signed degrees."""
    if isinstance(value, tuple | list):
        parts = [_number(x) for x in value[:3]]
        if not parts or any(p is None or p < 0 for p in parts):
            return None
        deg = sum(p / 60**i for i, p in enumerate(parts) if p is not None)
    else:
        single = _number(value)
        if single is None:
            return None
        deg = single
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    ref = str(ref or "").strip().upper()[:1]
    if ref == negative:
        deg = -deg
    return deg if abs(deg) <= limit else None


def _text(v: Any) -> str | None:
    if isinstance(v, bytes):
        v = v.decode("ascii", "replace")
    return v.strip("\x00 ").strip() if isinstance(v, str) else None


def _offset(v: Any) -> dt.timezone | None:
    s = _text(v)
    if not s or len(s) != 6 or s[0] not in "+-" or s[3] != ":":
        return None
    try:
        hours, minutes = int(s[1:3]), int(s[4:6])
    except ValueError:
        return None
    if hours > 14 or minutes > 59:
        return None
    sign = -1 if s[0] == "-" else 1
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _local_time(value: Any, offset: Any) -> dt.datetime | None:
    s = _text(value)
    if not s:
        return None
    try:
        naive = dt.datetime.strptime(s[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return naive.replace(tzinfo=_offset(offset) or BEIJING)


def _gps_time(date: Any, time: Any) -> dt.datetime | None:
    s = _text(date)
    if not s or not isinstance(time, tuple | list) or len(time) < 3:
        return None
    parts = [_number(x) for x in time[:3]]
    if any(p is None for p in parts):
        return None
    h, m, sec = (float(p) for p in parts if p is not None)
    try:
        day = dt.datetime.strptime(s[:10], "%Y:%m:%d").replace(tzinfo=dt.UTC)
        return day + dt.timedelta(hours=h, minutes=m, seconds=sec)
    except (ValueError, OverflowError):
        return None


def _ifd(exif: Image.Exif, tag: int) -> dict[int, Any]:
    try:
        return dict(exif.get_ifd(tag))
    except Exception:
        return {}


def photo_info(img: Image.Image) -> PhotoInfo:
    """The EXIF position, direction and time of an opened image; broken values are ``None``."""
    raw = img.info.get("exif")
    if isinstance(raw, bytes) and len(raw) > MAX_EXIF_BYTES:  # padded EXIF: not read at all
        return PhotoInfo(width=img.width, height=img.height)
    try:
        exif = img.getexif()
    except Exception:
        return PhotoInfo(width=img.width, height=img.height)
    sub, gps = _ifd(exif, _EXIF_IFD), _ifd(exif, _GPS_IFD)
    taken = _local_time(sub.get(_DATETIME_ORIGINAL), sub.get(_OFFSET_TIME_ORIGINAL))
    if taken is None:
        taken = _gps_time(gps.get(_GPS_DATE), gps.get(_GPS_TIME))
    lat = _degrees(gps.get(_GPS_LAT), gps.get(_GPS_LAT_REF), "S", 90.0)
    lon = _degrees(gps.get(_GPS_LON), gps.get(_GPS_LON_REF), "W", 180.0)
    if lat is None or lon is None or (lat == 0.0 and lon == 0.0):  # 0,0: a phone without a fix
        lat = lon = None
    azimuth = _number(gps.get(_GPS_DIRECTION))
    if azimuth is not None and not 0.0 <= azimuth <= 360.0:
        azimuth = None
    return PhotoInfo(
        width=img.width,
        height=img.height,
        taken_at=taken,
        lon=lon,
        lat=lat,
        azimuth=None if azimuth is None else azimuth % 360.0,
    )


def read_photo(data: bytes) -> PhotoInfo:
    """The EXIF of a JPEG, PNG or HEIC photo, from its header (no pixel is decoded);
    ``InputError`` if it is not a picture or declares too many pixels."""
    with _open(data) as img:
        return photo_info(img)


def preview_jpeg(data: bytes, max_px: int = PREVIEW_PX) -> bytes:
    """A JPEG of the photo for browsers (HEIC included), upright per its EXIF orientation.

    Made once, at upload. The pixel count is checked before decoding; a JPEG is decoded at the
    smallest scale that still gives ``max_px`` (``draft``); at most two decodes run at once.
    ``InputError`` when the picture cannot be decoded.
    """
    with _DECODING, _open(data) as img:
        try:
            if img.format == "JPEG":
                img.draft("RGB", (max_px, max_px))
            img.load()
            try:
                upright = ImageOps.exif_transpose(img)
            except Exception:
                upright = img
            rgb = upright.convert("RGB")
            rgb.thumbnail((max_px, max_px))
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, MemoryError) as exc:
            raise InputError("evidence.unreadable_image", detail=type(exc).__name__) from exc
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_PDF_ACTIVE = (b"/JavaScript", b"/Launch")


def check_pdf(data: bytes, name: str) -> None:
    """Refuse a "PDF" that is not one by its structure, not only its first bytes: the version
    header, a cross-reference table or stream at the offset ``startxref`` gives, ``%%EOF`` at
    the end, and no script or launch actions (a county's approval scan has none).

    >>> check_pdf(b"%PDF-1.4\\n1 0 obj<<>>endobj\\nxref\\n0 1\\ntrailer<<>>\\nstartxref\\n27\\n%%EOF\\n", "a.pdf")
    >>> check_pdf(b"%PDF-1.4\\n<script>", "a.pdf")
    Traceback (most recent call last):
    weipian.errors.InputError: ...
    """
    tail = data[-2048:]
    found = _STARTXREF.search(tail)
    ok = bool(_PDF_HEADER.match(data)) and found is not None and b"endobj" in data
    if ok and found is not None:
        offset = int(found.group(1))
        at = data[offset : offset + 64] if offset < len(data) else b""
        ok = at.startswith(b"xref") or re.match(rb"\d+\s+\d+\s+obj", at) is not None
    if not ok or any(marker in data for marker in _PDF_ACTIVE):
        raise InputError("evidence.not_pdf", name=name)
