"""Tests for placedesk/services/server."""
