"""weipian (卫片): satellite-imagery enforcement of land and mineral law for a county bureau."""

__version__ = "0.1.0"
