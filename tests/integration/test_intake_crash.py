"""A process killed in the middle of an import leaves the store exactly as it was."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import func, select

from factories import REGION, patch_rows, square_grid, write_vector
from weipian.domain.sources import Source
from weipian.services.intake import IntakeOptions, import_package
from weipian.storage.store import Store
from weipian.storage.tables import batches, patches

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from weipian.domain.sources import Source
    from weipian.services.intake import IntakeOptions, import_package
    from weipian.storage.store import Store

    def progress(step, done, total):
        if step == "写入图斑":  # rows are in the open transaction now: die without cleanup
            os.kill(os.getpid(), signal.SIGKILL)

    store = Store(sys.argv[1])
    import_package(store, Path(sys.argv[2]), IntakeOptions(source=Source.ministry, batch="killed", region=(117.8, 24.4, 118.9, 25.5)), progress=progress)
    """
)


def test_killed_import_writes_nothing(store: Store, tmp_path: Path) -> None:
    pkg = write_vector(tmp_path / "p.gpkg", patch_rows(20), square_grid(20))
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, store.url, str(pkg)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with store.reading() as s:
        assert s.scalar(select(func.count()).select_from(patches)) == 0
        assert s.scalar(select(func.count()).select_from(batches)) == 0
    # The store is still usable, and the same batch imports cleanly afterwards.
    summary = import_package(store, pkg, IntakeOptions(source=Source.ministry, batch="killed", region=REGION))
    assert summary.accepted == 20
