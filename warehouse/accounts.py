"""Users, sessions, lockout, the audit log, and each user's favourites (saved analysis views).

They live in a small SQLite file beside the warehouse (`var/jiceng.auth.sqlite` for
`var/jiceng.duckdb`), not in the warehouse itself: logins and audit entries are small writes from
every dashboard worker at any moment, while the warehouse is read-only for the dashboard and
replaced on every load. SQLite in WAL mode takes concurrent writers from several processes.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from warehouse.permissions import allowed, authorize
from warehouse.roles import ROLES
from warehouse.scope import Scope
from warehouse.store import db_path

MIN_PASSWORD_LENGTH = 10
# Failed logins slow further attempts down instead of locking an account (which anyone could do
# to anyone, the administrator included): after FREE_FAILURES failures in a row for an account,
# or FREE_FAILURES_PER_ADDRESS from one client address (more: many users may share an office's
# address, or a proxy's, see docs), the next attempt waits FIRST_WAIT, then twice as long after
# each further failure, up to LONGEST_WAIT. A success clears both counts; a new password the
# account's.
FREE_FAILURES = 3
FREE_FAILURES_PER_ADDRESS = 10
FIRST_WAIT = timedelta(seconds=2)
LONGEST_WAIT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)

_hasher = PasswordHasher()

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    districts TEXT NOT NULL DEFAULT '[]',      -- JSON list of district codes; ignored for admin
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS login_throttle (
    key TEXT PRIMARY KEY,                      -- 'user:<name>' or 'addr:<client address>'
    failures INTEGER NOT NULL,
    wait_until TEXT
);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    username TEXT,
    action TEXT NOT NULL,
    detail TEXT,
    remote_addr TEXT,
    scope TEXT                                 -- the districts the user acted within; '*': all
);
CREATE TABLE IF NOT EXISTS favourite (         -- a user's saved views of the analysis page
    username TEXT NOT NULL REFERENCES users(username),
    name TEXT NOT NULL,
    query TEXT NOT NULL,                       -- the page's query string (dashboard/analysis_view.py)
    saved_at TEXT NOT NULL,
    PRIMARY KEY (username, name)
);
"""
# Columns added after the first release: (table, column, declaration), added when missing.
ADDED_COLUMNS = (("audit_log", "scope", "TEXT"),)
AUDIT_EXPORT_LIMIT = 100_000
# Favourites: a name fits a link on a phone; a query the page writes is far shorter than its limit.
MAX_FAVOURITE_NAME = 40
MAX_FAVOURITE_QUERY = 4000
MAX_FAVOURITES = 50


class AccountError(ValueError):
    """A refused account operation; `code` names the reason for the UI; `seconds`: how long to
    wait before trying again (code 'throttled')."""

    def __init__(self, code: str, seconds: int = 0):
        super().__init__(code)
        self.code = code
        self.seconds = seconds


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    districts: tuple[str, ...]
    disabled: bool

    @property
    def scope(self) -> Scope:
        return Scope.everything() if self.role == "admin" else Scope(frozenset(self.districts))

    def may(self, action: str) -> bool:
        """What the permission table (warehouse.permissions, from the settings) gives the role."""
        return allowed(self.role, action)


def accounts_path(warehouse: str | os.PathLike | None = None) -> Path:
    if os.environ.get("JICENG_AUTH_DB"):
        return Path(os.environ["JICENG_AUTH_DB"])
    path = db_path(warehouse)
    return path.with_name(path.name.removesuffix(".duckdb") + ".auth.sqlite")


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(SCHEMA)
            for table, column, declaration in ADDED_COLUMNS:
                if column not in {r["name"] for r in con.execute(f"PRAGMA table_info({table})")}:
                    con.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA busy_timeout=30000")
        con.row_factory = sqlite3.Row
        return con

    # --- users ----------------------------------------------------------------------------------
    def count_users(self) -> int:
        with self._connect() as con:
            return con.execute("SELECT count(*) FROM users").fetchone()[0]

    def add_user(self, username: str, password: str, role: str, districts: list[str] | tuple = (),
                 display_name: str | None = None, actor: User | None = None,
                 known_districts: frozenset[str] | None = None) -> User:
        """`known_districts`: the warehouse's districts, when it has any; a user is never given one
        it does not know."""
        _require_admin(actor)
        username = (username or "").strip()
        if not username or len(username) > 64 or any(c.isspace() for c in username):
            raise AccountError("bad_username")
        if role not in ROLES:
            raise AccountError("bad_role")
        if role != "admin" and not districts:
            raise AccountError("districts_required")
        _check_districts(districts, known_districts)
        _check_password(password, username, display_name or "")
        with self._connect() as con:
            try:
                con.execute(
                    "INSERT INTO users (username, display_name, role, districts, password_hash, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [username, display_name or username, role, json.dumps(sorted(set(districts))),
                     _hasher.hash(password), _now().isoformat()])
            except sqlite3.IntegrityError:
                raise AccountError("user_exists") from None
        return self.get(username)

    def get(self, username: str) -> User | None:
        with self._connect() as con:
            row = con.execute("SELECT * FROM users WHERE username = ?", [username]).fetchone()
        return _user(row) if row else None

    def list_users(self, actor: User | None = None) -> list[User]:
        _require_admin(actor)
        with self._connect() as con:
            return [_user(r) for r in con.execute("SELECT * FROM users ORDER BY username").fetchall()]

    def set_disabled(self, username: str, disabled: bool, actor: User | None = None) -> None:
        _require_admin(actor)
        if actor is not None and actor.username == username and disabled:
            raise AccountError("not_yourself")
        with self._connect() as con:
            if con.execute("UPDATE users SET disabled = ? WHERE username = ?", [int(disabled), username]).rowcount == 0:
                raise AccountError("no_such_user")
            if disabled:
                con.execute("DELETE FROM sessions WHERE username = ?", [username])

    def set_password(self, username: str, password: str, actor: User | None = None) -> None:
        """An admin may set anyone's password; any user may change their own."""
        if actor is not None and actor.username != username:
            _require_admin(actor)
        _check_password(password, username)
        with self._connect() as con:
            con.execute("DELETE FROM login_throttle WHERE key = ?", [f"user:{username}"])
            changed = con.execute("UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL "
                                  "WHERE username = ?", [_hasher.hash(password), username]).rowcount
            if not changed:
                raise AccountError("no_such_user")
            con.execute("DELETE FROM sessions WHERE username = ?", [username])

    def set_role(self, username: str, role: str, districts: list[str] | tuple, actor: User | None = None,
                 known_districts: frozenset[str] | None = None) -> None:
        _require_admin(actor)
        if role not in ROLES:
            raise AccountError("bad_role")
        if role != "admin" and not districts:
            raise AccountError("districts_required")
        _check_districts(districts, known_districts)
        with self._connect() as con:
            if con.execute("UPDATE users SET role = ?, districts = ? WHERE username = ?",
                           [role, json.dumps(sorted(set(districts))), username]).rowcount == 0:
                raise AccountError("no_such_user")

    # --- logging in -------------------------------------------------------------------------------
    def authenticate(self, username: str, password: str, remote_addr: str | None = None) -> User:
        """The user, or AccountError('bad_credentials' | 'throttled' | 'disabled'). Unknown users
        and wrong passwords get the same answer; failures slow the next attempts down (above)."""
        now = _now()
        keys = [f"user:{username or ''}"[:200], f"addr:{remote_addr or '?'}"]
        with self._connect() as con:
            waits = [datetime.fromisoformat(r["wait_until"]) for r in con.execute(
                "SELECT wait_until FROM login_throttle WHERE key IN (?, ?) AND wait_until IS NOT NULL", keys)]
            wait = max(waits, default=now)
            if wait > now:
                self._audit(con, username, "login_throttled", None, remote_addr)
                raise AccountError("throttled", int((wait - now).total_seconds()) + 1)
            row = con.execute("SELECT * FROM users WHERE username = ?", [username or ""]).fetchone()
            try:
                if row is None:
                    _hasher.hash(password or "x")          # same work as a real check: no timing hint
                    raise VerificationError("unknown user")
                _hasher.verify(row["password_hash"], password or "")
            except (VerificationError, InvalidHashError) as failed:
                failures = self._count_failure(con, keys, now)
                self._audit(con, username, "login_failed",
                            f"{'unknown user' if row is None else 'wrong password'} (failure {failures})", remote_addr)
                raise AccountError("bad_credentials") from failed
            if row["disabled"]:
                self._audit(con, username, "login_failed", "disabled", remote_addr)
                raise AccountError("disabled")
            con.execute("DELETE FROM login_throttle WHERE key IN (?, ?)", keys)
            if _hasher.check_needs_rehash(row["password_hash"]):
                con.execute("UPDATE users SET password_hash = ? WHERE username = ?", [_hasher.hash(password), username])
            self._audit(con, username, "login", None, remote_addr,
                        "*" if row["role"] == "admin" else ",".join(json.loads(row["districts"])))
        return self.get(username)

    @staticmethod
    def _count_failure(con: sqlite3.Connection, keys: list[str], now: datetime) -> int:
        """One more failure for the account and the address; returns the account's count."""
        counts = []
        for key in keys:
            row = con.execute("SELECT failures FROM login_throttle WHERE key = ?", [key]).fetchone()
            failures = (row["failures"] if row else 0) + 1
            free = FREE_FAILURES if key.startswith("user:") else FREE_FAILURES_PER_ADDRESS
            wait = None
            if failures >= free:
                wait = now + min(FIRST_WAIT * 2 ** (failures - free), LONGEST_WAIT)
            con.execute("INSERT OR REPLACE INTO login_throttle VALUES (?, ?, ?)",
                        [key, failures, wait.isoformat() if wait else None])
            counts.append(failures)
        return counts[0]

    def open_session(self, user: User) -> str:
        token = secrets.token_urlsafe(32)
        now = _now()
        with self._connect() as con:
            con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)",
                        [_token_hash(token), user.username, now.isoformat(), (now + SESSION_LIFETIME).isoformat()])
            con.execute("DELETE FROM sessions WHERE expires_at < ?", [now.isoformat()])
        return token

    def session_user(self, token: str | None) -> User | None:
        """The user of a live session on an enabled account, else None."""
        if not token:
            return None
        with self._connect() as con:
            row = con.execute("""SELECT u.* FROM sessions s JOIN users u USING (username)
                                 WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0""",
                              [_token_hash(token), _now().isoformat()]).fetchone()
        return _user(row) if row else None

    def close_session(self, token: str | None) -> None:
        if token:
            with self._connect() as con:
                con.execute("DELETE FROM sessions WHERE token_hash = ?", [_token_hash(token)])

    # --- audit ---------------------------------------------------------------------------------
    def audit(self, username: str | None, action: str, detail: str | None = None,
              remote_addr: str | None = None, scope: str | None = None) -> None:
        with self._connect() as con:
            self._audit(con, username, action, detail, remote_addr, scope)

    @staticmethod
    def _audit(con, username, action, detail, remote_addr, scope=None) -> None:
        con.execute("INSERT INTO audit_log (at, username, action, detail, remote_addr, scope) VALUES (?, ?, ?, ?, ?, ?)",
                    [_now().isoformat(), username, action, detail, remote_addr, scope])

    def audit_entries(self, limit: int = 200, actor: User | None = None, username: str | None = None,
                      action: str | None = None, since: str | None = None, until: str | None = None,
                      text: str | None = None) -> list[dict]:
        """The newest entries first, filtered: by user, by action, from `since` to `until`
        (dates, YYYY-MM-DD, both included) and by a text found in the detail."""
        _require_admin(actor)
        until_next = (datetime.fromisoformat(until) + timedelta(days=1)).date().isoformat() if until else None
        with self._connect() as con:
            return [dict(r) for r in con.execute("""
                SELECT id, at, username, action, detail, scope, remote_addr FROM audit_log
                WHERE (? IS NULL OR username = ?) AND (? IS NULL OR action = ?)
                  AND (? IS NULL OR at >= ?) AND (? IS NULL OR at < ?)
                  AND (? IS NULL OR instr(coalesce(detail, ''), ?) > 0)
                ORDER BY id DESC LIMIT ?""",
                [username, username, action, action, since, since, until_next, until_next, text, text,
                 min(int(limit), AUDIT_EXPORT_LIMIT)])]

    def audit_actions(self, actor: User | None = None) -> list[str]:
        _require_admin(actor)
        with self._connect() as con:
            return [r[0] for r in con.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")]

    # --- favourites: each user's own; `user` is the session's, never a name the browser sends ----
    def list_favourites(self, user: User) -> list[dict]:
        """The user's favourites (name, query, saved_at), by name."""
        authorize(user, "read")
        with self._connect() as con:
            return [dict(r) for r in con.execute("SELECT name, query, saved_at FROM favourite WHERE username = ? "
                                                 "ORDER BY name", [user.username])]

    def save_favourite(self, user: User, name: str, query: str) -> str:
        """Saves (or replaces) the user's favourite of that name; returns the name as kept (spaces
        trimmed). AccountError 'favourite_name' (empty, longer than MAX_FAVOURITE_NAME, or with
        control characters), 'favourite_query', 'too_many_favourites' (MAX_FAVOURITES)."""
        authorize(user, "read")
        name = " ".join(str(name or "").split())
        if not name or len(name) > MAX_FAVOURITE_NAME or any(unicodedata.category(c).startswith("C") for c in name):
            raise AccountError("favourite_name")
        if not isinstance(query, str) or len(query) > MAX_FAVOURITE_QUERY or any(c.isspace() for c in query):
            raise AccountError("favourite_query")
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")      # the count and the insert as one: two tabs cannot pass the limit
            kept = con.execute("SELECT count(*) FROM favourite WHERE username = ? AND name != ?",
                               [user.username, name]).fetchone()[0]
            if kept >= MAX_FAVOURITES:
                con.execute("ROLLBACK")
                raise AccountError("too_many_favourites")
            con.execute("INSERT OR REPLACE INTO favourite VALUES (?, ?, ?, ?)",
                        [user.username, name, query, _now().isoformat()])
            con.execute("COMMIT")
        return name

    def delete_favourite(self, user: User, name: str) -> None:
        """Deletes the user's own favourite of that name; AccountError 'no_such_favourite'."""
        authorize(user, "read")
        with self._connect() as con:
            if con.execute("DELETE FROM favourite WHERE username = ? AND name = ?",
                           [user.username, str(name or "")]).rowcount == 0:
                raise AccountError("no_such_favourite")


def _user(row) -> User:
    return User(row["username"], row["display_name"], row["role"], tuple(json.loads(row["districts"])),
                bool(row["disabled"]))


def _require_admin(actor: User | None) -> None:
    """Account management from the web needs an admin; None is the local command line."""
    if actor is not None and not actor.may("manage_users"):
        raise AccountError("forbidden")


def _check_districts(districts, known: frozenset[str] | None) -> None:
    if not isinstance(districts, (list, tuple)) or not all(isinstance(d, str) for d in districts):
        raise AccountError("unknown_district")
    if known is not None and not set(districts) <= known:
        raise AccountError("unknown_district")


MIN_PASSWORD_SCORE = 3      # zxcvbn's 0–4: 3 is "safely unguessable" by an online attacker


def _check_password(password: str, *personal: str) -> None:
    """At least MIN_PASSWORD_LENGTH characters, and not guessable: repeats (aaaaaaaaaa),
    sequences and keyboard rows (1234567890, qwertyuiop), common passwords and words, or the
    account's own name (zxcvbn's estimate)."""
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("weak_password")
    if zxcvbn(password[:100], user_inputs=[p for p in personal if p])["score"] < MIN_PASSWORD_SCORE:
        raise AccountError("guessable_password")


def random_password() -> str:
    return secrets.token_urlsafe(12)
