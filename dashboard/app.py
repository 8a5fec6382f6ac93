"""The Dash app. `server` is the WSGI entry point for gunicorn (dashboard.app:server)."""
from __future__ import annotations

import os
from pathlib import Path

import dash
from dash import Dash

from dashboard import auth, data
from dashboard.layout import shell

HERE = Path(__file__).resolve().parent


def create_app(db_path: str | os.PathLike | None = None) -> Dash:
    data.configure(db_path)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        title="基层卫生监测 jiceng",
        serve_locally=True,
        suppress_callback_exceptions=True,
        update_title=None,
    )
    auth.install(app.server)
    app.layout = shell()
    import dashboard.callbacks  # noqa: F401  (registers every callback once)
    return app


app = create_app(os.environ.get("JICENG_DB"))
server = app.server
