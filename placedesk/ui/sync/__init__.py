"""Screens for sync: send and receive, the sync panel, conflicts."""
