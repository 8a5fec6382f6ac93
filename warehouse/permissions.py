"""Who may do what: the permission table, as data.

The table is the `[permissions]` section of the settings file (config/settings.toml): for every
action, the roles that may take it. A bureau changes it there; it takes effect at the next
request, without a load. Every action is checked where it is taken (`authorize` in the warehouse
actions and the loaders), not only where the page offers it; docs/security.md lists the table.
"""
from __future__ import annotations

from warehouse.roles import ACTIONS, UPLOAD_KINDS, check_table
from warehouse.settings import current_settings

_checked: dict = {}


def table() -> dict[str, frozenset[str]]:
    """The current table, read again whenever the settings file changes."""
    settings = current_settings()
    if _checked.get("sha256") != settings.sha256:
        # the settings were checked when read (a mistake stops them there): this only shapes the table
        _checked.update(sha256=settings.sha256, table=check_table(settings.section("permissions")))
    return _checked["table"]


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


def may_roll_back(user, loaded_by: str | None) -> bool:
    """Whether the user may roll back a file `loaded_by` someone (in their districts): their own
    with `rollback_own`, anyone's with `rollback_any`."""
    return user is not None and (allowed(user.role, "rollback_any")
                                 or (loaded_by == user.username and allowed(user.role, "rollback_own")))


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
    return user.scope.districts, kinds
