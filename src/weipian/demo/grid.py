"""Smooth noise, a smooth warp and a noisy quad grid: the shapes behind the demo county.

The grid tiles the plane with cells of ``4 * (EDGE_POINTS + 1)`` vertices. Every cell computes its
own four edges, but from the same inputs with the same elementwise operations as its neighbour,
so a shared edge has bitwise identical coordinates on both sides: no gaps, no overlaps. Edges
bulge by sums of sine modes along one frame axis and are kept simple by construction:

- a horizontal edge is the graph of a function y(x), a vertical edge of x(y);
- every edge's slope (dy/dx, resp. dx/dy) stays below 1, so two edges meeting at a vertex
  cannot cross (``|dy| <= s1 |dx| <= s1 s2 |dy|`` forces the vertex itself);
- jitter plus bulge stay below half a cell, so edges that share no vertex cannot meet.

The warp then bends the whole grid. Its displacement has gradient below 1, so the map is one-to-one
and keeps the tiling; on edges a few metres long it is locally affine, which keeps rings simple. No ``sin`` or matrix product touches
per-point data, because vectorised kernels may round differently for different array lengths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

EDGE_POINTS = 7  # interior points per edge: cells get 32 vertices, split halves 20
RING = 4 * (EDGE_POINTS + 1) + 1  # closed ring length of a whole cell
HALF_RING = 21  # closed ring length of each half of a split cell
_T = np.arange(1, EDGE_POINTS + 1) / (EDGE_POINTS + 1)
# Bulge modes sampled once; identical tables keep shared edges identical.
_MODES = np.stack([np.sin(m * np.pi * _T) for m in (1, 2, 3)])
_MODE_STEP = np.abs(
    np.diff(np.stack([np.sin(m * np.pi * np.linspace(0, 1, EDGE_POINTS + 2)) for m in (1, 2, 3)]), axis=1)
).max(axis=1)
_PATH_T = np.array([0.25, 0.5, 0.75])
_PATH_MODE = np.sin(np.pi * _PATH_T)
_MID = EDGE_POINTS // 2  # split paths start and end at the middle point of an edge
# Cells per block: temporaries of a few MB are recycled by malloc instead of page-faulted afresh.
_BLOCK = 8192


@dataclass(frozen=True)
class ValueNoise:
    """Smooth random fields in [-1, 1]: lattice values blended with a smoothstep.

    ``values`` has one lattice per channel; all channels are evaluated together.
    """

    x0: float
    y0: float
    step: float
    values: F64  # (channels, ny, nx)

    @classmethod
    def make(
        cls,
        rng: np.random.Generator,
        bounds: tuple[float, float, float, float],
        step: float,
        channels: int = 1,
    ) -> ValueNoise:
        minx, miny, maxx, maxy = bounds
        nx = int(np.ceil((maxx - minx) / step)) + 3
        ny = int(np.ceil((maxy - miny) / step)) + 3
        return cls(minx - step, miny - step, step, rng.uniform(-1.0, 1.0, (channels, ny, nx)))

    def __call__(self, x: F64, y: F64) -> F64:
        """The first channel at the points."""
        return self.channels(x, y)[0]

    def channels(self, x: F64, y: F64) -> list[F64]:
        """Every channel at the points."""
        _, ny, nx = self.values.shape
        gx = (np.asarray(x, dtype=np.float64) - self.x0) / self.step
        gy = (np.asarray(y, dtype=np.float64) - self.y0) / self.step
        ix = np.clip(np.floor(gx), 0, nx - 2)
        iy = np.clip(np.floor(gy), 0, ny - 2)
        sx = _smoothstep(gx - ix)
        sy = _smoothstep(gy - iy)
        at = (iy * nx + ix).astype(np.int64)
        out = []
        for lattice in self.values:
            flat = lattice.ravel()
            v00, v01 = flat.take(at), flat.take(at + 1)
            v10, v11 = flat.take(at + nx), flat.take(at + nx + 1)
            bottom = v00 + sx * (v01 - v00)
            top = v10 + sx * (v11 - v10)
            out.append(bottom + sy * (top - bottom))
        return out

    @property
    def max_gradient(self) -> float:
        """Upper bound of |d/dx| and |d/dy| (lattice step 2 times smoothstep slope 1.5)."""
        return 3.0 / self.step


def _smoothstep(f: F64) -> F64:
    f = np.clip(f, 0.0, 1.0)
    return f * f * (3.0 - 2.0 * f)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Warp:
    """A smooth displacement of the plane, sum of octaves of ``(noise_x, noise_y) * amplitude``."""

    octaves: tuple[tuple[ValueNoise, float], ...]

    @classmethod
    def make(
        cls,
        rng: np.random.Generator,
        bounds: tuple[float, float, float, float],
        octaves: list[tuple[float, float]],
    ) -> Warp:
        warp = cls(
            tuple((ValueNoise.make(rng, bounds, step, channels=2), amplitude) for step, amplitude in octaves)
        )
        # |grad d| < 1 keeps x + d(x) one-to-one, so rings stay simple and tilings stay tilings.
        if warp.max_gradient >= 0.95:
            raise ValueError(f"warp too strong: gradient up to {warp.max_gradient:.2f}")
        return warp

    @property
    def max_gradient(self) -> float:
        return float(sum(a * noise.max_gradient * np.sqrt(2.0) for noise, a in self.octaves))

    @property
    def max_shift(self) -> float:
        return float(sum(a for _, a in self.octaves) * np.sqrt(2.0))

    def __call__(self, x: F64, y: F64) -> tuple[F64, F64]:
        dx = np.zeros(np.shape(x))
        dy = np.zeros(np.shape(y))
        for noise, a in self.octaves:
            nx, ny = noise.channels(x, y)
            dx = dx + a * nx
            dy = dy + a * ny
        return x + dx, y + dy


@dataclass(frozen=True)
class NoisyGrid:
    """A jittered, bulging quad grid in a rotated frame, warped into the plane.

    Cell ``(j, i)`` lies between lattice columns ``i, i+1`` and rows ``j, j+1``; cell ids are
    ``j * nx + i`` (row-major).
    """

    xs: F64  # lattice columns in the frame, nx + 1
    ys: F64  # lattice rows, ny + 1
    jx: F64  # vertex jitter, (ny + 1, nx + 1)
    jy: F64
    ch: F64  # bulge coefficients of horizontal edges, (3, ny + 1, nx)
    cw: F64  # bulge coefficients of vertical edges, (3, ny, nx + 1)
    cos: float
    sin: float
    warp: Warp

    @property
    def nx(self) -> int:
        return len(self.xs) - 1

    @property
    def ny(self) -> int:
        return len(self.ys) - 1

    @property
    def size(self) -> int:
        return self.nx * self.ny

    def to_plane(self, fx: F64, fy: F64) -> tuple[F64, F64]:
        """Frame coordinates → plane: rotate, then warp."""
        return self.warp(self.cos * fx - self.sin * fy, self.sin * fx + self.cos * fy)

    def corners(self, ids: I64) -> tuple[F64, F64]:
        """The lower-left vertex of each cell, in the plane."""
        j, i = np.divmod(ids, self.nx)
        return self.to_plane(*self._vertex(j, i))

    def rings(self, ids: I64) -> F64:
        """Closed rings of whole cells in the plane, shape ``(len(ids), RING, 2)``, counter-clockwise."""
        out = np.empty((len(ids), RING, 2))
        for lo in range(0, len(ids), _BLOCK):
            out[lo : lo + _BLOCK] = self._rings(ids[lo : lo + _BLOCK])
        return out

    def split_rings(self, ids: I64, coef: F64) -> tuple[F64, F64]:
        """Each cell cut in two along a bulging path joining the middles of its bottom and top edges.

        ``coef`` (one per cell) bends the path; both halves use the same path points.
        """
        west, east = np.empty((len(ids), HALF_RING, 2)), np.empty((len(ids), HALF_RING, 2))
        for lo in range(0, len(ids), _BLOCK):
            west[lo : lo + _BLOCK], east[lo : lo + _BLOCK] = self._split_rings(
                ids[lo : lo + _BLOCK], coef[lo : lo + _BLOCK]
            )
        return west, east

    def _rings(self, ids: I64) -> F64:
        j, i = np.divmod(ids, self.nx)
        v00, v10, v11, v01 = (
            self._vertex(j, i),
            self._vertex(j, i + 1),
            self._vertex(j + 1, i + 1),
            self._vertex(j + 1, i),
        )
        bottom, top = self._h_edge(j, i), self._h_edge(j + 1, i)
        left, right = self._w_edge(j, i), self._w_edge(j, i + 1)
        parts = [_pt(v00), bottom, _pt(v10), right, _pt(v11), top[:, ::-1], _pt(v01), left[:, ::-1], _pt(v00)]
        return self._place(np.concatenate(parts, axis=1))

    def _split_rings(self, ids: I64, coef: F64) -> tuple[F64, F64]:
        j, i = np.divmod(ids, self.nx)
        v00, v10, v11, v01 = (
            self._vertex(j, i),
            self._vertex(j, i + 1),
            self._vertex(j + 1, i + 1),
            self._vertex(j + 1, i),
        )
        bottom, top = self._h_edge(j, i), self._h_edge(j + 1, i)
        left, right = self._w_edge(j, i), self._w_edge(j, i + 1)
        pb, pt = bottom[:, _MID], top[:, _MID]
        px = pb[:, None, 0] + _PATH_T * (pt[:, None, 0] - pb[:, None, 0]) + coef[:, None] * _PATH_MODE
        py = pb[:, None, 1] + _PATH_T * (pt[:, None, 1] - pb[:, None, 1])
        path = np.stack([px, py], axis=-1)
        west = [_pt(v00), bottom[:, : _MID + 1], path, top[:, _MID::-1], _pt(v01), left[:, ::-1], _pt(v00)]
        east = [
            bottom[:, _MID:],
            _pt(v10),
            right,
            _pt(v11),
            top[:, : _MID - 1 : -1],
            path[:, ::-1],
            bottom[:, _MID : _MID + 1],
        ]
        return self._place(np.concatenate(west, axis=1)), self._place(np.concatenate(east, axis=1))

    def _place(self, frame: F64) -> F64:
        x, y = self.to_plane(frame[..., 0], frame[..., 1])
        return np.stack([x, y], axis=-1)

    def _vertex(self, j: I64, i: I64) -> tuple[F64, F64]:
        return self.xs[i] + self.jx[j, i], self.ys[j] + self.jy[j, i]

    def _h_edge(self, j: I64, i: I64) -> F64:
        ax, ay = self._vertex(j, i)
        bx, by = self._vertex(j, i + 1)
        c = self.ch[:, j, i]
        bulge = c[0][:, None] * _MODES[0] + c[1][:, None] * _MODES[1] + c[2][:, None] * _MODES[2]
        x = ax[:, None] + _T * (bx - ax)[:, None]
        y = ay[:, None] + _T * (by - ay)[:, None] + bulge
        return np.stack([x, y], axis=-1)

    def _w_edge(self, j: I64, i: I64) -> F64:
        ax, ay = self._vertex(j, i)
        bx, by = self._vertex(j + 1, i)
        c = self.cw[:, j, i]
        bulge = c[0][:, None] * _MODES[0] + c[1][:, None] * _MODES[1] + c[2][:, None] * _MODES[2]
        x = ax[:, None] + _T * (bx - ax)[:, None] + bulge
        y = ay[:, None] + _T * (by - ay)[:, None]
        return np.stack([x, y], axis=-1)


def _pt(v: tuple[F64, F64]) -> F64:
    return np.stack([v[0], v[1]], axis=-1)[:, None, :]


def make_grid(
    rng: np.random.Generator,
    frame_bounds: tuple[float, float, float, float],
    cell: float,
    angle: float,
    warp: Warp,
) -> NoisyGrid:
    """A grid covering ``frame_bounds`` with cells of about ``cell`` metres (widths ±25 %)."""
    minx, miny, maxx, maxy = frame_bounds
    xs = _lattice(rng, minx, maxx, cell)
    ys = _lattice(rng, miny, maxy, cell)
    shortest = 0.75 * cell
    jitter = 0.12 * shortest  # jitter + bulge < half the shortest side: far edges never meet
    jx = rng.uniform(-jitter, jitter, (len(ys), len(xs)))
    jy = rng.uniform(-jitter, jitter, (len(ys), len(xs)))
    scale = np.array([0.05, 0.02, 0.01])[:, None, None] * cell
    ch = rng.uniform(-1.0, 1.0, (3, len(ys), len(xs) - 1)) * scale
    cw = rng.uniform(-1.0, 1.0, (3, len(ys) - 1, len(xs))) * scale
    # Straighten edges whose slope bound reaches 1 (rare); see the module docstring.
    vx, vy = xs[None, :] + jx, ys[:, None] + jy
    ch = _straighten(ch, np.diff(vx, axis=1), np.diff(vy, axis=1))
    cw = _straighten(cw, np.diff(vy, axis=0), np.diff(vx, axis=0))
    return NoisyGrid(xs, ys, jx, jy, ch, cw, float(np.cos(angle)), float(np.sin(angle)), warp)


def _lattice(rng: np.random.Generator, lo: float, hi: float, cell: float) -> F64:
    n = int(np.ceil((hi - lo) / cell)) + 1
    widths = rng.uniform(0.75, 1.25, n) * cell
    return np.concatenate([[lo], lo + np.cumsum(widths)])


def _straighten(coef: F64, along: F64, across: F64) -> F64:
    """Zero the bulge of edges whose steepest segment might reach slope 0.95."""
    steps = EDGE_POINTS + 1
    bound = np.abs(across) / along + steps * np.tensordot(_MODE_STEP, np.abs(coef), axes=1) / along
    return np.where(bound < 0.95, coef, 0.0)
