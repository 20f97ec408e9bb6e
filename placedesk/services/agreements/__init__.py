"""Agreements: Individual Placement Agreements, their versions and signatures, and the officer's signing identity."""
