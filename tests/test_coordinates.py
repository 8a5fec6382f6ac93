from etl.coordinates import from_wgs84, to_wgs84

from warehouse_test_helpers import haversine_m


def test_gcj02_and_bd09_round_trip_to_within_a_metre():
    lon, lat = 117.0123, 36.6712
    for crs in ("GCJ02", "BD09"):
        shifted = from_wgs84(lon, lat, crs)
        assert haversine_m(lon, lat, *shifted) > 100      # really shifted, as on Gaode/Baidu maps
        back = to_wgs84(*shifted, crs)
        assert haversine_m(lon, lat, *back) < 1.0


def test_wgs84_is_unchanged():
    assert to_wgs84(117.0, 36.6, "WGS84") == (117.0, 36.6)
