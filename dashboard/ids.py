"""Every component id, declared once: `<page>-<thing>-<kind>`; repeated widgets use dict ids."""

# shell (every page)
URL = "shell-url-location"
AREA = "shell-area-dropdown"
PERIOD_KIND = "shell-period-kind-radio"
PERIOD = "shell-period-dropdown"
LANG = "shell-lang-store"
LANG_LINK = "shell-lang-link"
NAV_OVERVIEW = "shell-nav-overview-link"
NAV_COVERAGE = "shell-nav-coverage-link"
NAV_USERS = "shell-nav-users-link"
NAV_STANDARDIZATION = "shell-nav-standardization-link"
NAV_TOWNSHIPS = "shell-nav-townships-link"
NAV_QUALITY = "shell-nav-quality-link"
NAV_SUPERVISION = "shell-nav-supervision-link"
NAV_BULLETIN = "shell-nav-bulletin-link"
NAV_UPLOAD = "shell-nav-upload-link"
NAV_INDICATORS = "shell-nav-indicators-link"
NAV_ANALYSIS = "shell-nav-analysis-link"
USER = "shell-user-link"
LOGOUT = "shell-logout-link"
AREA_LABEL = "shell-area-label"
PERIOD_LABEL = "shell-period-label"
PRODUCT = "shell-product-brand"
NOTICE = "shell-notice-alert"
DOWNLOAD = "shell-export-download"
# a file too large to send inside an answer: its link (dashboard/downloads.py), followed by the page
FILE_LINK = "shell-file-link-store"
FILE_LINK_FOLLOWED = "shell-file-link-followed"
URL_SYNC = "shell-url-sync-store"


def param(name: str) -> dict:
    """A page control whose value lives in the URL query string as `name=`."""
    return {"type": "param", "name": name}


def export_button(table: str, fmt: str) -> dict:
    return {"type": "export", "table": table, "format": fmt}


# overview
OV_HEADER = "overview-header-div"
OV_TILES = "overview-tiles-row"
OV_WORST_TABLE = "overview-worst-table"
OV_WORST_CAPTION = "overview-worst-caption"
OV_TREND_GRAPH = "overview-trend-graph"
OV_TREND_CAPTION = "overview-trend-caption"
OV_RANK_GRAPH = "overview-ranking-graph"
OV_RANK_CAPTION = "overview-ranking-caption"
OV_RANK_INDICATOR = param("indicator")
OV_RANK_INFO = "overview-ranking-info-link"
OV_OVERDUE_TABLE = "overview-overdue-table"
OV_LAGGING = "overview-lagging-div"
OV_LAGGING_CAPTION = "overview-lagging-caption"
OV_OVERDUE_CAPTION = "overview-overdue-caption"
OV_FAVOURITES = "overview-favourites-div"

# coverage
COV_HEADER = "coverage-header-div"
COV_MAP = "coverage-map-graph"
COV_MAP_CAPTION = "coverage-map-caption"
COV_METRIC = param("metric")
COV_RADIUS = param("radius")
COV_SITE_DISTRICT = param("site_district")
COV_SITE_COUNT = param("sites")
COV_SITE_KIND = param("site_kind")
COV_SITE_CANDIDATES = param("site_candidates")
COV_SITE_FILE = param("site_file")                 # the key of a kept candidate list (warehouse.candidate_sites)
COV_SITE_UPLOAD = "coverage-site-file-upload"
COV_SITE_UPLOAD_DIV = "coverage-site-file-div"
COV_SITE_FILE_STATUS = "coverage-site-file-status"
COV_SUMMARY = "coverage-summary-row"
COV_TABLE = "coverage-area-table"
COV_TABLE_CAPTION = "coverage-area-caption"
COV_UNCOVERED_TABLE = "coverage-uncovered-table"
COV_UNCOVERED_CAPTION = "coverage-uncovered-caption"
COV_SITES_TABLE = "coverage-sites-table"
COV_SITES_SUMMARY = "coverage-sites-summary"
COV_SITES_CAPTION = "coverage-sites-caption"
COV_TREND_GRAPH = "coverage-trend-graph"
COV_TREND_CAPTION = "coverage-trend-caption"

# users (admin)
USERS_HEADER = "users-header-div"
USERS_TABLE = "users-list-table"
USERS_NAME = "users-name-input"
USERS_DISPLAY = "users-display-input"
USERS_ROLE = "users-role-dropdown"
USERS_DISTRICTS = "users-districts-dropdown"
USERS_ADD = "users-add-button"
USERS_TARGET = "users-target-dropdown"
USERS_DISABLE = "users-disable-button"
USERS_ENABLE = "users-enable-button"
USERS_RESET = "users-reset-button"
USERS_MESSAGE = "users-message-div"
USERS_AUDIT = "users-audit-table"
USERS_AUDIT_USER = "users-audit-user-dropdown"
USERS_AUDIT_ACTION = "users-audit-action-dropdown"
USERS_AUDIT_FROM = "users-audit-from-input"
USERS_AUDIT_TO = "users-audit-to-input"
USERS_AUDIT_TEXT = "users-audit-text-input"
USERS_AUDIT_CAPTION = "users-audit-caption"
USERS_AUDIT_XLSX = "users-audit-xlsx-button"
USERS_AUDIT_CSV = "users-audit-csv-button"
USERS_AUDIT_DOWNLOAD = "users-audit-download"

# facility profile
FAC_CODE = "facility-code-store"
FAC_HEADER = "facility-header-div"
FAC_MAP = "facility-location-graph"
FAC_FACTS = "facility-facts-div"
FAC_HISTORY_TABLE = "facility-history-table"
FAC_INDICATORS_TABLE = "facility-indicators-table"
FAC_INDICATORS_CAPTION = "facility-indicators-caption"
FAC_TREND_INDICATOR = param("trend")
FAC_TREND_INFO = "facility-trend-info-link"
FAC_TREND_GRAPH = "facility-trend-graph"
FAC_TREND_CAPTION = "facility-trend-caption"
FAC_CALENDAR_GRAPH = "facility-calendar-graph"
FAC_CALENDAR_CAPTION = "facility-calendar-caption"
FAC_WARNINGS_TABLE = "facility-warnings-table"
FAC_INSPECTIONS_TABLE = "facility-inspections-table"
FAC_INSPECTIONS_CAPTION = "facility-inspections-caption"
TP_CODE = "township-code-store"
TP_HEADER = "township-header-div"
TP_TILES = "township-tiles-row"
TP_INDICATORS_TABLE = "township-indicators-table"
TP_INDICATORS_CAPTION = "township-indicators-caption"
TP_TREND_INDICATOR = param("indicator_trend")
TP_TREND_GRAPH = "township-trend-graph"
TP_TREND_CAPTION = "township-trend-caption"
TP_COVERAGE_GRAPH = "township-coverage-graph"
TP_COVERAGE_CAPTION = "township-coverage-caption"
TP_FACILITIES_TABLE = "township-facilities-table"
TP_FACILITIES_CAPTION = "township-facilities-caption"
TP_GAPS_TABLE = "township-gaps-table"
TP_GAPS_CAPTION = "township-gaps-caption"
TP_FINDINGS_TABLE = "township-findings-table"
TP_FINDINGS_CAPTION = "township-findings-caption"
SEARCH = "shell-search-dropdown"

# standardization
STD_HEADER = "standardization-header-div"
STD_TILES = "standardization-tiles-row"
STD_TREND_GRAPH = "standardization-trend-graph"
STD_TREND_CAPTION = "standardization-trend-caption"
STD_MILESTONE_TABLE = "standardization-milestone-table"
STD_PROJECTION = "standardization-projection-div"
STD_COMPARE_TABLE = "standardization-compare-table"
STD_COMPARE_CAPTION = "standardization-compare-caption"
STD_GAP_TABLE = "standardization-gap-table"
STD_GAP_CAPTION = "standardization-gap-caption"
STD_STARS_GRAPH = "standardization-stars-graph"
STD_LOST_TABLE = "standardization-lost-table"
STD_LOST_CAPTION = "standardization-lost-caption"

# township comparison
CMP_HEADER = "townships-header-div"
CMP_SCORECARD = "townships-scorecard-table"
CMP_SCORECARD_HOLDER = "townships-scorecard-div"
CMP_SCORECARD_CAPTION = "townships-scorecard-caption"
CMP_SCORECARD_TITLE = "townships-scorecard-title"
CMP_RANK_INDICATOR = param("rank")
CMP_RANK_GRAPH = "townships-ranking-graph"
CMP_RANK_CAPTION = "townships-ranking-caption"
CMP_SELECTED = param("compare")
CMP_INITIAL = "townships-initial-store"
CMP_PHONE = "townships-phone-store"          # whether the screen is a phone's (set in the browser)
CMP_PER = param("per")
CMP_RANK_ALL = param("ranking")
CMP_SIDE_TABLE = "townships-side-table"
CMP_SIDE_CAPTION = "townships-side-caption"
CMP_MULTIPLES = "townships-multiples-graph"
CMP_RESOURCE = param("resource")
CMP_OUTCOME = param("outcome")
CMP_OUTCOME_INFO = "townships-outcome-info-link"
CMP_RANK_INFO = "townships-ranking-info-link"
CMP_SCATTER = "townships-scatter-graph"
CMP_SCATTER_CAPTION = "townships-scatter-caption"

# upload
UP_UPLOAD = "upload-files-upload"
UP_LIMITS = "upload-limits-div"
UP_TOKEN = "upload-token-store"
UP_REPORT = "upload-report-div"
UP_LOAD = "upload-load-button"
UP_DISCARD = "upload-discard-button"
UP_REPORT_DOWNLOAD = "upload-report-button"
UP_REPORT_FILE = "upload-report-download"
UP_HISTORY = "upload-history-table"
UP_ROLLBACK_BATCH = "upload-rollback-dropdown"
UP_ROLLBACK = "upload-rollback-button"
UP_ROLLBACK_MESSAGE = "upload-rollback-message"
UP_POLL = "upload-job-interval"
UP_VERSIONS = "upload-versions-div"
UP_RESTORE_VERSION = "upload-restore-dropdown"
UP_RESTORE = "upload-restore-button"
UP_RESTORE_MESSAGE = "upload-restore-message"
UP_MODE = "upload-job-store"

# data quality
DQ_HEADER = "quality-header-div"
DQ_GRID = "quality-grid-graph"
DQ_GRID_CAPTION = "quality-grid-caption"
DQ_RATES = "quality-rates-table"
DQ_MISSING = "quality-missing-table"
DQ_OUTLIERS = "quality-outliers-table"
DQ_CONSISTENCY = "quality-consistency-table"
DQ_OUTLIERS_CAPTION = "quality-outliers-caption"
DQ_OUTLIERS_TITLE = "quality-outliers-title"
DQ_CONSISTENCY_CAPTION = "quality-consistency-caption"
DQ_SERIES = "quality-series-graph"
DQ_NOTE = "quality-note-input"
DQ_CONFIRM = "quality-confirm-button"
DQ_MESSAGE = "quality-message-div"
DQ_VERSION = "quality-version-store"

# supervision
SUP_HEADER = "supervision-header-div"
SUP_TYPE = param("types")
SUP_RANKING = "supervision-ranking-table"
SUP_CARDS = "supervision-ranking-cards"
SUP_RANKING_CAPTION = "supervision-ranking-caption"
SUP_SELECTED = "supervision-selected-div"
SUP_MAP = "supervision-route-graph"
SUP_ROUTE = "supervision-route-table"
SUP_PDF = "supervision-pdf-button"
SUP_XLSX = "supervision-xlsx-button"
SUP_PRINT = "supervision-print-link"
SUP_DOWNLOAD = "supervision-brief-download"
SUP_MESSAGE = "supervision-message-div"
SUP_REC_FACILITY = "supervision-record-facility-dropdown"
SUP_REC_DATE = "supervision-record-date-input"
SUP_REC_KIND = "supervision-record-kind-dropdown"
SUP_REC_SCORE = "supervision-record-score-input"
SUP_REC_FINDINGS = "supervision-record-findings-textarea"
SUP_REC_RECTIFY = "supervision-record-rectify-input"
SUP_REC_SAVE = "supervision-record-save-button"
SUP_REC_MESSAGE = "supervision-record-message-div"
NAV_TOGGLE = "shell-nav-toggler"
NAV_COLLAPSE = "shell-nav-collapse"

# 通报 (the monthly bulletin)
BUL_HEADER = "bulletin-header-div"
BUL_NUMBER = "bulletin-number-input"
BUL_DOCX = "bulletin-docx-button"
BUL_PDF = "bulletin-pdf-button"
BUL_MESSAGE = "bulletin-message-div"
BUL_DOWNLOAD = "bulletin-download"
BUL_PREVIEW = "bulletin-preview-div"
BUL_MADE = "bulletin-made-store"
BUL_HISTORY = "bulletin-history-table"
BUL_HISTORY_PICK = "bulletin-history-dropdown"
BUL_HISTORY_DOCX = "bulletin-history-docx-button"
BUL_HISTORY_PDF = "bulletin-history-pdf-button"
BUL_JOB = "bulletin-job-store"
BUL_POLL = "bulletin-poll-interval"

# 数据分析 (analysis): every control lives in the URL (dashboard/analysis_view.py names them)
ANA_HEADER = "analysis-header-div"
ANA_INITIAL = "analysis-initial-store"
ANA_INDICATORS = param("indicators")
ANA_LEVEL = param("level")
ANA_AREAS = param("areas")
ANA_RELATIVE = param("relative")
ANA_KIND = param("kind")
ANA_PERIODS = param("periods")
ANA_FIXED = "analysis-fixed-div"
ANA_ROWS = param("rows")
ANA_COLS = param("cols")
ANA_VIEW = param("view")
ANA_MESSAGE = "analysis-message-div"
ANA_TABLE = "analysis-pivot-table"
ANA_TABLE_BOX = "analysis-table-div"
ANA_GRAPH = "analysis-chart-graph"
ANA_GRAPH_BOX = "analysis-chart-div"
ANA_CAPTION = "analysis-result-caption"
ANA_FAV_NAME = "analysis-favourite-name-input"
ANA_FAV_SAVE = "analysis-favourite-save-button"
ANA_FAV_PICK = "analysis-favourite-dropdown"
ANA_FAV_DELETE = "analysis-favourite-delete-button"
ANA_FAV_MESSAGE = "analysis-favourite-message-div"
ANA_FAV_LIST = "analysis-favourites-div"
