"""Run desk-comparison chunks on a Dask distributed cluster (``weipian analyze --scheduler``).

Workers run the very function the local pool runs, on the same chunks, and read the store
themselves: every worker machine needs weipian installed and must reach the database
(PostgreSQL for a real cluster; a SQLite file only on a shared path).
"""

from __future__ import annotations

from collections.abc import Iterator

from weipian.services.analyze_chunk import ChunkFacts, ChunkTask, analyze_chunk


def run_on_dask(tasks: list[ChunkTask], address: str) -> Iterator[tuple[ChunkTask, ChunkFacts]]:
    """Submit every chunk to the cluster at ``address``; yield results as they complete."""
    from distributed import Client, as_completed

    with Client(address, set_as_default=False) as client:  # type: ignore[no-untyped-call]
        futures = {client.submit(analyze_chunk, task, pure=False): task for task in tasks}
        for future in as_completed(list(futures), loop=client.loop):  # type: ignore[no-untyped-call]
            yield futures[future], future.result()
