"""Tests for placedesk/services/sync."""
