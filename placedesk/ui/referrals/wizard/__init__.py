"""The referral wizard: seven pages from a new referral to its agreement (DESIGN.md, the workflow).

Open it with :func:`placedesk.ui.referrals.wizard.referral_wizard.open_referral_wizard`.
"""
