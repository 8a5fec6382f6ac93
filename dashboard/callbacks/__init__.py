"""Importing this package registers every callback (once, from dashboard.app)."""
from dashboard.callbacks import coverage, exports, overview, shell, users  # noqa: F401
