"""The demo county generator (``weipian demo``): a synthetic county at Nan'an's location in real
delivery formats, with before/after imagery. Only the CLI, the tests and the benchmarks use it
(an import contract says so); nothing here reads or writes the store."""

from weipian.demo.county import write_demo
from weipian.demo.imagery import write_demo_imagery
from weipian.demo.manifest import DemoManifest, DemoPackage

__all__ = ["DemoManifest", "DemoPackage", "write_demo", "write_demo_imagery"]
