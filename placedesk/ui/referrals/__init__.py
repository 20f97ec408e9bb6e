"""Screens for referrals and matching: the referral wizard, the Referrals tab and the Providers tab."""
