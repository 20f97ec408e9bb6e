"""Tests of the main window tabs."""
