"""Files sent to the browser. A small file goes inside the callback's answer (dcc.Download: the
file base64 in JSON); a file whose answer would pass 1 MB (a national ranking's workbook, a
province's bulletin of hundreds of pages) is kept a short while under a random token and the
answer carries only its link, which the page follows (a plain download, no JSON around it).

A link is honoured for the user it was made for only, for an hour (docs/architecture.md)."""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from urllib.parse import quote

from dash import dcc, no_update

from dashboard.job_files import prune_folders, read_json, write_json
from warehouse.store import db_path

# base64 writes 3 bytes as 4: a file past this makes an answer of more than 1 MB of JSON
IN_ANSWER_BYTES = 1_000_000 * 3 // 4 - 4096
KEEP_SECONDS = 3600
TOKEN = re.compile(r"[0-9a-f]{32}")


def files_root(warehouse) -> Path:
    path = db_path(warehouse)
    return path.with_name(path.stem + ".downloads")


def deliver(warehouse, username: str, content: bytes, filename: str) -> tuple:
    """(what dcc.Download sends, the link to follow): one of them, the other no_update."""
    if len(content) <= IN_ANSWER_BYTES:
        return dcc.send_bytes(content, filename), no_update
    return no_update, {"url": keep(warehouse, username, content, filename)}


def keep(warehouse, username: str, content: bytes, filename: str) -> str:
    """Keep the file for the user; its link."""
    root = files_root(warehouse)
    prune_folders(root, KEEP_SECONDS)
    token = secrets.token_hex(16)
    folder = root / token
    folder.mkdir(parents=True)
    (folder / "file").write_bytes(content)
    write_json(folder / "file.json", {"owner": username, "name": filename})
    return f"/download/{token}"


def kept(warehouse, username: str, token: str) -> tuple[Path, str] | None:
    """The kept file and its name, for the user it was kept for and within the hour; else None."""
    if not TOKEN.fullmatch(token or ""):
        return None
    folder = files_root(warehouse) / token
    about = read_json(folder / "file.json")
    if not isinstance(about, dict) or about.get("owner") != username:
        return None
    if time.time() - folder.stat().st_mtime > KEEP_SECONDS:
        return None
    return folder / "file", str(about.get("name") or "download")


def install(server) -> None:
    """GET /download/<token>: the kept file as an attachment, to the user it was kept for."""
    import flask

    from dashboard import auth, data

    @server.route("/download/<token>")
    def download(token):
        user = auth.current_user()
        found = kept(data.warehouse_path(), user.username, token) if user is not None else None
        if found is None:
            flask.abort(404)
        path, name = found
        response = flask.send_file(path, as_attachment=True, download_name=name)
        # the name as the user sees it (Chinese included), and an ASCII one for old clients
        plain = re.sub(r"[^A-Za-z0-9._-]", "_", name)
        response.headers["Content-Disposition"] = f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"
        response.headers["Cache-Control"] = "no-store"
        return response
