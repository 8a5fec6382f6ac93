"""`python -m etl load|apply-settings|sample`: the command line of the ETL."""
from __future__ import annotations

import argparse
import errno
import sys
import time
from pathlib import Path

from tqdm import tqdm

from etl.loader import FileResult, apply_settings, load_paths, rebuild
from etl.problems import message_head
from etl.report import ProgressFile, results_to_json, write_atomically
from etl.templates import LOAD_ORDER
from warehouse.settings import SettingsError, load_settings
from warehouse.store import DISK_ERRORS, StoreDamaged, db_path, restore, verify

STATUS_LABEL = {"accepted": "✓ 已入库 accepted", "unchanged": "= 无变化 unchanged (already loaded)",
                "rejected": "✗ 已拒绝 rejected", "skipped": "· 已跳过 skipped"}
DRY_RUN_LABEL = {"accepted": "✓ 可以入库 would be loaded (dry run: nothing written)",
                 "unchanged": "= 无变化 would change nothing (already loaded)"}
SKIP_REASON = {"lock_or_system_file": "Excel 锁文件或系统文件，不是报表 / an Excel lock file or a system file, not a submission"}
WARNINGS_SHOWN = 20


def summary(result: FileResult, dry_run: bool) -> list[str]:
    kinds = ",".join(result.kinds) or "?"
    head = (DRY_RUN_LABEL.get(result.status) if dry_run else None) or STATUS_LABEL[result.status]
    lines = [f"{head}  {result.path}" + (f"  [{kinds}]" if result.status != "skipped" else "")]
    if result.status == "skipped":
        return lines + [f"    {SKIP_REASON.get(result.note, result.note)}"]
    if result.status != "rejected":
        batch = f" · 批次 batch {result.batch_id}" if result.batch_id and not dry_run else ""
        lines.append(f"    行 rows {result.rows:,} · 变更 changed {result.changed:,} · "
                     f"警告 warnings {len(result.warnings):,}{batch}")
    else:
        lines.append(f"    问题 problems: {result.problem_total:,} (文件未入库，仓库未改变 / nothing was loaded)")
        lines.extend(f"    - {p.line()}" for p in result.problems)
        lines.extend(unlisted_lines(result.problems))
    for warning in result.warnings[:WARNINGS_SHOWN]:
        lines.append(f"    ! {warning.line()}")
    if len(result.warnings) > WARNINGS_SHOWN:
        more = len(result.warnings) - WARNINGS_SHOWN
        lines.append(f"    ! … 另有 {more} 条警告 / {more} more warnings (see the data-quality page)")
    return lines


def unlisted_lines(problems) -> list[str]:
    """How many problems were counted but not listed, by reason."""
    unlisted = problems.unlisted()
    if not unlisted:
        return []
    lines = [f"    … 另有 {sum(unlisted.values()):,} 个问题未列出 / {sum(unlisted.values()):,} more problems not listed:"]
    for code, count in unlisted.most_common():
        lines.append(f"      {count:,} × {message_head(code, 'zh')} / {message_head(code, 'en')}")
    return lines


def cmd_load(args) -> int:
    settings = load_settings(args.settings)
    paths = [Path(p) for p in args.paths]
    missing = [p for p in paths if not p.exists()]
    if missing:
        for p in missing:
            print(f"✗ 找不到文件 not found: {p}", file=sys.stderr)
        return 2

    def progress(items):
        return tqdm(items, desc="载入 loading", unit="file", disable=None, file=sys.stderr)

    districts = frozenset(filter(None, args.districts.split(","))) if args.districts is not None else None
    kinds = frozenset(filter(None, args.kinds.split(","))) if args.kinds is not None else None
    loaded_by = args.user
    if args.as_user:
        try:
            districts, kinds = account_bounds(args.db, args.as_user)
        except PermissionError:
            print(f"✗ {args.as_user}: 该账户不能上报 this account may not upload (role, or disabled, or unknown)",
                  file=sys.stderr)
            return 2
        loaded_by = args.as_user
    results = load_paths(paths, db=args.db, dry_run=args.dry_run, forced_kind=args.kind,
                         settings=settings, loaded_by=loaded_by,
                         progress=ProgressFile(Path(args.progress)) if args.progress else progress,
                         allowed_districts=districts, allowed_kinds=kinds)
    if args.report:
        write_atomically(Path(args.report), results_to_json(results))
    for result in results:
        print("\n".join(summary(result, args.dry_run)))
    rejected = sum(r.status == "rejected" for r in results)
    skipped = sum(r.status == "skipped" for r in results)
    ok = len(results) - rejected - skipped
    print(f"\n共 {len(results)} 个文件 files: {ok} {'可以入库 would load' if args.dry_run else '通过 ok'}, "
          f"{rejected} 拒绝 rejected" + (f", {skipped} 跳过 skipped" if skipped else "")
          + f" → {db_path(args.db)}{' (dry run: nothing written)' if args.dry_run else ''}")
    return 1 if rejected else 0


def account_bounds(db, username: str):
    """The districts and templates the account may load (warehouse.permissions), read from the
    account store beside the warehouse; PermissionError for an unknown account."""
    from warehouse.accounts import Accounts, accounts_path
    from warehouse.permissions import upload_bounds
    user = Accounts(accounts_path(db)).get(username)
    if user is None:
        raise PermissionError(username)
    return upload_bounds(user)


def cmd_apply_settings(args) -> int:
    settings = load_settings(args.settings)
    changed = apply_settings(args.db, settings)
    print(("已应用设置 settings applied" if changed else "设置无变化 settings unchanged")
          + f": {settings.path} → {db_path(args.db)}")
    return 0


def cmd_sample(args) -> int:
    from etl.sample_city import PROVINCE, write_sample_city
    shape = PROVINCE if args.province else {"scale": args.scale, "density": args.density}
    files = write_sample_city(Path(args.out), seed=args.seed, **shape)
    for file in files:
        print(file)
    return 0


def cmd_verify(args) -> int:
    states = verify(args.db)
    if not states:
        print(f"✗ 没有仓库 no warehouse at {db_path(args.db)}", file=sys.stderr)
        return 2
    for state in states:
        flags = ["当前 current" if state.current else "", "完整 complete" if state.complete else "未完成 incomplete",
                 "可打开 opens" if state.opens else "✗ 无法打开 DAMAGED"]
        print(f"{state.name}  " + " · ".join(f for f in flags if f))
    current = next((s for s in states if s.current), None)
    if current is None or not current.opens:
        print("✗ 当前版本缺失或损坏，下次载入会改用最新的完好版本 / the current version is missing or damaged: "
              "the next load uses the newest good one", file=sys.stderr)
        return 1
    return 0


def cmd_restore(args) -> int:
    published = restore(args.db, args.version)
    print(f"已恢复 restored {args.version} as {published.name} → {db_path(args.db)}")
    return 0


def cmd_rebuild(args) -> int:
    started = time.perf_counter()
    done = rebuild(args.db, load_settings(args.settings))
    print(f"已重算派生表 derived tables recomputed in full ({', '.join(done.full) or '-'}) "
          f"in {time.perf_counter() - started:.1f} s → {db_path(args.db)}")
    return 0


def cmd_templates(args) -> int:
    from etl.template_files import write_all_templates
    for file in write_all_templates(Path(args.out), load_settings(args.settings)):
        print(file)
    return 0


def cmd_dictionary(args) -> int:
    from warehouse.dictionary import markdown
    text = markdown(load_settings(args.settings))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(args.out)
    else:
        print(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description="jiceng ETL 数据载入")
    parser.add_argument("--settings", help="settings file (default: JICENG_SETTINGS or config/settings.toml)")
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="validate and load submission files or folders")
    load.add_argument("paths", nargs="+", help="files or folders (.csv, .xlsx, .xls, .geojson)")
    load.add_argument("--db", help="warehouse file (default: JICENG_DB or var/jiceng.duckdb)")
    load.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    load.add_argument("--kind", choices=LOAD_ORDER, help="force the template instead of recognizing it")
    load.add_argument("--user", help="who loads (recorded with the batch)")
    load.add_argument("--districts", help="comma-separated district codes the files may touch (default: all)")
    load.add_argument("--kinds", help="comma-separated submission kinds allowed (default: all)")
    load.add_argument("--as-user", help="load on behalf of this account: its districts and the templates its "
                                        "role may upload (the permission table), recorded as its load")
    load.add_argument("--report", help="write the results, every problem included, to this JSON file")
    load.add_argument("--progress", help="keep this JSON file saying how many files are done")
    load.set_defaults(func=cmd_load)
    settings = sub.add_parser("apply-settings", help="write the settings file into the warehouse")
    settings.add_argument("--db")
    settings.set_defaults(func=cmd_apply_settings)
    sample = sub.add_parser("sample", help="generate the sample city's submission files")
    sample.add_argument("--out", default="data_samples")
    sample.add_argument("--scale", type=float, default=1.0, help="blocks of four districts (benchmarks)")
    sample.add_argument("--density", type=float, default=1.0,
                        help="townships per district and stations per township multiplier (benchmarks)")
    sample.add_argument("--province", action="store_true",
                        help="the province shape of the benchmarks (about 3,000 facilities)")
    sample.add_argument("--seed", type=int, default=42)
    sample.set_defaults(func=cmd_sample)
    check = sub.add_parser("verify", help="check every kept warehouse version: current, complete, opens")
    check.add_argument("--db")
    check.set_defaults(func=cmd_verify)
    back = sub.add_parser("restore", help="publish a kept version again (as a new version)")
    back.add_argument("version", help="a version file name, e.g. 000012.duckdb (see verify)")
    back.add_argument("--db")
    back.set_defaults(func=cmd_restore)
    again = sub.add_parser("rebuild", help="recompute every derived table from the rows (a new version)")
    again.add_argument("--db")
    again.set_defaults(func=cmd_rebuild)
    dictionary = sub.add_parser("dictionary", help="write the indicator dictionary (docs/indicators.md) from the settings")
    dictionary.add_argument("--out", help="file to write (default: print it)")
    dictionary.set_defaults(func=cmd_dictionary)
    blank = sub.add_parser("templates", help="write a blank template (.xlsx) for every submission kind")
    blank.add_argument("--out", default="docs/templates")
    blank.set_defaults(func=cmd_templates)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as exc:
        print(f"✗ 设置文件有误 settings error: {exc}", file=sys.stderr)
        return 2
    except StoreDamaged as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    except DISK_ERRORS as exc:
        if getattr(exc, "errno", None) != errno.ENOSPC and "No space left" not in str(exc):
            raise
        print(f"✗ 磁盘已满，未写入任何内容，仓库未改变 / disk full: nothing was written, the warehouse is unchanged "
              f"({db_path(getattr(args, 'db', None)).parent})", file=sys.stderr)
        return 2
