"""Pure geometry: validity, CRS, area, overlay. One operation a module."""
