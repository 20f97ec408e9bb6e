"""Tests for placedesk/ui/monitoring/dialogs."""
