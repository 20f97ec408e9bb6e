"""Tests for placedesk/ui/care."""
