"""What the demo wrote: its files, batches and dates (``weipian demo --json`` prints it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class DemoPackage:
    """One patch package written by the demo."""

    path: Path
    source: str
    batch: str
    issued: date
    patches: int


@dataclass(frozen=True)
class DemoManifest:
    """What ``write_demo`` wrote: reference layers by kind and the patch packages."""

    dir: Path
    layers: dict[str, Path]
    packages: list[DemoPackage]
