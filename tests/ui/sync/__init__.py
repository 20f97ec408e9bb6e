"""Tests for placedesk/ui/sync."""
