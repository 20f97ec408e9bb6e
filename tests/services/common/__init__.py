"""Tests for placedesk/services/common."""
