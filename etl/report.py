"""A load's results and progress as files: how a load run in a process of its own (the browser's
upload, dashboard/uploads.py) tells the page where it is and what it found, every problem included."""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import asdict, fields
from pathlib import Path

from etl.loader import FileResult
from etl.problems import Problem, ProblemList

_PROBLEM_FIELDS = {f.name for f in fields(Problem)}


def write_atomically(path: Path, text: str) -> None:
    """Readers see the old text or the new, never half of it."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _problem(data: dict) -> Problem:
    return Problem(**{k: v for k, v in data.items() if k in _PROBLEM_FIELDS})


def results_to_json(results: list[FileResult]) -> str:
    return json.dumps([{
        "path": str(r.path), "kinds": r.kinds, "status": r.status, "rows": r.rows, "changed": r.changed,
        "batch_id": r.batch_id, "note": r.note,
        "problems": [asdict(p) for p in r.problems], "problem_counts": dict(r.problems.by_code),
        "limit": r.problems.limit, "warnings": [asdict(w) for w in r.warnings],
    } for r in results], ensure_ascii=False, default=str)


def results_from_json(text: str) -> list[FileResult]:
    results = []
    for item in json.loads(text):
        problems = ProblemList(item["limit"])
        problems.extend(_problem(p) for p in item["problems"])
        problems.by_code = Counter(item["problem_counts"])      # the unlisted ones are counted too
        results.append(FileResult(Path(item["path"]), item["kinds"], item["status"], item["rows"], item["changed"],
                                  item["batch_id"], problems, [_problem(w) for w in item["warnings"]], item["note"]))
    return results


class ProgressFile:
    """Wraps the files of a load (etl.loader.load_paths's `progress`): before each, how many are
    done and which comes next; at the end, all of them."""

    def __init__(self, path: Path):
        self.path = path

    def __call__(self, files):
        total = len(files)
        for done, file in enumerate(files):
            write_atomically(self.path, json.dumps({"done": done, "total": total, "file": Path(file).name},
                                                   ensure_ascii=False))
            yield file
        write_atomically(self.path, json.dumps({"done": total, "total": total, "file": ""}))
