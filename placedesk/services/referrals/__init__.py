"""Referrals and matching: the referral workflow, wizard drafts, provider matching and restrictions, offers, award, funding, the provider directory, Ofsted and postcode imports."""
