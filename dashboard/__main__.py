"""`python -m dashboard [--db PATH] [--host HOST] [--port PORT] [--workers N]` serves the dashboard
with gunicorn (`--debug`: Flask's development server);
`python -m dashboard users add|list|disable|enable|passwd|ensure-admin` manages accounts;
`python -m dashboard bulletin --area CODE --period 2026-10 --out DIR` writes the monthly bulletin
(docs/bulletin.md)."""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from warehouse.accounts import ROLES, AccountError, Accounts, accounts_path, random_password


def ensure_admin(store: Accounts) -> str | None:
    """On the very first start there is no user: create `admin` with a random password, once."""
    if store.count_users():
        return None
    password = random_password()
    store.add_user("admin", password, "admin", display_name="管理员 Administrator")
    store.audit(None, "user_add", "admin (first start)")
    return password


def users_command(args) -> int:
    store = Accounts(accounts_path(args.db))
    try:
        if args.action == "list":
            for user in store.list_users():
                state = "disabled" if user.disabled else "active"
                print(f"{user.username}\t{user.role}\t{','.join(user.districts) or '-'}\t{state}\t{user.display_name}")
        elif args.action == "add":
            password = args.password or random_password()
            districts = [d for d in (args.districts or "").split(",") if d]
            store.add_user(args.username, password, args.role, districts, args.name,
                           known_districts=_warehouse_districts(args.db))
            store.audit(None, "user_add", f"{args.username} {args.role} (command line)")
            if not args.password:
                print(f"password for {args.username}: {password}")
        elif args.action in ("disable", "enable"):
            store.set_disabled(args.username, args.action == "disable")
            store.audit(None, f"user_{args.action}", f"{args.username} (command line)")
        elif args.action == "passwd":
            password = getpass.getpass("new password: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
            store.set_password(args.username, password)
            store.audit(None, "user_password", f"{args.username} (command line)")
        elif args.action == "ensure-admin":
            announce_admin(ensure_admin(store))
    except AccountError as refused:
        print(f"refused: {refused.code}", file=sys.stderr)
        return 1
    return 0


def bulletin_command(argv: list[str]) -> int:
    """The bulletin of an area and period as .docx, .pdf and .json (its figures, the warehouse
    version and the rules' digest it was made from), for a scheduler or by hand. Run by the
    operator: every district is in scope."""
    import json
    from datetime import date
    from pathlib import Path

    from dashboard import bulletin
    from warehouse.scope import Scope
    from warehouse.store import Reader
    parser = argparse.ArgumentParser(prog="python -m dashboard bulletin",
                                     description="月度通报 monthly bulletin: .docx, .pdf and its figures (.json)")
    parser.add_argument("--db", help="warehouse file (default: JICENG_DB or var/jiceng.duckdb)")
    parser.add_argument("--area", required=True, help="a district code, or all")
    parser.add_argument("--period", required=True, help="a month (2026-10) or a quarter (2026Q3)")
    parser.add_argument("--out", required=True, help="folder the files are written to")
    parser.add_argument("--number", default="×", help="the bulletin's number in its document number")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(),
                        help="the issue date, and the day rectifications are overdue by (default: today)")
    args = parser.parse_args(argv)
    try:
        reader = Reader(args.db)
        con = reader.cursor()
        parts, facts, _ = bulletin.compose(con, Scope.everything(), args.area, args.period, args.number, args.today)
    except (ValueError, FileNotFoundError, RuntimeError) as refused:
        print(f"bulletin: {refused}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = bulletin.file_stem(facts.area.code, facts.period.label)
    for fmt, content in bulletin.documents(parts).items():
        (out / f"{stem}.{fmt}").write_bytes(content)
    if not (out / f"{stem}.pdf").exists():
        print("bulletin: PDF skipped: no CJK font (install fonts-wqy-microhei or set JICENG_PDF_FONT)", file=sys.stderr)
    record = bulletin.record(con, facts, parts, reader.path, issued_on=args.today.isoformat())
    (out / f"{stem}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"bulletin: {out / stem}.docx, .pdf, .json")
    return 0


def bring_up_to_date(db) -> bool:
    """A warehouse made by an older version of this code gets this version's views, registry and
    derived tables (what `python -m etl apply-settings` does) before it is served: its pages would
    otherwise ask for tables it does not have yet. Nothing happens when it is current, or when
    there is no warehouse yet. True when a new version was published."""
    from etl.loader import apply_settings
    from warehouse.store import current_version_file, db_path
    if current_version_file(db_path(db)) is None:
        return False
    return apply_settings(db)


def _warehouse_districts(db) -> frozenset[str] | None:
    """The districts of the warehouse beside the accounts, when there is one."""
    from warehouse.queries.areas import district_codes
    from warehouse.store import Reader
    try:
        return district_codes(Reader(db).cursor())
    except (FileNotFoundError, RuntimeError):
        return None


def announce_admin(password: str | None) -> None:
    if password:
        print("=" * 64)
        print("首次启动：已创建管理员账号 / first start: an administrator was created")
        print(f"  用户名 user: admin    密码 password: {password}")
        print("  只显示这一次，请妥善保存 / shown this once: keep it safe")
        print("=" * 64, flush=True)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["users"]:
        parser = argparse.ArgumentParser(prog="python -m dashboard users")
        parser.add_argument("--db", help="warehouse file; accounts live beside it")
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list")
        add = sub.add_parser("add")
        add.add_argument("username")
        add.add_argument("--role", choices=ROLES, required=True)
        add.add_argument("--districts", help="comma-separated district codes (not for admin)")
        add.add_argument("--name", help="display name")
        add.add_argument("--password", help="default: a random one, printed once")
        for action in ("disable", "enable", "passwd"):
            sub.add_parser(action).add_argument("username")
        sub.add_parser("ensure-admin")
        return users_command(parser.parse_args(argv[1:]))

    if argv[:1] == ["bulletin"]:
        return bulletin_command(argv[1:])

    parser = argparse.ArgumentParser(prog="python -m dashboard", description="jiceng dashboard 基层卫生监测")
    parser.add_argument("--db", help="warehouse file (default: JICENG_DB or var/jiceng.duckdb)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="gunicorn worker processes (default: one per core, at least 2)")
    parser.add_argument("--debug", action="store_true", help="Flask's development server, reloading on changes")
    args = parser.parse_args(argv)
    if args.db:
        os.environ["JICENG_DB"] = args.db
    announce_admin(ensure_admin(Accounts(accounts_path(args.db))))
    if bring_up_to_date(args.db):
        print("jiceng: the warehouse was brought up to date with this version (views, settings, derived tables)",
              flush=True)
    print(f"jiceng: http://{args.host}:{args.port}/", flush=True)
    if args.debug:
        from dashboard.app import app
        app.run(host=args.host, port=args.port, debug=True)
    else:
        serve(args.host, args.port, args.workers)
    return 0


def default_workers() -> int:
    return max(2, os.cpu_count() or 1)


def serve(host: str, port: int, workers: int) -> None:
    """The production server (gunicorn): several worker processes, each with its own warehouse
    reader and query cache, threads for the requests a page sends at once."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            # no control socket: its one default path would be shared by every instance on the machine
            for key, value in {"bind": f"{host}:{port}", "workers": max(1, workers), "worker_class": "gthread",
                               "threads": 4, "timeout": 120, "accesslog": None,
                               "control_socket_disable": True}.items():
                self.cfg.set(key, value)

        def load(self):
            from dashboard.app import server
            return server

    Server().run()


if __name__ == "__main__":
    raise SystemExit(main())
