"""Importing this package registers every callback (once, from dashboard.app)."""
from dashboard.callbacks import coverage, exports, facility, overview, shell, standardization, townships, users  # noqa: F401
