"""Boundaries drawn on a map do not need every surveyed vertex: a township boundary from a
land-survey shapefile can carry thousands of points, which a province map would send by the
megabyte. Simplified with Ramer–Douglas–Peucker for display only; the warehouse keeps the
geometry as submitted."""
from __future__ import annotations

import numpy as np

# The walking radius of the 15-minute circle (docs/domain.md section 6). The warehouse keeps
# community-facility distances up to MAX_RADIUS_M (views.sql reads it as max_radius_m()), so a
# larger radius cannot be asked for; the page's slider spans MIN_RADIUS_M to MAX_RADIUS_M, and
# DEFAULT_RADIUS_M stands in when the settings give none (coverage.radius_m).
MIN_RADIUS_M = 400
MAX_RADIUS_M = 3000
DEFAULT_RADIUS_M = 1200


def clamp_radius(radius_m) -> float:
    """A radius asked for, within what the warehouse keeps distances for; not a number: the default."""
    try:
        radius = float(radius_m)
    except (TypeError, ValueError):
        return float(DEFAULT_RADIUS_M)
    if radius != radius:                       # NaN
        return float(DEFAULT_RADIUS_M)
    return float(min(max(radius, MIN_RADIUS_M), MAX_RADIUS_M))


# about 20 m: invisible at the zoom a township map is drawn at
DISPLAY_TOLERANCE_DEGREES = 0.0002
# a map of many townships (drawn by township only, queries.coverage.MapLayers) is seen from far
# enough that ~200 m of outline detail is below a pixel
OVERVIEW_TOLERANCE_DEGREES = 0.002


def simplify_ring(ring: list, tolerance: float = DISPLAY_TOLERANCE_DEGREES) -> list:
    """The ring's points that matter at this tolerance, in order, first and last kept."""
    if len(ring) <= 5:
        return ring
    points = np.asarray(ring, dtype=float)[:, :2]
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    pending = [(0, len(points) - 1)]
    while pending:
        start, end = pending.pop()
        if end <= start + 1:
            continue
        inner = points[start + 1:end]
        origin, direction = points[start], points[end] - points[start]
        length = np.hypot(*direction)
        if length == 0:
            distance = np.hypot(*(inner - origin).T)
        else:
            distance = np.abs(direction[0] * (inner[:, 1] - origin[1])
                              - direction[1] * (inner[:, 0] - origin[0])) / length
        farthest = int(np.argmax(distance))
        if distance[farthest] > tolerance:
            keep[start + 1 + farthest] = True
            pending += [(start, start + 1 + farthest), (start + 1 + farthest, end)]
    if keep.sum() < 4:
        return ring          # a ring needs 4 points; a sliver stays as it was
    return points[keep].round(6).tolist()


def simplify_geometry(geometry: dict, tolerance: float = DISPLAY_TOLERANCE_DEGREES) -> dict:
    """A GeoJSON Polygon or MultiPolygon with every ring simplified."""
    if geometry.get("type") == "Polygon":
        return {**geometry, "coordinates": [simplify_ring(r, tolerance) for r in geometry["coordinates"]]}
    if geometry.get("type") == "MultiPolygon":
        return {**geometry, "coordinates": [[simplify_ring(r, tolerance) for r in polygon]
                                            for polygon in geometry["coordinates"]]}
    return geometry
