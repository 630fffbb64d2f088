"""Read delivered vector files (.zip with a shapefile, .shp, .gpkg, .geojson) into plain arrays.

One reader serves patch packages and every reference layer kind. It decides the text encoding
(``.cpg`` if present, else GBK for DBF text, as Chinese deliveries are), the CRS (declared, or
inferred from coordinates only when unambiguous) and refuses unreadable input with a coded
:class:`~weipian.errors.InputError`, before anything is written.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import shapely
from numpy.typing import NDArray
from pyogrio.errors import CRSError, DataLayerError, DataSourceError

from weipian.analysis.crs import detect_crs, epsg_of
from weipian.errors import InputError

DATASET_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
PACKAGE_SUFFIXES = (".zip", *DATASET_SUFFIXES)


@dataclass(frozen=True)
class VectorTable:
    """Geometries in their source CRS and attributes, row for row, plus how they were read."""

    path: Path
    dataset: str  # the file read (inside a zip: the member name)
    geoms: NDArray[np.object_]
    attrs: pd.DataFrame
    crs: str  # a CRS definition pyproj understands, e.g. "EPSG:4527"
    epsg: int | None
    crs_inferred: bool
    encoding: str | None
    file_hash: str


def file_hash(path: Path) -> str:
    """SHA-256 of a file, to recognise a package delivered twice."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _open_zip(path: Path) -> zipfile.ZipFile:
    # Zips made on Chinese Windows store names in GBK without the UTF-8 flag.
    try:
        return zipfile.ZipFile(path, metadata_encoding="gbk")
    except UnicodeDecodeError:
        try:
            return zipfile.ZipFile(path)
        except UnicodeDecodeError as exc:  # names in neither encoding: a damaged directory
            raise InputError("package.corrupt_zip", path=str(path)) from exc


@contextmanager
def _dataset_path(path: Path) -> Iterator[tuple[Path, str]]:
    """Yield the dataset file to read: the file itself, or the one inside an extracted zip."""
    if not path.exists():
        raise InputError("package.not_found", path=str(path))
    suffix = path.suffix.lower()
    if suffix in DATASET_SUFFIXES:
        yield path, path.name
        return
    if suffix != ".zip":
        raise InputError("package.unsupported", path=str(path))
    try:
        with _open_zip(path) as zf, tempfile.TemporaryDirectory(prefix="weipian-") as tmp:
            members = [m for m in zf.infolist() if not m.is_dir() and "__MACOSX" not in m.filename]
            _check_members(zf.infolist(), path)
            datasets = [m for m in members if Path(m.filename).suffix.lower() in DATASET_SUFFIXES]
            if not datasets:
                raise InputError("package.no_dataset", path=str(path))
            if len(datasets) > 1:
                names = "、".join(Path(m.filename).name for m in datasets)
                raise InputError("package.many_datasets", path=str(path), names=names)
            # Only the dataset and its sidecar files (same folder and stem) are unpacked.
            stem = PurePosixPath(datasets[0].filename).with_suffix("")
            wanted = [m for m in members if PurePosixPath(m.filename).with_suffix("") == stem]
            for m in wanted:
                _extract(zf, m, Path(tmp), path)
            yield Path(tmp).joinpath(*PurePosixPath(datasets[0].filename).parts), datasets[0].filename
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        NotImplementedError,
        zlib.error,
        ValueError,
    ) as exc:
        raise InputError("package.corrupt_zip", path=str(path)) from exc


# Zip bombs and path tricks are refused before anything is unpacked; sizes are counted again
# while unpacking, since a member's declared size can lie.
ZIP_MAX_MEMBERS = 1000
ZIP_MAX_TOTAL = 4 * 2**30  # bytes unpacked in all
ZIP_MAX_RATIO = 200  # unpacked ÷ packed, per member (shapefiles compress about 3–20×)


def _check_members(infos: list[zipfile.ZipInfo], path: Path) -> None:
    if len(infos) > ZIP_MAX_MEMBERS:
        raise InputError("package.zip_too_many", path=str(path), count=len(infos), limit=ZIP_MAX_MEMBERS)
    for m in infos:
        name = m.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in parts or "\0" in name:
            raise InputError("package.zip_bad_name", path=str(path), name=m.filename)
        if m.file_size > ZIP_MAX_RATIO * max(m.compress_size, 1) and m.file_size > 2**20:
            raise InputError("package.zip_bomb", path=str(path), name=m.filename)
    if sum(m.file_size for m in infos) > ZIP_MAX_TOTAL:
        raise InputError("package.zip_bomb", path=str(path), name=path.name)


def _extract(zf: zipfile.ZipFile, member: zipfile.ZipInfo, root: Path, path: Path) -> None:
    """Unpack one checked member under ``root``, stopping at its declared size."""
    target = root.joinpath(*PurePosixPath(member.filename.replace("\\", "/")).parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with zf.open(member) as src, target.open("wb") as dst:
        while block := src.read(1 << 20):
            written += len(block)
            if written > member.file_size:
                raise InputError("package.zip_bomb", path=str(path), name=member.filename)
            dst.write(block)


def _encoding(dataset: Path) -> str | None:
    """Text encoding to ask GDAL for: honour a ``.cpg``, else GBK for shapefile DBFs."""
    if dataset.suffix.lower() != ".shp":
        return None
    for cpg in (dataset.with_suffix(".cpg"), dataset.with_suffix(".CPG")):
        if cpg.exists():
            return None  # GDAL reads the .cpg itself
    return "GBK"


def read_vector(path: Path, region: tuple[float, float, float, float]) -> VectorTable:
    """Read one delivered file; ``region`` (W, S, E, N degrees) settles CRS guesses.

    Raises :class:`InputError` for anything that cannot be read as a whole.
    """
    path = Path(path)
    digest = file_hash(path) if path.exists() else ""
    with _dataset_path(path) as (dataset, member):
        encoding = _encoding(dataset)
        try:
            info = pyogrio.read_info(dataset, encoding=encoding)
            if info.get("geometry_type") is None:
                raise InputError("package.no_geometry", path=str(path))
            meta, table = pyogrio.read_arrow(dataset, encoding=encoding)
        except CRSError as exc:
            raise InputError("crs.unknown", path=str(path), detail=_short(exc)) from exc
        except (DataSourceError, DataLayerError) as exc:
            raise InputError("package.unreadable", path=str(path), detail=_short(exc)) from exc
        geom_col = meta.get("geometry_name") or "wkb_geometry"
        if geom_col not in table.column_names:
            raise InputError("package.no_geometry", path=str(path))
        try:  # GDAL passes a text field's bytes through: bytes that are no UTF-8 fail here, not later
            table.validate(full=True)
        except pa.ArrowException as exc:
            raise InputError("package.bad_text", path=str(path), detail=_short(exc)) from exc
        wkb = table.column(geom_col).to_numpy(zero_copy_only=False)
        geoms = shapely.from_wkb(wkb, on_invalid="ignore")
        attrs = table.drop_columns([geom_col]).to_pandas()
    if len(geoms) == 0:
        raise InputError("package.empty", path=str(path))
    crs_text, epsg, inferred = resolve_crs(meta.get("crs"), geoms, region, path)
    return VectorTable(path, member, geoms, attrs, crs_text, epsg, inferred, encoding, digest)


def resolve_crs(
    declared: str | None, geoms: NDArray[np.object_], region: tuple[float, float, float, float], path: Path
) -> tuple[str, int | None, bool]:
    """The CRS as (definition, EPSG, inferred): the declared one, else the one candidate that puts
    ``geoms`` inside ``region``; refuses an unknown declaration or an ambiguous guess."""
    if declared:
        try:
            epsg = epsg_of(declared)
        except Exception as exc:
            raise InputError("crs.unknown", path=str(path), detail=_short(exc)) from exc
        return (f"EPSG:{epsg}" if epsg else declared), epsg, False
    present = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(present) == 0:
        raise InputError("crs.ambiguous", path=str(path), candidates="无")
    bounds = tuple(float(v) for v in shapely.total_bounds(present))
    guess = detect_crs((bounds[0], bounds[1], bounds[2], bounds[3]), region)
    if guess.epsg is None:
        candidates = "、".join(f"EPSG:{c}" for c in guess.candidates) or "无"
        raise InputError("crs.ambiguous", path=str(path), candidates=candidates)
    return f"EPSG:{guess.epsg}", guess.epsg, True


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def column_values(attrs: pd.DataFrame, column: str | None) -> NDArray[np.object_]:
    """A column as an object array of Python values with missing values as None."""
    if column is None or column not in attrs.columns:
        return np.full(len(attrs), None, dtype=object)
    series = attrs[column]
    values = series.astype(object).to_numpy().copy()
    values[pd.isna(series).to_numpy()] = None
    return values
