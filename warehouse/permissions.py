"""Who may do what: the permission table, as data.

The table is the `[permissions]` section of the settings file (config/settings.toml): for every
action, the roles that may take it. A bureau changes it there; it takes effect at the next
request, without a load. Every action is checked where it is taken (`authorize` in the warehouse
actions and the loaders), not only where the page offers it; docs/security.md lists the table.
"""
from __future__ import annotations

from pathlib import Path

from warehouse.settings import SettingsError, load_settings, settings_path

ROLES = ("admin", "bureau", "planner", "inspector")

# The submission templates a file may be (etl/templates.py): one upload permission each.
UPLOAD_KINDS = ("admin_units", "facilities", "standardization", "monthly_services", "staffing", "inspections")

ACTIONS = {
    "read": "every page, for one's districts",
    "export": "any table's xlsx/csv export",
    **{f"upload_{kind}": f"upload {kind} files" for kind in UPLOAD_KINDS},
    "supervise": "supervision preparation: ranking, route, brief",
    "record_visit": "record a supervision visit in the browser",
    "confirm_flags": "mark data-quality flags of one's districts as checked",
    "rollback_own": "roll back a file one loaded oneself",
    "rollback_any": "roll back anyone's file in one's districts",
    "restore_version": "publish a kept warehouse version again",
    "manage_users": "the users page: add, disable, reset passwords, roles; the audit log",
}


def check_table(section: dict) -> dict[str, frozenset[str]]:
    """The section as action → roles, or SettingsError naming what is wrong: every action must be
    listed (an action left out is a mistake, not a refusal), and only known actions and roles."""
    if not isinstance(section, dict) or not section:
        raise SettingsError("missing section [permissions]")
    unknown = sorted(set(section) - set(ACTIONS))
    if unknown:
        raise SettingsError(f"[permissions]: unknown actions {unknown}; known: {sorted(ACTIONS)}")
    missing = sorted(set(ACTIONS) - set(section))
    if missing:
        raise SettingsError(f"[permissions]: every action needs a list of roles (an empty one refuses "
                            f"everyone); missing: {missing}")
    table = {}
    for action, roles in section.items():
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise SettingsError(f"[permissions] {action}: a list of roles, e.g. [\"admin\", \"bureau\"]")
        if set(roles) - set(ROLES):
            raise SettingsError(f"[permissions] {action}: unknown roles {sorted(set(roles) - set(ROLES))}; "
                                f"known: {list(ROLES)}")
        table[action] = frozenset(roles)
    return table


_cache: dict = {}


def table() -> dict[str, frozenset[str]]:
    """The current table, read again whenever the settings file changes."""
    path = Path(settings_path())
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if _cache.get("key") != key:
        _cache.update(key=key, table=check_table(load_settings(path).section("permissions")))
    return _cache["table"]


# Not an action of its own: may upload at least one template (the upload page, its link).
ANY_UPLOAD = "upload"


def allowed(role: str, action: str) -> bool:
    if action == ANY_UPLOAD:
        return any(role in table()[f"upload_{kind}"] for kind in UPLOAD_KINDS)
    if action not in ACTIONS:
        raise KeyError(f"no such action: {action}")
    return role in table()[action]


def authorize(user, action: str) -> None:
    """Raises PermissionError unless the user (None: nobody) may take the action."""
    if user is None or not allowed(user.role, action):
        raise PermissionError(action)


def upload_kinds(user) -> frozenset[str]:
    """The templates the user may upload (empty: none)."""
    if user is None:
        return frozenset()
    return frozenset(kind for kind in UPLOAD_KINDS if allowed(user.role, f"upload_{kind}"))


def upload_bounds(user) -> tuple[frozenset[str] | None, frozenset[str]]:
    """What a load on the user's behalf may touch: their districts (None: all, for an
    administrator) and the templates they may upload. PermissionError when they may upload none."""
    kinds = upload_kinds(user)
    if not kinds or user.disabled:
        raise PermissionError(ANY_UPLOAD)
    return (None if user.role == "admin" else frozenset(user.districts)), kinds
