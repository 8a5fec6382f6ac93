import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "data_samples"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory):
    """The sample city loaded once into a warehouse of its own."""
    from factory import load
    db = tmp_path_factory.mktemp("sample") / "wh.duckdb"
    results = load(db, SAMPLES)
    assert [r.status for r in results] == ["accepted"] * len(results), \
        [p.line() for r in results for p in r.problems]
    return db


PASSWORD = "correct horse battery"
TEST_USERS = {
    # username: (role, districts)
    "root": ("admin", []),
    "east": ("bureau", ["990102"]),
    "planner": ("planner", ["990103", "990104"]),
    "inspector": ("inspector", ["990121"]),
}


@pytest.fixture(scope="session")
def sample_users(sample_db):
    """Accounts beside the sample warehouse: an admin and one user of each other role."""
    from warehouse.accounts import Accounts, accounts_path
    store = Accounts(accounts_path(sample_db))
    for username, (role, districts) in TEST_USERS.items():
        if store.get(username) is None:
            store.add_user(username, PASSWORD, role, districts)
    return store


def login(client, username, password=PASSWORD):
    response = client.post("/login", data={"username": username, "password": password, "next": "/"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client
