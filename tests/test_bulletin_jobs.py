"""Bulletin jobs (dashboard/bulletin_jobs.py): made off the request, one at a time per worker, a
user's second click joining their running job, and a job whose worker died read as failed."""
import os
import subprocess
import sys
import threading
import time

from dashboard import bulletin_jobs


def _held(event: threading.Event, bulletin_id: str = "20261127T010203-0badcafe"):
    def make():
        assert event.wait(60)
        return bulletin_id
    return make


def test_a_second_click_while_a_job_runs_joins_it_and_the_next_user_waits_their_turn(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    release = threading.Event()
    first = bulletin_jobs.start(warehouse, "east", "docx", _held(release))
    again = bulletin_jobs.start(warehouse, "east", "pdf", _held(release, "20261127T010203-00000000"))
    assert again == first
    other = bulletin_jobs.start(warehouse, "west", "pdf", lambda: "20261127T010204-11111111")
    deadline = time.monotonic() + 30
    while bulletin_jobs.status(warehouse, "east", first).state != "running" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bulletin_jobs.status(warehouse, "east", first).state == "running"
    assert bulletin_jobs.status(warehouse, "west", other).state == "queued"     # one at a time in a worker
    release.set()
    done = bulletin_jobs.wait(warehouse, "east", first, timeout=60)
    assert (done.state, done.bulletin_id, done.fmt) == ("done", "20261127T010203-0badcafe", "docx")
    assert bulletin_jobs.wait(warehouse, "west", other, timeout=60).bulletin_id == "20261127T010204-11111111"
    # the job ended: a new click starts a new job
    later = bulletin_jobs.start(warehouse, "east", "docx", lambda: "20261127T010205-22222222")
    assert later != first
    assert bulletin_jobs.wait(warehouse, "east", later).bulletin_id == "20261127T010205-22222222"


def test_a_refusal_and_a_failure_end_the_job_with_what_to_say(tmp_path):
    warehouse = tmp_path / "w.duckdb"

    def refused():
        raise bulletin_jobs.Refused("sup.font_missing")

    def broken():
        raise KeyError("sentences")
    said = bulletin_jobs.wait(warehouse, "east", bulletin_jobs.start(warehouse, "east", "pdf", refused))
    assert (said.state, said.key) == ("refused", "sup.font_missing")
    failed = bulletin_jobs.wait(warehouse, "east", bulletin_jobs.start(warehouse, "east", "pdf", broken))
    assert (failed.state, failed.bulletin_id, failed.key, failed.text) == ("failed", "", "", "")


def test_a_job_whose_worker_is_gone_is_failed_not_running_forever(tmp_path):
    """A poll reaching another worker reads the job's files: its worker's process ended (a restart)
    before it wrote a result, so the job failed."""
    warehouse = tmp_path / "w.duckdb"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    token = "ab" * 16
    folder = bulletin_jobs.jobs_root(warehouse) / token
    folder.mkdir(parents=True)
    from dashboard.job_files import write_json
    write_json(folder / "job.json", {"owner": "east", "fmt": "pdf", "pid": int(gone.stdout), "started": time.time()})
    write_json(folder / "running.json", {"since": time.time()})
    assert bulletin_jobs.status(warehouse, "east", token).state == "failed"
    # the same files, its worker alive (this process stands in for another worker): running
    write_json(folder / "job.json", {"owner": "east", "fmt": "pdf", "pid": os.getppid(), "started": time.time()})
    assert bulletin_jobs.status(warehouse, "east", token).state == "running"
    assert bulletin_jobs.status(warehouse, "west", token).state == "none"          # not theirs
    # an hour without an answer is failed, whatever the process
    write_json(folder / "job.json", {"owner": "east", "fmt": "pdf", "pid": os.getppid(), "started": time.time() - 3601})
    assert bulletin_jobs.status(warehouse, "east", token).state == "failed"


def test_old_job_folders_go_after_a_day_and_the_kept_bulletins_stay(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    token = bulletin_jobs.start(warehouse, "east", "docx", lambda: "20261127T010203-0badcafe")
    bulletin_jobs.wait(warehouse, "east", token)
    kept = bulletin_jobs.jobs_root(warehouse).parent / "20261127T010203-0badcafe"
    kept.mkdir()
    assert bulletin_jobs.prune(warehouse, now=time.time() + 3600) == 0
    assert bulletin_jobs.prune(warehouse, now=time.time() + 25 * 3600) == 1
    assert not (bulletin_jobs.jobs_root(warehouse) / token).exists() and kept.is_dir()
