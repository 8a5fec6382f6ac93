"""Importing this package registers every callback (once, from dashboard.app)."""
from dashboard.callbacks import coverage, exports, facility, overview, quality, shell, standardization, townships, upload, users  # noqa: F401
