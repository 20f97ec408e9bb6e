"""Tests for the Monitoring tab's parts (placedesk/ui/monitoring)."""
