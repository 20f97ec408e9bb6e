"""Screens for care: Coming up, the child's page, care periods and SSDA903 import."""
