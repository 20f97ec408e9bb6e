"""The main window's tabs: one module per tab, each a :class:`~placedesk.ui.tabs.base.Tab`."""
