"""The shell: filters from the URL (and back), translated labels, the URL written back."""
from __future__ import annotations

from urllib.parse import parse_qs

import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, html, no_update

from dashboard import auth, data, ids
from dashboard.components import DROPDOWN_LABELS, empty
from dashboard.i18n import period_name, t
from dashboard.layout import NAV_PAGES
from warehouse.periods import KINDS, period_containing, periods_up_to
from warehouse.queries import areas


def parse_query(search: str | None) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items()}


def all_label(scope, lang: str) -> str:
    """'The whole city' for those who see all of it; 'my districts' for everyone else."""
    return t("area.all" if scope.districts is None else "area.mine", lang)


def area_options(con, scope, lang: str) -> list[dict]:
    options = [{"label": all_label(scope, lang), "value": "all"}]
    for row in areas.area_options(con, scope).itertuples():
        label = row.name if row.level == "district" else f"\u3000└ {row.name}"
        options.append({"label": label, "value": row.code})
    return options


def period_options(state, kind: str, lang: str) -> list[dict]:
    if state.latest_month is None:
        return []
    return [{"label": period_name(p.label, lang), "value": p.label}
            for p in periods_up_to(state.first_month, state.latest_month, kind)]


def store_notice(lang: str):
    """Every page says so while an older warehouse version stands in for a damaged current one."""
    fallback = data.store_fallback()
    if fallback is None:
        return None
    return dbc.Alert(t("store.fallback", lang, damaged=fallback.damaged, reading=fallback.reading),
                     color="danger", className="mb-2")


@callback(
    Output(ids.AREA, "options"), Output(ids.AREA, "value"), Output(ids.PERIOD_KIND, "value"),
    Output(ids.PERIOD, "options"), Output(ids.PERIOD, "value"), Output(ids.LANG, "data"),
    Output(ids.NOTICE, "children"),
    Input(ids.URL, "search"), Input(ids.PERIOD_KIND, "value"),
    State(ids.PERIOD, "value"), State(ids.LANG, "data"),
)
def sync_filters(search, kind, period_value, lang):
    con = data.cursor()
    if ctx.triggered_id == ids.PERIOD_KIND and kind in KINDS:
        filters = data.read_filters(con, None, period_value, lang)
        state = filters.state
        current = filters.period
        if current is None:
            return (no_update,) * 7
        candidate = period_containing(min(current.end, state.latest_month), kind)
        chosen = data.read_filters(con, None, candidate.label, lang).period
        return (no_update, no_update, no_update, period_options(state, kind, lang), chosen.label,
                no_update, no_update)
    query = parse_query(search)
    filters = data.read_filters(con, query.get("area"), query.get("period"), query.get("lang"))
    lang = filters.lang
    if filters.period is None:
        notice = [store_notice(lang), empty(t("empty.no_data", lang))]
        return area_options(con, filters.scope, lang), "all", "quarter", [], None, lang, notice
    notice = [store_notice(lang), empty(t("empty.no_area", lang)) if filters.area_fallback else None]
    return (area_options(con, filters.scope, lang), filters.area.code, filters.period.kind,
            period_options(filters.state, filters.period.kind, lang), filters.period.label, lang, notice)


@callback(
    Output(ids.PRODUCT, "children"),
    *[Output(component_id, "children") for component_id, _, _, _ in NAV_PAGES],
    *[Output(component_id, "style") for component_id, _, _, _ in NAV_PAGES],
    Output(ids.AREA_LABEL, "children"), Output(ids.PERIOD_LABEL, "children"), Output(ids.PERIOD_KIND, "options"),
    Output(ids.LANG_LINK, "children"), Output(ids.USER, "children"), Output(ids.LOGOUT, "children"),
    Output(ids.SEARCH, "placeholder"),
    Output(ids.SEARCH, "labels"), Output(ids.AREA, "labels"), Output(ids.PERIOD, "labels"),
    Input(ids.LANG, "data"),
)
def translate_shell(lang):
    """Every word of the shell in the user's language; links only to the pages their role opens."""
    user = auth.current_user()
    who = f"{user.display_name} · {t(f'role.{user.role}', lang)}" if user else ""
    labels = [t(key, lang) for _, _, key, _ in NAV_PAGES]
    styles = [{} if user is not None and user.may(permission) else {"display": "none"}
              for _, _, _, permission in NAV_PAGES]
    return (t("product", lang), *labels, *styles, t("filter.area", lang), t("filter.period", lang),
            [{"label": t(f"filter.kind.{k}", lang), "value": k} for k in KINDS],
            "English" if lang != "en" else "中文", who, t("nav.logout", lang), t("search.placeholder", lang),
            *[DROPDOWN_LABELS["en" if lang == "en" else "zh"]] * 3)


clientside_callback(
    ClientsideFunction(namespace="jiceng", function_name="writeUrl"),
    Output(ids.LANG_LINK, "href"),
    *[Output(component_id, "href") for component_id, _, _, _ in NAV_PAGES],
    Input(ids.AREA, "value"), Input(ids.PERIOD, "value"), Input(ids.LANG, "data"),
    Input({"type": "param", "name": ALL}, "value"),
)


clientside_callback(
    ClientsideFunction(namespace="jiceng", function_name="followLink"),
    Output(ids.FILE_LINK_FOLLOWED, "title"), Input(ids.FILE_LINK, "data"), prevent_initial_call=True,
)


clientside_callback(
    ClientsideFunction(namespace="jiceng", function_name="toggleNav"),
    Output(ids.NAV_COLLAPSE, "is_open"),
    Input(ids.NAV_TOGGLE, "n_clicks"), Input(ids.URL, "pathname"), State(ids.NAV_COLLAPSE, "is_open"),
)


def page_title(title: str, filters) -> list:
    """The heading of a page: its title, then the area and period it shows."""
    lang = filters.lang
    area = all_label(filters.scope, lang) if filters.area.code == "all" else filters.area.name
    period = period_name(filters.period.label, lang) if filters.period else ""
    return [html.Div(title, className="page-title"),
            html.Div(f"{area} · {period}" if period else area, className="page-subtitle")]
