"""British National Grid (OSGB36 easting/northing) to WGS84 latitude/longitude.

Location tables local authorities hold (OS Code-Point Open, the ONS Postcode
Directory's ``oseast1m``/``osnrth1m``) give grid references in metres. The
conversion follows the Ordnance Survey's "A guide to coordinate systems in
Great Britain": inverse transverse Mercator on the Airy 1830 ellipsoid gives
OSGB36 latitude/longitude, then a seven-parameter Helmert transformation
moves it to WGS84. The Helmert step is good to about 5 metres, far finer
than the distances matching works with.

:func:`grid_to_wgs84_many` does the same sums over whole arrays with numpy,
for tables of a million or more postcodes (OS Code-Point Open).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

# Airy 1830 ellipsoid and the National Grid projection (OS guide, annexes A and C).
_AIRY_A = 6377563.396
_AIRY_B = 6356256.909
_F0 = 0.9996012717
_LAT0 = math.radians(49.0)
_LON0 = math.radians(-2.0)
_N0 = -100000.0
_E0 = 400000.0

# GRS80 / WGS84 ellipsoid.
_WGS_A = 6378137.0
_WGS_B = 6356752.3141

# OSGB36 -> WGS84 Helmert parameters: translations (m), scale (ppm), rotations (arc seconds).
_TX, _TY, _TZ = 446.448, -125.157, 542.060
_S_PPM = -20.4894
_RX, _RY, _RZ = 0.1502, 0.2470, 0.8421


def grid_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """WGS84 (latitude, longitude) in degrees for a National Grid easting/northing in metres."""
    # One formula for one point and for a whole postcode table: the batch form is the only copy.
    (lat,), (lon,) = grid_to_wgs84_many([easting], [northing])
    return lat, lon


def grid_to_wgs84_many(eastings: Sequence[float], northings: Sequence[float]) -> tuple[list[float], list[float]]:
    """:func:`grid_to_wgs84` for many points at once: (latitudes, longitudes) in degrees."""
    import numpy as np

    east = np.asarray(eastings, dtype=np.float64)
    north = np.asarray(northings, dtype=np.float64)
    if east.size == 0:
        return [], []
    a, b = _AIRY_A, _AIRY_B
    e2 = 1 - (b * b) / (a * a)
    n = (a - b) / (a + b)
    n2, n3 = n * n, n * n * n
    lat = np.full(east.shape, _LAT0)
    m = np.zeros(east.shape)
    for _ in range(50):
        lat = (north - _N0 - m) / (a * _F0) + lat
        ma = (1 + n + 1.25 * n2 + 1.25 * n3) * (lat - _LAT0)
        mb = (3 * n + 3 * n2 + 2.625 * n3) * np.sin(lat - _LAT0) * np.cos(lat + _LAT0)
        mc = (1.875 * n2 + 1.875 * n3) * np.sin(2 * (lat - _LAT0)) * np.cos(2 * (lat + _LAT0))
        md = (35 / 24) * n3 * np.sin(3 * (lat - _LAT0)) * np.cos(3 * (lat + _LAT0))
        m = b * _F0 * (ma - mb + mc - md)
        if float(np.max(np.abs(north - _N0 - m))) < 0.00001:
            break
    sin_lat, cos_lat, tan_lat = np.sin(lat), np.cos(lat), np.tan(lat)
    nu = a * _F0 / np.sqrt(1 - e2 * sin_lat * sin_lat)
    rho = a * _F0 * (1 - e2) / (1 - e2 * sin_lat * sin_lat) ** 1.5
    eta2 = nu / rho - 1
    sec_lat = 1 / cos_lat
    tan2, tan4, tan6 = tan_lat**2, tan_lat**4, tan_lat**6
    vii = tan_lat / (2 * rho * nu)
    viii = tan_lat / (24 * rho * nu**3) * (5 + 3 * tan2 + eta2 - 9 * tan2 * eta2)
    ix = tan_lat / (720 * rho * nu**5) * (61 + 90 * tan2 + 45 * tan4)
    x = sec_lat / nu
    xi = sec_lat / (6 * nu**3) * (nu / rho + 2 * tan2)
    xii = sec_lat / (120 * nu**5) * (5 + 28 * tan2 + 24 * tan4)
    xiia = sec_lat / (5040 * nu**7) * (61 + 662 * tan2 + 1320 * tan4 + 720 * tan6)
    de = east - _E0
    lat1 = lat - vii * de**2 + viii * de**4 - ix * de**6
    lon1 = _LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7

    nu1 = a / np.sqrt(1 - e2 * np.sin(lat1) ** 2)
    x1 = nu1 * np.cos(lat1) * np.cos(lon1)
    y1 = nu1 * np.cos(lat1) * np.sin(lon1)
    z1 = (1 - e2) * nu1 * np.sin(lat1)
    s = _S_PPM * 1e-6
    rx, ry, rz = (math.radians(v / 3600) for v in (_RX, _RY, _RZ))
    x2 = _TX + (1 + s) * x1 - rz * y1 + ry * z1
    y2 = _TY + rz * x1 + (1 + s) * y1 - rx * z1
    z2 = _TZ - ry * x1 + rx * y1 + (1 + s) * z1
    we2 = 1 - (_WGS_B * _WGS_B) / (_WGS_A * _WGS_A)
    p = np.hypot(x2, y2)
    lat2 = np.arctan2(z2, p * (1 - we2))
    for _ in range(10):
        nu2 = _WGS_A / np.sqrt(1 - we2 * np.sin(lat2) ** 2)
        lat2 = np.arctan2(z2 + we2 * nu2 * np.sin(lat2), p)
    lon2 = np.arctan2(y2, x2)
    return np.degrees(lat2).tolist(), np.degrees(lon2).tolist()


__all__ = ["grid_to_wgs84", "grid_to_wgs84_many"]
