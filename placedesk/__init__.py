"""PlaceDesk: an offline desk for placement officers, from referral to signed contract."""

__version__ = "0.1.0"
