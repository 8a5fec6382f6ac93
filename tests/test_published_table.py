"""docs/domain.md section 4: the product reproduces a published table (the district report, 小屯卫生院, one year)
from a submission file, through the ETL, to v_indicator_value."""
from factory import load, monthly_file, query, tiny_city, write_csv

# People under management are stocks: the figures grow over the year and December's stand for it.
DECEMBER = {"htn_managed": 764, "htn_examined": 657, "dm_managed": 262, "dm_examined": 216,
            "smi_registered": 32, "smi_examined": 25, "elderly_65": 1166, "elderly_managed": 842}


def test_xiaotun_annual_rates_match_the_published_table(tmp_path):
    db = tiny_city(tmp_path)
    load(db, write_csv(tmp_path / "xt.csv", ["机构代码", "机构名称", "机构类型", "街道乡镇代码", "举办方式", "经度", "纬度"],
                       [["XT01", "小屯卫生院", "乡镇卫生院", "110101002", "政府办", 116.51, 39.96]]))
    rows = []
    for month in range(1, 13):
        row = {"facility_code": "XT01", "period": f"2025年{month}月", "submitted_on": f"2025-{month:02d}-28"}
        for measure, december in DECEMBER.items():
            grows = measure.endswith("examined") or measure == "elderly_managed"
            row[measure] = round(december * month / 12) if grows else december - (12 - month)
        rows.append(row)
    [result] = load(db, monthly_file(tmp_path / "xiaotun_2025.csv", rows, encoding="gbk"))
    assert result.status == "accepted", [p.line() for p in result.problems]

    table = query(db, """SELECT indicator_code, numerator, denominator, round(value * 100) FROM v_indicator_value
                         WHERE facility_code = 'XT01' AND period_kind = 'year' AND period = '2025'
                           AND indicator_code IN ('htn_exam_rate', 'dm_exam_rate', 'smi_exam_rate',
                                                  'elderly_mgmt_rate')
                         ORDER BY indicator_code""")
    assert table == [("dm_exam_rate", 216, 262, 82), ("elderly_mgmt_rate", 842, 1166, 72),
                     ("htn_exam_rate", 657, 764, 86), ("smi_exam_rate", 25, 32, 78)]
