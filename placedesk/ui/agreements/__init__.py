"""Screens for agreements: the Placements tab and one placement's IPA panel."""
