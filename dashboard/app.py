"""The Dash app. `server` is the WSGI entry point for gunicorn (dashboard.app:server)."""
from __future__ import annotations

import os
from pathlib import Path

from dash import Dash

from dashboard import auth, data, downloads
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
        compress=True,        # callback JSON escapes every Chinese character as \uXXXX: gzip undoes that
    )
    trust_proxies(app.server)
    auth.install(app.server)
    limit_requests(app)
    install_templates(app.server)
    install_brief(app.server)
    downloads.install(app.server)
    app.layout = shell()
    import dashboard.callbacks  # noqa: F401  (registers every callback once)
    install_content_policy(app)
    return app


def content_policy(script_hashes) -> str:
    """Scripts only from this server, and Dash's one inline start-up script by its hash (it is the
    same on every page). Styles may be inline: plotly and the grid write style elements and
    attributes. No plugins, no framing, no forms or links to elsewhere."""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' " + " ".join(script_hashes),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def install_content_policy(app: Dash) -> None:
    """The hashes are taken once Dash has set itself up (its first request): the pages' own inline
    script is registered only then."""
    policy: list[str] = []

    @app.server.after_request
    def content_security_policy(response):
        if not policy and app._got_first_request["setup_server"]:
            policy.append(content_policy(app.csp_hashes()))
        response.headers["Content-Security-Policy"] = policy[0] if policy else content_policy([])
        return response


def trust_proxies(server) -> None:
    """Behind N reverse proxies (JICENG_TRUSTED_PROXIES=N), the client's address and scheme are
    the ones the proxies add (X-Forwarded-For, X-Forwarded-Proto): the per-address login delay and
    the audit log then see the real client. Without the setting those headers are ignored, since
    anyone can send them."""
    from werkzeug.middleware.proxy_fix import ProxyFix
    raw = os.environ.get("JICENG_TRUSTED_PROXIES", "").strip()
    if not raw:
        return
    if not raw.isdigit() or not 1 <= int(raw) <= 5:
        raise SystemExit(f"JICENG_TRUSTED_PROXIES must be the number of proxies in front (1–5), not {raw!r}")
    server.wsgi_app = ProxyFix(server.wsgi_app, x_for=int(raw), x_proto=int(raw))


def limit_requests(app: Dash) -> None:
    """No request larger than an upload may be: refused (413) from its Content-Length, before its
    body is read. Files travel base64-encoded in the callback's JSON: 4 bytes for every 3. And no
    callback request that the app's own front end could not have sent (dashboard/request_checks.py):
    a 400 naming the input, never an error inside a callback."""
    import flask

    from dashboard.request_checks import BadRequest, check
    server = app.server
    total_mb = float(data.setting_or("upload.max_total_mb", 100))
    server.config["MAX_CONTENT_LENGTH"] = int(total_mb * 1024 * 1024 * 4 / 3) + 1024 * 1024

    @server.errorhandler(413)
    def too_large(_error):
        return flask.jsonify({"error": "request too large", "limit_mb": total_mb}), 413

    @server.before_request
    def checked_callback_request():
        if flask.request.path != "/_dash-update-component" or flask.request.method != "POST":
            return None
        try:
            check(flask.request.get_json(silent=True), app.callback_map)
        except BadRequest as refused:
            return flask.jsonify({"error": "malformed callback request", "reason": str(refused)}), 400
        return None


def install_templates(server) -> None:
    """Blank templates (xlsx, Chinese headers, an instructions sheet), made from the same
    template definitions the ETL reads with."""
    import io

    import flask

    from etl.template_files import EXAMPLES, write_template
    from warehouse.settings import load_settings

    @server.route("/templates/<kind>.xlsx")
    def template(kind):
        if kind not in EXAMPLES:
            flask.abort(404)
        buffer = io.BytesIO()
        write_template(kind, buffer, load_settings())
        return flask.send_file(io.BytesIO(buffer.getvalue()), download_name=f"{kind}.xlsx", as_attachment=True,
                               mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def install_brief(server) -> None:
    """The print-friendly visit brief, for the user's own facilities only."""
    import flask

    from dashboard import auth
    from dashboard.callbacks.supervision import make_brief
    from dashboard.i18n import t
    from warehouse.queries.supervision import MAX_VISITS

    @server.route("/supervision/brief")
    def print_brief():
        user = auth.current_user()
        if user is None or not user.may("supervise"):
            flask.abort(403)
        con = data.cursor()
        args = flask.request.args
        filters = data.read_filters(con, args.get("area"), args.get("period"), args.get("lang"))
        if filters.period is None:      # nothing loaded yet: no ranking to brief on
            return flask.Response(t("empty.no_data", filters.lang), status=404, mimetype="text/plain")
        codes = [c for c in args.get("codes", "").split(",") if c][:MAX_VISITS]
        types = [k for k in args.get("types", "").split(",") if k]
        content, _ = make_brief(con, filters, codes, "html", types)
        auth.audit("brief", "print " + ",".join(codes))
        return flask.Response(content, mimetype="text/html")


app = create_app(os.environ.get("JICENG_DB"))
server = app.server
