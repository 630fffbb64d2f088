"""Pure domain types and code tables: no I/O beyond reading packaged data."""
