"""Tests for placedesk/services/monitoring."""
