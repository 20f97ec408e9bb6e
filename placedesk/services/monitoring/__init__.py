"""Monitoring: KPIs, inspections, visits, outcome measures, provider risk, the review schedule, CAPs and the dashboard."""
