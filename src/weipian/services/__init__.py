"""Use-cases on a session or a store: intake, layers, and (later) analysis and workflow."""
