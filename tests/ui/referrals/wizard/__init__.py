"""Tests of the referral wizard, page by page and end to end."""
