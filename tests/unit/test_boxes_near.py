"""`boxes_near` (which stored features a chunk decodes) keeps every box that meets a patch's."""

from __future__ import annotations

import numpy as np
import pytest

from weipian.storage.layers import boxes_near


def _boxes(rng: np.random.Generator, n: int, span: float, size: float) -> np.ndarray:
    lo = rng.uniform(-span * 0.2, span * 1.2, (n, 2))
    return np.column_stack([lo, lo + rng.uniform(0, size, (n, 2))])


@pytest.mark.parametrize("seed", range(5))
def test_never_misses_a_box_that_meets_and_drops_most_that_do_not(seed: int) -> None:
    rng = np.random.default_rng(seed)
    near = _boxes(rng, 300, 1.0, 0.01)
    boxes = _boxes(rng, 5000, 1.0, 0.02)
    boxes[:5] = near[:5]  # identical boxes, and boxes touching only at an edge
    boxes[5] = [near[6, 2], near[6, 1], near[6, 2] + 0.01, near[6, 3]]
    meets = (
        (boxes[:, None, 0] <= near[None, :, 2])
        & (boxes[:, None, 2] >= near[None, :, 0])
        & (boxes[:, None, 1] <= near[None, :, 3])
        & (boxes[:, None, 3] >= near[None, :, 1])
    ).any(axis=1)
    kept = boxes_near(boxes, near)
    assert not (meets & ~kept).any()
    assert kept[:6].all()
    assert (kept & ~meets).sum() < 0.5 * (~meets).sum()  # a filter worth having
