"""The logged-in user of the request being answered (set by dashboard/auth.py's login guard).

Its own module so that everything asking "who is this?" (the data access in dashboard/data.py,
the pages) depends on neither the login machinery nor each other."""
from __future__ import annotations

import flask

from warehouse.accounts import User


def current_user() -> User | None:
    return getattr(flask.g, "user", None) if flask.has_request_context() else None
