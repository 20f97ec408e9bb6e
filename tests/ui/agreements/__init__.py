"""Tests for placedesk/ui/agreements."""
