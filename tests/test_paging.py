"""Long grids come a block at a time, sorted and filtered on the server as the browser would."""
from dashboard.paging import passes, rows_block

ROWS = [{"name": "甲街道", "rank": 2, "rate": 0.91}, {"name": "乙镇", "rank": 1, "rate": None},
        {"name": "丙街道", "rank": 3, "rate": 0.75}, {"name": "丁镇", "rank": 4, "rate": 0.98}]


def names(block):
    return [row["name"] for row in block["rowData"]]


def test_a_block_is_the_rows_asked_for_with_the_count_of_all():
    block = rows_block(ROWS, {"startRow": 1, "endRow": 3}, default_sort=("rank", "asc"))
    assert names(block) == ["甲街道", "丙街道"] and block["rowCount"] == 4


def test_a_sorted_column_orders_every_row_and_blanks_go_last_either_way():
    ascending = rows_block(ROWS, {"startRow": 0, "endRow": 10, "sortModel": [{"colId": "rate", "sort": "asc"}]})
    descending = rows_block(ROWS, {"startRow": 0, "endRow": 10, "sortModel": [{"colId": "rate", "sort": "desc"}]})
    assert names(ascending) == ["丙街道", "甲街道", "丁镇", "乙镇"]
    assert names(descending) == ["丁镇", "甲街道", "丙街道", "乙镇"]


def test_filters_keep_what_the_browsers_filters_would():
    text = {"name": {"filterType": "text", "type": "contains", "filter": "街道"}}
    number = {"rate": {"filterType": "number", "type": "greaterThan", "filter": 0.8}}
    either = {"rate": {"filterType": "number", "operator": "OR", "conditions": [
        {"filterType": "number", "type": "lessThan", "filter": 0.8}, {"filterType": "number", "type": "blank"}]}}
    assert [r["name"] for r in ROWS if passes(r, text)] == ["甲街道", "丙街道"]
    assert [r["name"] for r in ROWS if passes(r, number)] == ["甲街道", "丁镇"]
    assert [r["name"] for r in ROWS if passes(r, either)] == ["乙镇", "丙街道"]
    block = rows_block(ROWS, {"startRow": 0, "endRow": 1, "filterModel": text, "sortModel": [{"colId": "rank", "sort": "desc"}]})
    assert names(block) == ["丙街道"] and block["rowCount"] == 2


def test_no_request_gets_more_than_a_block():
    many = [{"name": str(n), "rank": n} for n in range(2000)]
    assert len(rows_block(many, {"startRow": 0, "endRow": 2000})["rowData"]) == 500
