"""The domain: every rule and workflow step, in plain Python with no Qt.

A service function takes a ``Session``, validates its input, raises a
:class:`placedesk.errors.PlaceDeskError` with a message a user can act on, and
leaves the caller's transaction to commit (one user action, one transaction).
"""
