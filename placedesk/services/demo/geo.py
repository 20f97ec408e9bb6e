"""Invented postcodes in real outward-code areas, each with a location row so distance works."""

from __future__ import annotations

from placedesk.services.demo.places import AREAS, INWARD_LETTERS, Area
from placedesk.services.demo.writer import DemoWriter
from placedesk.services.common.parsing import postcode_key

# About 0.05 degrees of latitude is 5.5 km: postcodes scatter around their outward code's centre.
SPREAD_DEGREES = 0.05


class PostcodeMaker:
    """Hands out unique invented postcodes and records where each lies."""

    def __init__(self, writer: DemoWriter) -> None:
        self.writer = writer
        self._used: set[str] = set()
        self._centres: dict[str, tuple[float, float]] = {}
        rng = writer.rng
        for area in AREAS:
            for code in area.outward_codes:
                # Each outward code sits a little way from its authority's centre.
                lat = round(area.latitude + rng.uniform(-0.06, 0.06), 5)
                lon = round(area.longitude + rng.uniform(-0.08, 0.08), 5)
                self._centres[code] = (lat, lon)
                writer.add("postcode_location", {"postcode": postcode_key(code), "latitude": lat, "longitude": lon})

    def make(self, area: Area) -> str:
        """A new postcode such as ``LS6 2QT`` in ``area``, with its location row buffered."""
        rng = self.writer.rng
        while True:
            outward = self.writer.pick(area.outward_codes)
            inward = f"{rng.randint(1, 9)}{self.writer.pick(INWARD_LETTERS)}{self.writer.pick(INWARD_LETTERS)}"
            postcode = f"{outward} {inward}"
            if postcode not in self._used:
                break
        self._used.add(postcode)
        lat, lon = self._centres[outward]
        self.writer.add(
            "postcode_location",
            {
                "postcode": postcode_key(postcode),
                "latitude": round(lat + rng.uniform(-SPREAD_DEGREES, SPREAD_DEGREES), 5),
                "longitude": round(lon + rng.uniform(-SPREAD_DEGREES * 1.6, SPREAD_DEGREES * 1.6), 5),
            },
        )
        return postcode
