"""The Monitoring tab's entry dialogs: KPIs, CAPs, outcomes, risk, reports and services."""
