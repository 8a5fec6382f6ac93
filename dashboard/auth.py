"""Login, sessions and who is asking: every request but the login page and static files needs a
live session; the user it names decides the scope of every query (dashboard.data.current_scope)."""
from __future__ import annotations

import os
from html import escape
from urllib.parse import urlparse

import flask

from dashboard import data, session
from dashboard.i18n import t
from warehouse.accounts import AccountError, Accounts, User, accounts_path

COOKIE = "jiceng_session"
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
PUBLIC_PATHS = frozenset({"/login", "/favicon.ico"})          # exactly these: not /loginfoo
# on every response: not framed by another site, no type sniffing, no full URLs sent elsewhere
# The Content-Security-Policy, which needs the app's inline script hash, is added by dashboard/app.py.
SECURITY_HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
DASH_API_PREFIXES = ("/_dash-", "/_reload-hash")

_accounts: Accounts | None = None
_accounts_for: str | None = None


def accounts() -> Accounts:
    """The account store beside the configured warehouse (one per process)."""
    global _accounts, _accounts_for
    path = str(accounts_path(data.warehouse_path()))
    if _accounts is None or _accounts_for != path:
        _accounts, _accounts_for = Accounts(path), path
    return _accounts


current_user = session.current_user


def _lang() -> str:
    return "en" if flask.request.args.get("lang") == "en" or flask.request.form.get("lang") == "en" else "zh"


def _safe_next(target: str | None) -> str:
    """Only a local path: never send a user to another site after login."""
    parsed = urlparse(target or "/")
    if parsed.scheme or parsed.netloc or not (target or "/").startswith("/") or (target or "").startswith("//"):
        return "/"
    return target or "/"


def _card_page(lang: str, title: str, heading: str, subtitle: str, message: str | None, ok: bool, body: str) -> str:
    """A small standalone page (sign in, change password): a card with an alert and a form.
    Every value interpolated here is escaped by the caller or here."""
    kind = "success" if ok else "danger"
    alert = f'<div class="alert alert-{kind}" role="alert">{escape(message)}</div>' if message else ""
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · jiceng</title>
<link rel="stylesheet" href="/assets/0_bootstrap.min.css"><link rel="stylesheet" href="/assets/style.css">
</head><body class="login-body">
<main class="login-card card shadow-sm"><div class="card-body">
<h1 class="h4 mb-1">{escape(heading)}</h1>
<p class="text-muted small mb-3">{escape(subtitle)}</p>{alert}
{body}
</div></main></body></html>"""


def login_page(lang: str, message: str | None = None, username: str = "", next_url: str = "/") -> str:
    other = "en" if lang == "zh" else "zh"
    return _card_page(lang, t("login.title", lang), t("product", lang), t("login.title", lang), message, False, f"""<form method="post" action="/login" autocomplete="on">
<input type="hidden" name="next" value="{escape(next_url)}"><input type="hidden" name="lang" value="{lang}">
<div class="mb-3"><label class="form-label" for="login-username">{escape(t('login.username', lang))}</label>
<input class="form-control" id="login-username" name="username" value="{escape(username)}" required autofocus></div>
<div class="mb-3"><label class="form-label" for="login-password">{escape(t('login.password', lang))}</label>
<input class="form-control" id="login-password" name="password" type="password" required></div>
<button class="btn btn-primary w-100" id="login-submit" type="submit">{escape(t('login.submit', lang))}</button>
</form>
<p class="mt-3 mb-0 small"><a href="/login?lang={other}&amp;next={escape(next_url)}">{'English' if lang == 'zh' else '中文'}</a></p>""")


def account_page(lang: str, user: User, message: str | None = None, ok: bool = False) -> str:
    fields = "".join(
        f'<div class="mb-3"><label class="form-label" for="account-{name}">{escape(t(f"account.{name}", lang))}</label>'
        f'<input class="form-control" id="account-{name}" name="{name}" type="password" required></div>'
        for name in ("current", "new", "confirm"))
    return _card_page(lang, t("account.title", lang), t("account.title", lang),
                      f"{user.display_name} ({user.username})", message, ok, f"""<form method="post" action="/account">
<input type="hidden" name="lang" value="{lang}">{fields}
<button class="btn btn-primary w-100" id="account-submit" type="submit">{escape(t('account.submit', lang))}</button>
</form>
<p class="mt-3 mb-0 small"><a href="/{'?lang=en' if lang == 'en' else ''}">{escape(t('notfound.back', lang))}</a></p>""")


def install(server: flask.Flask) -> None:
    """Guard every route of the Flask server behind a session."""

    @server.before_request
    def require_session():
        path = flask.request.path
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return None
        user = accounts().session_user(flask.request.cookies.get(COOKIE))
        if user is None:
            if path.startswith(DASH_API_PREFIXES):
                return flask.jsonify({"error": "login required"}), 401
            target = flask.request.full_path.rstrip("?")
            return flask.redirect(f"/login?next={flask.request.script_root}{_quote(target)}")
        if not user.may("read") and path != "/logout":
            return flask.jsonify({"error": "this role may not read (settings: permissions.read)"}), 403
        flask.g.user = user
        return None

    @server.after_request
    def security_headers(response):
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        return response

    @server.route("/login", methods=["GET", "POST"])
    def login():
        lang = _lang()
        next_url = _safe_next(flask.request.values.get("next"))
        if flask.request.method == "GET":
            return login_page(lang, next_url=next_url)
        username = flask.request.form.get("username", "")
        try:
            user = accounts().authenticate(username, flask.request.form.get("password", ""),
                                           flask.request.remote_addr)
        except AccountError as refused:
            return login_page(lang, t(f"login.{refused.code}", lang, seconds=refused.seconds), username, next_url), \
                429 if refused.code == "throttled" else 401
        response = flask.redirect(next_url)
        response.set_cookie(COOKIE, accounts().open_session(user), httponly=True, samesite="Lax",
                            secure=os.environ.get("JICENG_SECURE_COOKIES") == "1", path="/")
        return response

    @server.route("/account", methods=["GET", "POST"])
    def account():
        """Change one's own password: the current one first, the new one twice."""
        lang, user = _lang(), flask.g.user
        if flask.request.method == "GET":
            return account_page(lang, user)
        form = flask.request.form
        if form.get("new") != form.get("confirm"):
            return account_page(lang, user, t("account.mismatch", lang)), 400
        try:
            accounts().authenticate(user.username, form.get("current", ""), flask.request.remote_addr)
            accounts().set_password(user.username, form.get("new", ""), actor=user)
        except AccountError as refused:
            code = "account.wrong_current" if refused.code == "bad_credentials" else f"login.{refused.code}" \
                if refused.code in ("throttled", "disabled") else f"users.error.{refused.code}"
            return account_page(lang, user, t(code, lang, seconds=refused.seconds)), 400
        accounts().audit(user.username, "password_change", None, flask.request.remote_addr)
        response = flask.redirect("/login" + ("?lang=en" if lang == "en" else ""))
        response.delete_cookie(COOKIE, path="/")     # every session ended: sign in with the new one
        return response

    @server.route("/logout", methods=["GET", "POST"])
    def logout():
        token = flask.request.cookies.get(COOKIE)
        user = accounts().session_user(token)
        accounts().close_session(token)
        if user:
            accounts().audit(user.username, "logout", None, flask.request.remote_addr)
        response = flask.redirect("/login" + ("?lang=en" if _lang() == "en" else ""))
        response.delete_cookie(COOKIE, path="/")
        return response


def _quote(target: str) -> str:
    from urllib.parse import quote
    return quote(target, safe="")


def request_origin() -> str | None:
    """Where the request comes from, for an audit entry written later, off the request (a job)."""
    return flask.request.remote_addr if flask.has_request_context() else None


def audit(action: str, detail: str | None = None, user=None, origin: str | None = None) -> None:
    """One audit entry: who, what, when, from where, within which districts. The session's user
    and the request's address, or (a job, after its request ended) the `user` and `origin` it was
    started by."""
    if user is None:
        user, origin = current_user(), request_origin()
    scope = None if user is None else ("*" if user.role == "admin" else ",".join(user.districts))
    accounts().audit(user.username if user else None, action, detail, origin, scope)
