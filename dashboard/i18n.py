"""Every word the dashboard shows, in Chinese (first) and English, and how numbers are written."""
from __future__ import annotations

import math
from datetime import date, datetime

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    "product": ("基层卫生监测", "jiceng primary care"),
    "nav.overview": ("总览", "Overview"),
    "nav.coverage": ("覆盖地图", "Coverage map"),
    "filter.area": ("区域", "Area"),
    "filter.period": ("期间", "Period"),
    "filter.kind.year": ("年", "Year"),
    "filter.kind.quarter": ("季", "Quarter"),
    "filter.kind.month": ("月", "Month"),
    "area.all": ("全市", "Whole city"),
    "level.city": ("全市", "city"),
    "level.district": ("区县", "district"),
    "level.township": ("街道/乡镇", "street/township"),
    "level.facility": ("机构", "facility"),
    "caption": ("数据期间 {period} · 数据更新于 {loaded}", "Period {period} · data loaded {loaded}"),
    "caption.now": ("截至 {as_of} · 数据更新于 {loaded}", "As of {as_of} · data loaded {loaded}"),
    "export.xlsx": ("导出 Excel", "Export Excel"),
    "export.csv": ("导出 CSV", "Export CSV"),
    "empty.no_data": ("暂无数据：尚未载入任何上报数据。请先运行 python -m etl load 载入数据。",
                      "No data yet: nothing has been loaded. Run python -m etl load first."),
    "empty.no_area": ("所选区域不存在或无权查看，已显示全市。", "The selected area does not exist or is not yours; showing the whole city."),
    "empty.period": ("{period} 没有上报数据。", "No reports for {period}."),
    "empty.none_uncovered": ("在 {radius} 米半径内，所有社区/村都已覆盖。", "Every community/village is within {radius} m of a facility."),
    "empty.no_sites": ("没有可以新增覆盖的居民：该区县已全部覆盖。", "No uncovered residents to gain: the district is fully covered."),
    "empty.choose_district": ("请先在上方选择一个区县，或在此选择。", "Choose a district above or here."),
    "empty.no_overdue": ("没有逾期未整改的问题。", "No overdue rectifications."),
    "type.CHC": ("社区卫生服务中心", "Community health center"),
    "type.CHS": ("社区卫生服务站", "Community health station"),
    "type.THC": ("乡镇卫生院", "Township health center"),
    "type.VC": ("村卫生室", "Village clinic"),
    "type.short.CHC": ("中心", "CHC"),
    "type.short.CHS": ("服务站", "CHS"),
    "type.short.THC": ("卫生院", "THC"),
    "type.short.VC": ("村卫生室", "VC"),
    "ownership.government": ("政府办", "government-run"),
    "ownership.private": ("社会办", "private"),
    # overview
    "ov.title": ("总览", "Overview"),
    "ov.facilities": ("运行中的机构", "Operating facilities"),
    "ov.facilities.detail": ("其中政府办 {government} 家", "{government} government-run"),
    "ov.residents": ("常住人口", "Residents"),
    "ov.street_coverage": ("街道/乡镇机构覆盖", "Streets/towns with a center"),
    "ov.street_coverage.detail": ("{covered}/{total} 个街道乡镇有政府办中心或卫生院",
                                  "{covered} of {total} have a government-run CHC or THC"),
    "ov.circle": ("15分钟服务圈覆盖", "15-minute service circle"),
    "ov.circle.urban": ("城镇 {share}（目标 {target}）", "urban {share} (target {target})"),
    "ov.circle.rural": ("农村 {share}（目标 {target}）", "rural {share} (target {target})"),
    "ov.milestone": ("{year}年标准化建设进度", "{year} standardization milestone"),
    "ov.milestone.detail": ("{counted}/{total} 个中心达标，目标 {target}", "{counted} of {total} CHCs count, target {target}"),
    "ov.milestone.needed": ("还需 {needed} 个中心达标", "{needed} more centers needed"),
    "status.on_track": ("按计划", "on track"),
    "status.at_risk": ("有风险", "at risk"),
    "status.met": ("已达成", "met"),
    "status.missed": ("未达成", "missed"),
    "ov.indicators": ("服务指标达标", "Indicators meeting target"),
    "ov.indicators.detail": ("{met}/{total} 项达到目标", "{met} of {total} meet their target"),
    "ov.reporting": ("{month} 月报", "{month} monthly reports"),
    "ov.reporting.detail": ("完整率 {completeness} · 及时率 {timeliness}（应报 {expected}）",
                            "complete {completeness} · on time {timeliness} ({expected} expected)"),
    "ov.overdue": ("逾期未整改", "Overdue rectifications"),
    "ov.overdue.detail": ("督导发现问题超过整改期限", "inspection findings past their deadline"),
    "ov.worst": ("距目标最远的指标", "Indicators furthest below target"),
    "ov.trend": ("标准化达标中心占比（月末）", "Share of CHCs counted for the milestone (month end)"),
    "ov.trend.share": ("达标占比", "share counted"),
    "ov.trend.target": ("里程碑目标", "milestone target"),
    "ov.ranking": ("各{level}{indicator}", "{indicator} by {level}"),
    "ov.ranking.indicator": ("排名指标", "Indicator to rank"),
    "ov.target_line": ("目标 {target}", "target {target}"),
    "ov.overdue_list": ("逾期未整改清单", "Overdue rectifications"),
    # indicator table
    "col.indicator": ("指标", "Indicator"),
    "col.category": ("类别", "Category"),
    "col.value": ("数值", "Value"),
    "col.target": ("目标", "Target"),
    "col.gap": ("差距", "Gap"),
    "col.numerator": ("分子", "Numerator"),
    "col.denominator": ("分母", "Denominator"),
    "col.meets": ("达标", "Meets"),
    "col.name": ("名称", "Name"),
    "col.code": ("代码", "Code"),
    "col.facility": ("机构", "Facility"),
    "col.type": ("类型", "Type"),
    "col.township": ("街道/乡镇", "Street/township"),
    "col.district": ("区县", "District"),
    "col.population": ("常住人口", "Residents"),
    "col.covered": ("覆盖人口", "Covered residents"),
    "col.covered_share": ("覆盖率", "Covered share"),
    "col.urban_share": ("城镇覆盖率", "Urban covered"),
    "col.rural_share": ("农村覆盖率", "Rural covered"),
    "col.uncovered": ("未覆盖社区/村", "Uncovered communities"),
    "col.nearest": ("最近机构距离(米)", "Nearest facility (m)"),
    "col.visit_date": ("检查日期", "Visit date"),
    "col.score": ("得分", "Score"),
    "col.findings": ("发现问题", "Findings"),
    "col.rectify_by": ("整改期限", "Rectify by"),
    "col.days_overdue": ("逾期天数", "Days overdue"),
    "col.rank": ("顺序", "Rank"),
    "col.site": ("建议站点（社区/村）", "Suggested site (community)"),
    "col.gained": ("新增覆盖人口", "Residents gained"),
    "col.gained_communities": ("新增覆盖社区/村", "Communities gained"),
    "col.cumulative": ("累计新增", "Cumulative"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # coverage
    "cov.title": ("覆盖地图", "Coverage map"),
    "cov.metric": ("地图指标", "Map metric"),
    "cov.metric.covered_share": ("15分钟服务圈覆盖率", "15-minute circle coverage"),
    "cov.metric.facilities_per_10k": ("每万人机构数", "Facilities per 10,000 residents"),
    "cov.metric.residents_per_center": ("每个中心/卫生院服务人口", "Residents per CHC/THC"),
    "cov.metric.gps_per_10k": ("每万人全科医生数", "GPs per 10,000 residents"),
    "cov.metric.standardized_share": ("中心/卫生院标准化达标率", "CHCs/THCs standardized"),
    "cov.radius": ("步行半径（米）", "Walking radius (m)"),
    "cov.radius.help": ("15分钟 × 80米/分钟 = 1200米（直线距离）", "15 min × 80 m/min = 1,200 m (straight line)"),
    "cov.summary": ("15分钟服务圈覆盖", "15-minute service circle"),
    "cov.urban": ("城镇居民覆盖", "Urban residents covered"),
    "cov.rural": ("农村居民覆盖", "Rural residents covered"),
    "cov.total": ("全部居民覆盖", "All residents covered"),
    "cov.target": ("目标 {target}", "target {target}"),
    "cov.no_residents": ("无此类居民", "no such residents"),
    "cov.table": ("分区域覆盖情况", "Coverage by area"),
    "cov.uncovered": ("未覆盖的社区/村", "Communities not covered"),
    "cov.uncovered.legend": ("未覆盖社区/村", "Uncovered community"),
    "cov.sites": ("新站点建议", "Where to build next"),
    "cov.sites.help": ("在所选区县内，逐个选出能新增覆盖最多未覆盖居民的社区/村位置（贪心最大覆盖）。",
                       "In the chosen district, each pick is the community point where one new station would "
                       "cover the most residents not yet covered (greedy maximum coverage)."),
    "cov.sites.district": ("区县", "District"),
    "cov.sites.count": ("站点数", "Sites"),
    "cov.sites.legend": ("建议新站点", "Suggested site"),
    "cov.sites.summary": ("{count} 个新站点可新增覆盖 {gained} 人", "{count} new sites would cover {gained} more residents"),
    "cov.hover.standardized": ("标准化达标", "standardized"),
    "cov.hover.stars": ("星级", "stars"),
    "cov.hover.open_profile": ("点击查看机构档案", "click to open the profile"),
    "cov.stars": ("{stars}星服务站", "{stars}-star stations"),
    "cov.no_stars": ("未评星服务站", "unrated stations"),
    "login.title": ("登录", "Sign in"),
    "login.username": ("用户名", "User name"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.bad_credentials": ("用户名或密码错误。", "Wrong user name or password."),
    "login.locked": ("连续登录失败次数过多，账号已锁定 15 分钟。", "Too many failed attempts: the account is locked for 15 minutes."),
    "login.disabled": ("该账号已停用，请联系管理员。", "This account is disabled: ask an administrator."),
    "nav.users": ("用户管理", "Users"),
    "account.title": ("修改密码", "Change password"),
    "account.current": ("当前密码", "Current password"),
    "account.new": ("新密码（至少 10 位）", "New password (10 characters or more)"),
    "account.confirm": ("再次输入新密码", "New password again"),
    "account.submit": ("修改", "Change"),
    "account.mismatch": ("两次输入的新密码不一致。", "The two new passwords differ."),
    "account.wrong_current": ("当前密码不正确。", "The current password is wrong."),
    "nav.logout": ("退出", "Sign out"),
    "area.mine": ("我的辖区", "My districts"),
    "role.admin": ("管理员", "administrator"),
    "role.bureau": ("卫健局", "bureau"),
    "role.planner": ("规划", "planner"),
    "role.inspector": ("督导", "inspector"),
    "forbidden": ("您的角色无权查看此页面。", "Your role may not see this page."),
    "users.username": ("用户名", "User name"),
    "users.display": ("姓名", "Name"),
    "users.role": ("角色", "Role"),
    "users.districts": ("负责区县", "Districts"),
    "users.state": ("状态", "State"),
    "users.active": ("正常", "active"),
    "users.disabled": ("已停用", "disabled"),
    "users.add": ("新增用户", "Add user"),
    "users.disable": ("停用", "Disable"),
    "users.enable": ("启用", "Enable"),
    "users.reset": ("重置密码", "Reset password"),
    "users.list": ("用户", "Users"),
    "users.audit": ("操作日志（最近 200 条）", "Audit log (latest 200)"),
    "users.at": ("时间", "Time"),
    "users.action": ("操作", "Action"),
    "users.detail": ("内容", "Detail"),
    "users.done": ("已完成。", "Done."),
    "users.password_once": ("用户 {username} 的初始密码（只显示这一次，请转交本人并提醒其修改）：",
                            "Password for {username} (shown this once; hand it over and ask them to change it): "),
    "users.error.bad_username": ("用户名不能为空，也不能含空格。", "A user name is needed, without spaces."),
    "users.error.bad_role": ("角色无效。", "Unknown role."),
    "users.error.districts_required": ("非管理员用户必须指定负责的区县。", "Every user but an administrator needs districts."),
    "users.error.user_exists": ("用户名已存在。", "That user name is taken."),
    "users.error.no_such_user": ("用户不存在。", "No such user."),
    "users.error.weak_password": ("密码至少 10 位。", "A password needs at least 10 characters."),
    "users.error.forbidden": ("无权操作。", "Not allowed."),
    "users.error.not_yourself": ("不能停用自己的账号。", "You cannot disable your own account."),
    "search.placeholder": ("搜索机构（名称或代码）", "Find a facility (name or code)"),
    "fac.title": ("机构档案", "Facility profile"),
    "fac.not_found": ("没有这个机构，或不在您的辖区内。", "No such facility, or not in your districts."),
    "fac.township": ("所在街道/乡镇", "Street/township"),
    "fac.parent": ("所属中心", "Parent center"),
    "fac.stations": ("下设服务站", "Stations"),
    "fac.ownership": ("举办方式", "Ownership"),
    "fac.opened": ("开业日期", "Opened"),
    "fac.closed": ("停业日期", "Closed"),
    "fac.area": ("业务用房面积", "Building area"),
    "fac.area_standard": ("标准 ≥ {standard} 平方米", "standard ≥ {standard} m²"),
    "fac.std_state": ("标准化建设", "Standardization"),
    "fac.premises": ("政府提供业务用房", "Government premises"),
    "fac.equipment": ("政府配置设备", "Government equipment"),
    "fac.standardized": ("达到标准化建设要求", "Meets the standard"),
    "fac.counts": ("计入里程碑", "Counts for the milestone"),
    "fac.quality_demo": ("优质服务示范", "Quality-service demonstration"),
    "fac.stars": ("星级", "Star rating"),
    "fac.assessed": ("评估日期", "Assessed on"),
    "fac.note": ("备注", "Note"),
    "fac.staffing": ("人员配置（{as_of}）", "Staffing ({as_of})"),
    "fac.physicians": ("执业医师", "Physicians"),
    "fac.gps": ("全科医生", "GPs"),
    "fac.tcm": ("中医类别医师占比", "TCM physicians"),
    "fac.tcm_norm": ("标准 ≥ {norm}", "norm ≥ {norm}"),
    "fac.nurses": ("执业护士", "Nurses"),
    "fac.station_norm": ("服务站标准：医生 ≥ {physicians}、护士 ≥ {nurses}", "station norm: physicians ≥ {physicians}, nurses ≥ {nurses}"),
    "fac.history": ("标准化建设与星级历史", "Standardization and star history"),
    "fac.indicators": ("服务指标", "Service indicators"),
    "fac.trend": ("指标趋势（月度）", "Monthly trend"),
    "fac.trend.facility": ("本机构", "this facility"),
    "fac.trend.district": ("所在区县", "district"),
    "fac.trend.missing": ("未上报", "not reported"),
    "fac.trend.flagged": ("数据质量警告", "data-quality warning"),
    "fac.calendar": ("上报日历", "Reporting calendar"),
    "fac.calendar.on_time": ("按时", "on time"),
    "fac.calendar.late": ("迟报", "late"),
    "fac.calendar.missing": ("未报", "missing"),
    "fac.warnings": ("数据质量警告", "Data-quality warnings"),
    "fac.inspections": ("督导检查记录", "Inspections"),
    "fac.open": ("未整改", "open"),
    "fac.overdue": ("逾期未整改", "overdue"),
    "fac.rectified": ("已整改", "rectified"),
    "col.previous": ("上期", "Previous"),
    "col.change_previous": ("较上期", "vs previous"),
    "col.change_last_year": ("较去年同期", "vs last year"),
    "col.pct_district": ("区内同类排位", "Rank in district"),
    "col.pct_city": ("全市同类排位", "Rank in city"),
    "col.period": ("月份", "Month"),
    "col.measure": ("数据项", "Measure"),
    "col.message": ("说明", "Message"),
    "col.file": ("文件", "File"),
    "col.row": ("行", "Row"),
    "col.inspector": ("检查人", "Inspector"),
    "col.kind": ("类型", "Kind"),
    "col.rectified_on": ("整改完成", "Rectified on"),
    "col.status": ("状态", "Status"),
    "inspection.routine": ("常规督导", "routine"),
    "inspection.special": ("专项检查", "special"),
    "inspection.unannounced": ("飞行检查", "unannounced"),
    "nav.standardization": ("标准化建设", "Standardization"),
    "std.title": ("标准化建设进度", "Standardization progress"),
    "std.milestone": ("{year}年目标 {target}", "{year} target {target}"),
    "std.milestone.detail": ("{counted}/{total} 个中心达标（截至 {as_of}）", "{counted} of {total} CHCs count (as of {as_of})"),
    "std.needed": ("还需达标中心", "More centers needed"),
    "std.needed.detail": ("为达到 {year} 年 {target}", "to reach {target} in {year}"),
    "std.quality": ("优质服务示范中心", "Quality-service demonstration"),
    "std.quality.detail": ("{demo}/{total} 个中心，目标 {target}", "{demo} of {total} CHCs, target {target}"),
    "std.lost": ("被降星的服务站", "Stations that lost a star"),
    "std.lost.detail": ("历次星级评定中", "across all star assessments"),
    "std.trend": ("达标中心占比（月末）与里程碑", "Share of CHCs counted (month end) against the milestones"),
    "std.table": ("里程碑", "Milestones"),
    "std.col.year": ("年份", "Year"),
    "std.col.as_of": ("截至", "As of"),
    "std.col.counted": ("达标中心", "Counted"),
    "std.col.total": ("运行中心", "Operating CHCs"),
    "std.col.share": ("达标占比", "Share"),
    "std.col.target": ("目标", "Target"),
    "std.col.status": ("状态", "Status"),
    "std.col.needed": ("还需", "Needed"),
    "std.projection": ("进度预测（按近 12 个月的速度）", "Projection (at the pace of the last 12 months)"),
    "std.compare": ("各{level}达标情况", "By {level}"),
    "std.sentence.reached": ("{name}已达到{year}年目标 {target}（{counted}/{total}）。",
                             "{name} already meets the {year} target of {target} ({counted}/{total})."),
    "std.sentence.never": ("{name}近 12 个月没有新增达标中心，按目前进度达不到{year}年目标 {target}；还需 {needed} 个中心达标。",
                           "{name} added no counted center in the last 12 months: at this pace it never reaches the {year} target of {target}; it needs {needed} more."),
    "std.sentence.on_time": ("按目前进度（近 12 个月净增 {pace} 个），{name}将于{when}达到{year}年目标 {target}，可按期完成；到 12 月底还需 {needed} 个中心达标。",
                             "At the current pace ({pace} a year), {name} reaches the {year} target of {target} in {when}, in time; it needs {needed} more centers by December."),
    "std.sentence.late": ("按目前进度（近 12 个月净增 {pace} 个），{name}将于{when}达到{year}年目标 {target}，比期限晚 {late} 个季度；到 12 月底还需 {needed} 个中心达标。",
                          "At the current pace ({pace} a year), {name} reaches the {year} target of {target} in {when}, {late} quarters late; it needs {needed} more centers by December."),
    "std.gaps": ("未达标中心差距清单", "Gap list: CHCs not counted"),
    "std.gap.premises": ("缺政府提供业务用房", "no government premises"),
    "std.gap.equipment": ("缺政府配置设备", "no government equipment"),
    "std.gap.standardization": ("未通过标准化验收", "not accepted as standardized"),
    "std.gap.area": ("业务用房 {area} ㎡ < {standard} ㎡", "building {area} m² < {standard} m²"),
    "std.gap.tcm": ("中医类别医师占比 {share} < {norm}", "TCM physicians {share} < {norm}"),
    "std.gap.quality": ("未达优质服务示范", "not a quality-service demonstration center"),
    "std.col.lacks": ("缺什么", "What it lacks"),
    "std.col.lack_count": ("缺项数", "Gaps"),
    "std.stars": ("服务站星级分布（年末）", "Stations by star rating (year end)"),
    "std.stars.legend": ("{stars}星", "{stars} stars"),
    "std.lost_table": ("降星记录", "Stars lost"),
    "std.col.from_to": ("星级变化", "Change"),
    "std.col.date": ("评定日期", "Assessed on"),
    "std.empty.no_chc": ("所选区域没有运行中的社区卫生服务中心。", "No operating CHC in the selected area."),
    "std.empty.no_gaps": ("所有运行中的中心都已达标。", "Every operating CHC counts."),
    "notfound.title": ("页面不存在", "Page not found"),
    "notfound.back": ("返回总览", "Back to the overview"),
}


def t(key: str, lang: str, **values) -> str:
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def pct(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.{digits}f}%"


def count(value, lang: str = "zh") -> str:
    """Whole numbers; Chinese readers count large figures in 万 (10,000)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = float(value)
    if lang == "zh" and abs(value) >= 100000:
        return f"{value / 10000:,.1f}万"
    return f"{value:,.0f}"


def number(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}"


def indicator_value(value, has_denominator: bool) -> str:
    return pct(value) if has_denominator else number(value, 0)


def stamp(moment, with_time: bool = False) -> str:
    """A date as 2026-10-31; a load time (with_time) as 2026-11-25 09:12."""
    if moment is None or (isinstance(moment, float) and math.isnan(moment)):
        return "—"
    if isinstance(moment, datetime):
        return moment.strftime("%Y-%m-%d %H:%M") if with_time else moment.strftime("%Y-%m-%d")
    return moment.isoformat() if isinstance(moment, date) else str(moment)


def period_name(label: str, lang: str) -> str:
    """'2026' → 2026年 / 2026; '2026Q3' → 2026年第3季度 / 2026 Q3; '2026-10' → 2026年10月 / 2026-10."""
    if "Q" in label:
        year, quarter = label.split("Q")
        return f"{year}年第{quarter}季度" if lang == "zh" else f"{year} Q{quarter}"
    if "-" in label:
        year, month = label.split("-")
        return f"{year}年{int(month)}月" if lang == "zh" else label
    return f"{label}年" if lang == "zh" else label


def milestone_state(met: bool, over: bool) -> str:
    """The text key of a milestone's state: met/missed once its year is over, else on track/at risk."""
    if over:
        return "status.met" if met else "status.missed"
    return "status.on_track" if met else "status.at_risk"
