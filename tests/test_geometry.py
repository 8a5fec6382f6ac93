"""Boundaries are simplified for the map only: shape kept, surveyed detail dropped."""
import math

from warehouse.geometry import simplify_geometry, simplify_ring


def wobbly_square(points_per_side: int, wobble: float) -> list:
    ring = []
    corners = [(116.0, 39.0), (116.1, 39.0), (116.1, 39.1), (116.0, 39.1)]
    for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1]):
        for k in range(points_per_side):
            t = k / points_per_side
            ring.append([x0 + (x1 - x0) * t + wobble * math.sin(k), y0 + (y1 - y0) * t + wobble * math.cos(k)])
    return ring + [ring[0]]


def test_a_surveyed_boundary_loses_its_invisible_detail_and_keeps_its_corners():
    ring = wobbly_square(2500, 0.00001)                    # 10,000 points wobbling by about 1 m
    simple = simplify_ring(ring)
    assert len(simple) < 20
    assert simple[0] == simple[-1]
    for corner in ([116.0, 39.0], [116.1, 39.0], [116.1, 39.1], [116.0, 39.1]):
        assert min(math.dist(corner, p) for p in simple) < 0.0002


def test_detail_larger_than_the_tolerance_stays():
    ring = wobbly_square(50, 0.002)                         # 200 m wiggles are part of the shape
    assert len(simplify_ring(ring)) > 100


def test_small_rings_and_multipolygons_stay_valid():
    triangle = [[116.0, 39.0], [116.1, 39.0], [116.05, 39.1], [116.0, 39.0]]
    assert simplify_ring(triangle) == triangle
    multi = {"type": "MultiPolygon", "coordinates": [[wobbly_square(500, 0.00001)], [triangle]]}
    simple = simplify_geometry(multi)
    assert simple["type"] == "MultiPolygon" and len(simple["coordinates"]) == 2
    assert all(len(ring) >= 4 and ring[0] == ring[-1] for polygon in simple["coordinates"] for ring in polygon)


def test_a_radius_asked_for_stays_within_what_the_warehouse_keeps():
    from warehouse.geometry import clamp_radius
    assert [clamp_radius(r) for r in ("1500", 100, 5000, "abc", None, float("nan"), 2000.0)] == \
        [1500.0, 400.0, 3000.0, 1200.0, 1200.0, 1200.0, 2000.0]
