"""The PySide6 user interface: windows, wizard pages, tabs, item models and dialogs.

Slots here collect input, call one service function, and refresh what changed.
No SQL and no business rule lives in this package.
"""
