"""Tests for placedesk/services/referrals."""
