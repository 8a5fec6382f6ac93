"""Loading files: read, recognize, validate against the warehouse, write in one transaction each."""
from __future__ import annotations

import gc
import hashlib
import logging
import multiprocessing
import os
import pickle
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd

from etl import normalize as n
from etl.headers import HEADER_SEARCH_ROWS, RecognizedSheet, find_header, unaccounted_columns
from etl.problems import Findings, Problem, ProblemList
from etl.readers import SUPPORTED_SUFFIXES, ReadError, ReadLimits, Sheet, read_geojson, read_sheets
from etl.templates import LOAD_ORDER, near_miss, templates
from etl.validate import Dataset, Reference, SheetContext, validate_boundaries, validate_sheet
from warehouse import schema
from warehouse.ingest import FileBatch, record_warnings
from warehouse.permissions import authorize
from warehouse.queries import reference as ref_queries
from warehouse.settings import Settings, load_settings
from warehouse.store import WriterSession

# Files a folder may hold that are no submission: Excel's lock files and the system's own.
SKIPPED_PREFIXES = ("~$", ".")
SKIPPED_NAMES = ("thumbs.db", "desktop.ini")


@dataclass
class PreparedFile:
    path: Path
    sha256: str = ""
    kinds: list[str] = field(default_factory=list)
    sheets: list[RecognizedSheet] = field(default_factory=list)
    geojson: object = None
    findings: Findings = field(default_factory=Findings)


@dataclass
class FileResult:
    path: Path
    kinds: list[str]
    status: str                      # accepted | unchanged | rejected | skipped
    rows: int = 0
    changed: int = 0
    batch_id: int | None = None
    problems: ProblemList = field(default_factory=ProblemList)
    warnings: list[Problem] = field(default_factory=list)
    note: str = ""                   # why a file was skipped

    @property
    def problem_total(self) -> int:
        return self.problems.total


def is_skipped_name(path: Path) -> bool:
    return path.name.startswith(SKIPPED_PREFIXES) or path.name.lower() in SKIPPED_NAMES


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """The files to load, and the files of a folder that are skipped (lock and system files).
    Every other file of a folder is loaded or rejected: an unsupported type is a rejection, never
    a file passed over in silence."""
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            for item in sorted(p for p in path.rglob("*") if p.is_file()):
                (skipped if is_skipped_name(item) or any(part.startswith(".") for part in
                                                         item.relative_to(path).parts[:-1]) else files).append(item)
        else:
            files.append(path)
    return files, skipped


def read_limits(settings: Settings) -> ReadLimits:
    return ReadLimits.from_section(settings.section("reading"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def prepare(path: Path, settings: Settings, forced_kind: str | None = None) -> PreparedFile:
    """Read a file and find its template(s); read errors become problems of the file, and so does
    anything unforeseen while reading it: one file never stops the others of a folder."""
    try:
        return _prepare(path, settings, forced_kind)
    except Exception as exc:       # noqa: BLE001 - the file is rejected with the reason; logged for us
        logging.getLogger(__name__).debug("reading %s failed", path, exc_info=True)
        prepared = PreparedFile(path)
        prepared.findings.problems.append(Problem("unreadable_file", path.name, detail=type(exc).__name__))
        return prepared


def _prepare(path: Path, settings: Settings, forced_kind: str | None = None) -> PreparedFile:
    prepared = PreparedFile(path)
    problems = prepared.findings.problems
    problems.limit = int(settings.section("reading").get("max_problems_listed", problems.limit))
    limits = read_limits(settings)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES and forced_kind != "boundaries":
        problems.append(Problem("unsupported_type", path.name, value=path.suffix or path.name))
        return prepared
    try:
        prepared.sha256 = _sha256(path)
    except OSError as exc:
        problems.append(Problem("unreadable_file", path.name, detail=exc.strerror or str(exc)))
        return prepared
    all_templates = templates(settings)
    if forced_kind:
        all_templates = {forced_kind: all_templates[forced_kind]}
    try:
        if suffix in (".geojson", ".json") or forced_kind == "boundaries":
            prepared.geojson = read_geojson(path, limits)
            prepared.kinds = ["boundaries"]
            return prepared
        if suffix == ".csv":
            # The header is looked for in the first rows before the whole file is parsed.
            head = read_sheets(path, max_rows=HEADER_SEARCH_ROWS + 1, limits=limits)
            if not any(find_header(sheet, all_templates) for sheet in head):
                problems.extend(_why_no_template(path.name, head, all_templates))
                return prepared
        sheets = read_sheets(path, limits=limits)
    except ReadError as exc:
        problems.append(Problem(exc.code, path.name, detail=exc.detail))
        return prepared
    for sheet in sheets:
        found = find_header(sheet, all_templates)
        if found:
            prepared.sheets.append(found)
    if not prepared.sheets:
        problems.extend(_why_no_template(path.name, sheets, all_templates))
    ignored = {n.header_key(h) for h in settings.section("reading").get("ignored_headers", ())}
    for found in prepared.sheets:
        problems.extend(unaccounted_columns(path.name, found, ignored))
    prepared.sheets.sort(key=lambda s: LOAD_ORDER.index(s.template.kind))
    prepared.kinds = list(dict.fromkeys(s.template.kind for s in prepared.sheets))
    return prepared


def _why_no_template(file: str, sheets: list[Sheet], all_templates) -> list[Problem]:
    # Name the missing columns of the template a header row came closest to, if any did.
    for sheet in sheets:
        for number, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
            miss = near_miss(cells, all_templates)
            if miss:
                template, missing = miss
                return [Problem("missing_column", file, sheet.name, number, c.zh, detail=f"{c.zh} / {c.en}")
                        for c in missing] or [Problem("no_measures", file, sheet.name, number)]
    if all(not any(not n.is_blank(c) for c in cells) for s in sheets for _, cells in s.rows):
        return [Problem("empty_file", file)]
    return [Problem("no_template", file)]


# The kinds whose validation adds to the reference: a registry names the codes the files after it
# may use.
REFERENCE_KINDS = frozenset({"admin_units", "facilities"})


def read_reference(con, allowed_districts: frozenset[str] | None = None) -> Reference:
    return Reference(ref_queries.known_areas(con), ref_queries.known_facilities(con),
                     ref_queries.area_districts(con), ref_queries.facility_districts(con), allowed_districts,
                     ref_queries.facility_dates(con))


def validate_prepared(prepared: PreparedFile, con, settings: Settings, today: date,
                      allowed_districts: frozenset[str] | None = None,
                      reference: Reference | None = None) -> list[Dataset]:
    """`reference`: what the warehouse knows, read once for the files of a load that add nothing
    to it; read here when not given."""
    if reference is None:
        reference = read_reference(con, allowed_districts)
    reading = settings.section("reading")
    not_reported = frozenset(n.clean_text(m) for m in reading.get("not_reported", ()))
    footer_words = tuple(n.clean_text(w).replace(" ", "") for w in reading.get("footer_words", ()))
    findings = prepared.findings
    datasets = []
    if prepared.geojson is not None:
        dataset = validate_boundaries(prepared.path.name, prepared.geojson, reference, findings)
        return [dataset] if dataset else []
    for recognized in prepared.sheets:
        ctx = SheetContext(prepared.path.name, recognized.sheet.name, recognized.template,
                           recognized.columns, recognized.header_row, recognized.headers, settings,
                           reference, today, findings, not_reported=not_reported, footer_words=footer_words)
        dataset = validate_sheet(ctx, recognized.sheet.rows)
        if dataset is not None:
            datasets.append(dataset)
    return datasets


@dataclass
class WrittenMonths:
    """What an accepted monthly sheet needs until the load's outliers are judged: its batch, where
    its rows were, and its headers as written."""
    result: FileResult
    batch_id: int
    sheet: str | None
    row_numbers: pd.DataFrame        # facility_code, period (first of the month), row
    headers: dict
    _rows: dict | None = field(default=None, repr=False)

    def row_of(self, facility_code: str, period) -> int | None:
        if self._rows is None:      # built for the few sheets with an outlier only
            frame = self.row_numbers
            self._rows = dict(zip(zip(frame["facility_code"], frame["period"]), frame["row"]))
        number = self._rows.get((facility_code, period))
        return None if number is None else int(number)


def judge_outliers(con, written: list[WrittenMonths], settings: Settings) -> None:
    """Outlier warnings for the monthly values the load wrote, once every file is in (one query
    for the whole load), added to each file's warnings and recorded with its batch."""
    if not written:
        return
    quality = settings.section("quality")
    first = min(w.row_numbers["period"].min() for w in written).date()
    last = max(w.row_numbers["period"].max() for w in written).date()
    flagged = ref_queries.outliers_of_batches(con, sorted({w.batch_id for w in written}), first, last,
                                              float(quality["outlier_z"]), int(quality["outlier_min_history"]))
    by_batch: dict[int, list[Problem]] = {}
    for batch_id, rows in flagged.groupby("batch_id", sort=False):
        sheets = [w for w in written if w.batch_id == batch_id]
        for row in rows.itertuples():
            # the sheet whose rows hold this facility's month (a file may have two monthly sheets)
            sheet = next((w for w in sheets if w.row_of(row.facility_code, row.period) is not None), sheets[0])
            warning = Problem("outlier", sheet.result.path.name, sheet.sheet,
                              sheet.row_of(row.facility_code, row.period),
                              sheet.headers.get(row.measure, row.measure), f"{row.value:g}", f"{row.median:g}",
                              facility_code=row.facility_code, period=row.period, measure=row.measure)
            sheet.result.warnings.append(warning)
            by_batch.setdefault(batch_id, []).append(warning)
    if by_batch:
        record_warnings(con, by_batch)


def load_file(con, prepared: PreparedFile, settings: Settings, today: date,
              loaded_by: str | None = None, allowed_districts: frozenset[str] | None = None,
              reference: Reference | None = None, written: list[WrittenMonths] | None = None,
              datasets: list[Dataset] | None = None) -> FileResult:
    """Validate and write one file in one transaction; a file with any problem writes nothing.
    Its monthly sheets are added to `written`, whose outliers are judged when the load's files are
    all in (`judge_outliers`). `datasets`: the file already validated (in a worker process,
    against `reference`)."""
    # Rows are checked even when a header is wrong, so a clerk gets every problem at once; only a
    # file that could not be read, or that the uploader may not send, stops here.
    if _kind_refused(prepared):
        datasets = []
    elif datasets is None:
        datasets = validate_prepared(prepared, con, settings, today, allowed_districts, reference)
    findings = prepared.findings
    result = FileResult(prepared.path, prepared.kinds, "rejected", problems=findings.problems,
                        warnings=findings.warnings)
    if findings.problems:
        return result
    batch = FileBatch(con, prepared.path.name, prepared.sha256, ",".join(prepared.kinds), loaded_by)
    try:
        for dataset in datasets:
            batch.upsert(dataset.kind, dataset.rows)
            if dataset.reports:
                batch.record_reports(dataset.reports)
        batch.record_warnings(findings.warnings)
        batch.rows_accepted = sum(d.source_rows for d in datasets)     # rows of the file, not values
        result.batch_id = batch.commit()
    except Exception:
        batch.rollback()
        raise
    result.rows = sum(d.source_rows for d in datasets)
    result.changed = batch.rows_changed
    result.status = "accepted" if result.batch_id is not None else "unchanged"
    if result.batch_id is not None and written is not None:
        written.extend(WrittenMonths(result, result.batch_id, d.sheet, d.row_numbers, d.headers)
                       for d in datasets if d.kind == "monthly_services")
    return result


def load_paths(paths: list[Path], db: Path | str | None = None, dry_run: bool = False,
               forced_kind: str | None = None, settings: Settings | None = None,
               loaded_by: str | None = None, today: date | None = None,
               progress: Callable | None = None,
               allowed_districts: frozenset[str] | None = None,
               allowed_kinds: frozenset[str] | None = None) -> list[FileResult]:
    """Load files (folders in dependency order) into a new warehouse version, published at the end
    unless it is a dry run or nothing changed. `allowed_districts` (None: all) limits what the
    files may touch: the browser upload passes the uploader's districts."""
    with _without_gc_pauses():
        return _load_paths(paths, db, dry_run, forced_kind, settings, loaded_by, today, progress,
                           allowed_districts, allowed_kinds)


def load_recorded_visit(path: Path, db: Path | str | None, user) -> list[FileResult]:
    """A visit entered in the browser, written out as an inspections file: for a user who may
    record visits (the permission table), the inspections template only, within their districts."""
    authorize(user, "record_visit")
    return load_paths([path], db=db, forced_kind="inspections", loaded_by=user.username,
                      allowed_districts=user.scope.districts,
                      allowed_kinds=frozenset({"inspections"}))


@contextmanager
def _without_gc_pauses():
    """A load allocates millions of small objects that live until it ends; the cyclic collector
    would walk them again and again (a third of the parse time). It runs once, afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class FileChecks:
    """What reading and validating a file needs besides the warehouse (sent to worker processes)."""
    settings: Settings
    today: date
    forced_kind: str | None = None
    allowed_kinds: frozenset[str] | None = None
    allowed_districts: frozenset[str] | None = None


def read_file(path: Path, checks: FileChecks) -> PreparedFile:
    item = prepare(path, checks.settings, checks.forced_kind)
    for kind in item.kinds:
        if checks.allowed_kinds is not None and kind not in checks.allowed_kinds:
            item.findings.problems.append(Problem("kind_not_allowed", item.path.name, detail=kind))
    return item


def _kind_refused(item: PreparedFile) -> bool:
    """A template the uploader may not send (read_file): the file is refused unvalidated."""
    return any(p.code == "kind_not_allowed" for p in item.findings.problems)


# A folder with at least this many files after its registry, or two or more holding this many
# bytes, is read and validated in worker processes while the writer writes (validation is Python
# and holds the GIL; the writer is mostly DuckDB): starting them costs about half a second, and
# each holds one file at a time.
PARALLEL_FROM, PARALLEL_FROM_BYTES = 8, 4 * 2 ** 20
WORKERS = 2
_worker_reference: tuple[int, Reference] | None = None
_worker_checks: FileChecks | None = None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _worker_started(writer_pid: int) -> None:
    """A worker keeps the cyclic collector out of the way, as the writer does, and ends when the
    writer is gone (killed: nobody would ever send it work or read its answer)."""
    gc.disable()

    def watch():
        while os.getppid() == writer_pid:
            time.sleep(1)
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="writer-watch").start()


def _read_and_validate(path: Path, checks: FileChecks, generation: int, reference: bytes):
    """In a worker process: the file read and validated against the reference of this generation
    (unpickled once per generation); its raw rows stay here. A file that may add codes (a
    registry) or may not be sent comes back unvalidated, with its rows, for the writer."""
    global _worker_reference, _worker_checks
    if checks != _worker_checks:
        _worker_checks = checks
    checks = _worker_checks     # the same settings object each time: the templates built once
    item = read_file(path, checks)
    if REFERENCE_KINDS.intersection(item.kinds) or _kind_refused(item):
        return item, None
    if _worker_reference is None or _worker_reference[0] != generation:
        _worker_reference = (generation, pickle.loads(reference))
    datasets = validate_prepared(item, None, checks.settings, checks.today, checks.allowed_districts,
                                 _worker_reference[1])
    item.sheets = []
    return item, datasets


class FilesAhead:
    """The files of a load in order, read while the writer writes the one before: in a thread one
    file ahead, or, for the many files after a folder's registry (which add no codes, so one
    reference validates them all), read and validated in worker processes a few files ahead."""

    def __init__(self, ordered: list[Path], checks: FileChecks, registry_end: int):
        self.ordered, self.checks, self.registry_end = ordered, checks, registry_end
        self.reader = ThreadPoolExecutor(max_workers=1)
        self.workers = None
        after_registry = ordered[registry_end:]
        if len(after_registry) >= PARALLEL_FROM or (
                len(after_registry) >= 2 and sum(_size(p) for p in after_registry) >= PARALLEL_FROM_BYTES):
            self.workers = ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn"),
                                               initializer=_worker_started, initargs=(os.getpid(),))
            self.workers.submit(int)     # started now, while the registry is written
        self.in_flight: deque = deque()
        self.submitted = 0
        self.reference: tuple[int, bytes] | None = None

    def needs_reference(self, generation: int) -> bool:
        return self.workers is not None and (self.reference is None or self.reference[0] != generation)

    def validate_with(self, generation: int, reference: Reference) -> None:
        """From now on, files are validated in the workers against this reference."""
        self.reference = (generation, pickle.dumps(reference))

    def next(self) -> tuple[PreparedFile, list[Dataset] | None, int | None]:
        """The next file, its datasets when a worker validated it (else None), and the reference
        generation they were validated against."""
        self._fill()
        path, future, generation = self.in_flight.popleft()
        try:
            item, datasets = future.result()
        except Exception:      # noqa: BLE001 - a worker that died (memory): the file is read again here
            logging.getLogger(__name__).warning("reading %s ahead failed", path, exc_info=True)
            item, datasets, generation = read_file(path, self.checks), None, None
        self._fill()
        return item, datasets, generation

    def _fill(self) -> None:
        while self.submitted < len(self.ordered):
            path = self.ordered[self.submitted]
            if self.workers is not None and self.reference is not None and self.submitted >= self.registry_end:
                if len(self.in_flight) > WORKERS:
                    return
                generation, reference = self.reference
                try:
                    future = self.workers.submit(_read_and_validate, path, self.checks, generation, reference)
                except Exception:      # noqa: BLE001 - a broken pool (a worker died): read here from now on
                    logging.getLogger(__name__).warning("worker processes unavailable", exc_info=True)
                    self.workers.shutdown(wait=False, cancel_futures=True)
                    self.workers = None
                    continue
            else:
                if self.in_flight:
                    return
                future, generation = self.reader.submit(lambda p=path: (read_file(p, self.checks), None)), None
            self.in_flight.append((path, future, generation))
            self.submitted += 1

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.reader.shutdown(cancel_futures=True)
        if self.workers is not None:
            self.workers.shutdown(cancel_futures=True)


# where a registry file goes in the load order: the files up to the last of them may add codes
REGISTRY_ORDER = LOAD_ORDER.index("facilities")


def _load_paths(paths, db, dry_run, forced_kind, settings, loaded_by, today, progress,
                allowed_districts, allowed_kinds) -> list[FileResult]:
    settings = settings or load_settings()
    today = today or date.today()
    files, skipped = expand_paths([Path(p) for p in paths])
    # The order comes from each file's first rows, which for a workbook means reading it twice:
    # only worth it when there is an order to find.
    orders = {f: peek_order(f, settings, forced_kind) for f in files} if len(files) > 1 else {}
    ordered = sorted(files, key=orders.get) if orders else files
    registry_end = sum(orders.get(f, 0) <= REGISTRY_ORDER for f in ordered) if orders else len(ordered)
    results = [FileResult(path, [], "skipped", note="lock_or_system_file") for path in skipped]
    checks = FileChecks(settings, today, forced_kind, allowed_kinds, allowed_districts)
    with WriterSession(db) as session, FilesAhead(ordered, checks, registry_end) as ahead:
        settings_changed = schema.prepare(session.con, settings)
        reference, generation = None, 0
        written: list[WrittenMonths] = []
        for index, _ in enumerate(progress(ordered) if progress else ordered):
            item, datasets, checked_with = ahead.next()
            # a registry file is checked against a reference of its own (it adds to it as it goes);
            # the files after it read the warehouse again, since it may know more codes now
            adds_codes = bool(REFERENCE_KINDS.intersection(item.kinds))
            if datasets is not None and checked_with != generation:
                # validated ahead against codes a registry file (out of the expected order) has since
                # added to: checked again here
                item, datasets = read_file(item.path, checks), None
            if reference is None and not adds_codes:
                reference = read_reference(session.con, allowed_districts)
            results.append(load_file(session.con, item, settings, today, loaded_by, allowed_districts,
                                     None if adds_codes else reference, written, datasets))
            if adds_codes:
                reference = None
                generation += 1
            if index + 1 >= registry_end and ahead.needs_reference(generation):
                if reference is None:
                    reference = read_reference(session.con, allowed_districts)
                ahead.validate_with(generation, reference)
        judge_outliers(session.con, written, settings)
        changed = settings_changed or any(r.status == "accepted" for r in results)
        if changed and not dry_run:
            session.publish()
    return results


def peek_order(path: Path, settings: Settings, forced_kind: str | None = None) -> int:
    """Where a file goes in the load order (registry before the reports that name its
    facilities), from its first rows only."""
    if forced_kind:
        return LOAD_ORDER.index(forced_kind)
    if path.suffix.lower() in (".geojson", ".json"):
        return LOAD_ORDER.index("boundaries")
    try:
        sheets = read_sheets(path, max_rows=HEADER_SEARCH_ROWS + 1, limits=read_limits(settings))
    except Exception:       # noqa: BLE001 - the full read reports what is wrong with the file
        return len(LOAD_ORDER)
    all_templates = templates(settings)
    kinds = [found.template.kind for sheet in sheets if (found := find_header(sheet, all_templates))]
    return min((LOAD_ORDER.index(k) for k in kinds), default=len(LOAD_ORDER))


def rollback(db: Path | str | None, batch_id: int, by: str | None = None,
             settings: Settings | None = None) -> int:
    """Roll one batch back in a new warehouse version; raises RollbackRefused with the reason."""
    from warehouse.ingest import rollback_batch
    settings = settings or load_settings()
    with WriterSession(db) as session:
        schema.prepare(session.con, settings)
        touched = rollback_batch(session.con, batch_id, by)
        session.publish()
    return touched


def rebuild(db: Path | str | None = None, settings: Settings | None = None):
    """Recompute every derived table from the rows and publish the result as a new version (what
    publishing otherwise does for the changed rows only); returns what was recomputed."""
    settings = settings or load_settings()
    with WriterSession(db, rebuild=True) as session:
        schema.prepare(session.con, settings)
        session.publish()
        return session.refreshed


def apply_settings(db: Path | str | None = None, settings: Settings | None = None) -> bool:
    """Write the settings file into the warehouse; True when a new version was published."""
    settings = settings or load_settings()
    with WriterSession(db) as session:
        if schema.prepare(session.con, settings):
            session.publish()
            return True
    return False
