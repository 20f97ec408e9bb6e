"""Tests for placedesk/ui/referrals."""
