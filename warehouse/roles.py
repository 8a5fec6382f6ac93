"""The roles, the actions and what a permission table must look like (the `[permissions]` section
of the settings file). warehouse/permissions.py answers who may do what from it."""
from __future__ import annotations


class PermissionTableError(ValueError):
    pass


ROLES = ("admin", "bureau", "planner", "inspector")

# The submission templates a file may be (etl/templates.py): one upload permission each.
UPLOAD_KINDS = ("admin_units", "facilities", "standardization", "monthly_services", "staffing", "inspections")

ACTIONS = {
    "read": "every page, for one's districts",
    "export": "any table's xlsx/csv export",
    **{f"upload_{kind}": f"upload {kind} files" for kind in UPLOAD_KINDS},
    "supervise": "supervision preparation: ranking, route, brief",
    "bulletin": "the monthly bulletin (通报): preview, make and download, for one's districts",
    "plan_sites": "send a list of candidate sites for the coverage page's site plan",
    "record_visit": "record a supervision visit in the browser",
    "confirm_flags": "mark data-quality flags of one's districts as checked",
    "rollback_own": "roll back a file one loaded oneself",
    "rollback_any": "roll back anyone's file in one's districts",
    "restore_version": "publish a kept warehouse version again",
    "manage_users": "the users page: add, disable, reset passwords, roles; the audit log",
}


def check_table(section: dict) -> dict[str, frozenset[str]]:
    """The section as action → roles, or PermissionTableError naming what is wrong: every action must be
    listed (an action left out is a mistake, not a refusal), and only known actions and roles."""
    if not isinstance(section, dict) or not section:
        raise PermissionTableError("missing section [permissions]")
    unknown = sorted(set(section) - set(ACTIONS))
    if unknown:
        raise PermissionTableError(f"[permissions]: unknown actions {unknown}; known: {sorted(ACTIONS)}")
    missing = sorted(set(ACTIONS) - set(section))
    if missing:
        raise PermissionTableError(f"[permissions]: every action needs a list of roles (an empty one refuses "
                            f"everyone); missing: {missing}")
    table = {}
    for action, roles in section.items():
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise PermissionTableError(f"[permissions] {action}: a list of roles, e.g. [\"admin\", \"bureau\"]")
        if set(roles) - set(ROLES):
            raise PermissionTableError(f"[permissions] {action}: unknown roles {sorted(set(roles) - set(ROLES))}; "
                                f"known: {list(ROLES)}")
        table[action] = frozenset(roles)
    return table
