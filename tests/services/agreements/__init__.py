"""Tests for placedesk/services/agreements."""
