"""Tests for placedesk/services/care."""
