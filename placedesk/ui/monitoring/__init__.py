"""The Monitoring tab's parts: provider list, provider detail panels, entry dialogs, dashboard, due list."""
