"""The shell every page shares: top bar with navigation, area and period filters, language."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids

# The top bar's pages: (link id, path, text key, permission needed to see the link).
NAV_PAGES = [
    (ids.NAV_OVERVIEW, "/", "nav.overview", "read"),
    (ids.NAV_COVERAGE, "/coverage", "nav.coverage", "read"),
    (ids.NAV_STANDARDIZATION, "/standardization", "nav.standardization", "read"),
    (ids.NAV_TOWNSHIPS, "/townships", "nav.townships", "read"),
    (ids.NAV_QUALITY, "/quality", "nav.quality", "read"),
    (ids.NAV_ANALYSIS, "/analysis", "nav.analysis", "read"),
    (ids.NAV_INDICATORS, "/indicators", "nav.indicators", "read"),
    (ids.NAV_SUPERVISION, "/supervision", "nav.supervision", "supervise"),
    (ids.NAV_BULLETIN, "/bulletin", "nav.bulletin", "bulletin"),
    (ids.NAV_UPLOAD, "/upload", "nav.upload", "upload"),
    (ids.NAV_USERS, "/admin/users", "nav.users", "manage_users"),
]


def shell():
    # on a phone the links and tools fold under a menu button (the filters below stay in reach)
    navbar = dbc.Navbar(dbc.Container([
        html.Span(id=ids.PRODUCT, className="navbar-brand"),
        dbc.NavbarToggler(id=ids.NAV_TOGGLE, className="ms-auto"),
        dbc.Collapse([
            dbc.Nav([dbc.NavItem(dcc.Link(id=component_id, href=path, className="nav-link"))
                     for component_id, path, _, _ in NAV_PAGES], navbar=True, className="me-auto"),
            html.Div([
                dcc.Dropdown(id=ids.SEARCH, options=[], searchable=True, clearable=True, className="shell-search"),
                html.A(id=ids.LANG_LINK, className="btn btn-sm btn-outline-light", href="?lang=en"),
                html.A(id=ids.USER, href="/account", className="shell-user"),
                html.A(id=ids.LOGOUT, href="/logout", className="btn btn-sm btn-outline-light"),
            ], className="shell-tools"),
        ], id=ids.NAV_COLLAPSE, is_open=False, navbar=True, className="shell-collapse"),
    ], fluid=True, className="shell-bar"), color="primary", dark=True, expand="md", className="shell-navbar")
    filters = html.Div(dbc.Container(html.Div([
        html.Label(id=ids.AREA_LABEL, htmlFor=ids.AREA, className="shell-label"),
        dcc.Dropdown(id=ids.AREA, clearable=False, searchable=True, className="shell-area"),
        html.Label(id=ids.PERIOD_LABEL, htmlFor=ids.PERIOD, className="shell-label ms-2"),
        dbc.RadioItems(id=ids.PERIOD_KIND, options=[], value=None, inline=True,
                       className="btn-group btn-group-sm shell-kind", inputClassName="btn-check",
                       labelClassName="btn btn-outline-primary btn-sm", labelCheckedClassName="active"),
        dcc.Dropdown(id=ids.PERIOD, clearable=False, searchable=False, className="shell-period"),
    ], className="shell-filters"), fluid=True), className="shell-filterbar mb-3")
    return html.Div([
        dcc.Location(id=ids.URL, refresh="callback-nav"),
        dcc.Store(id=ids.LANG, data="zh"),
        dcc.Store(id=ids.URL_SYNC),
        dcc.Download(id=ids.DOWNLOAD),
        dcc.Store(id=ids.FILE_LINK),
        html.Span(id=ids.FILE_LINK_FOLLOWED, hidden=True),
        navbar,
        filters,
        dbc.Container([html.Div(id=ids.NOTICE), dash.page_container], fluid=True, className="pb-4"),
    ])
