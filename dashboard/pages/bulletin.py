"""通报 (the monthly bulletin): preview the bulletin of the area and period chosen above, make and
download it (Word to edit before issuing, PDF), and the bulletins made before, kept as they were."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import auth, ids
from dashboard.components import dropdown, grid, panel
from dashboard.i18n import t

dash.register_page(__name__, path="/bulletin", title="通报 Bulletin · jiceng", order=5)


def layout(lang=None, **_):
    lang = "en" if lang == "en" else "zh"
    user = auth.current_user()
    if user is None or not user.may("bulletin"):
        return dbc.Alert(t("forbidden", lang), color="warning", className="mt-3")
    actions = html.Div([
        dbc.InputGroup([dbc.InputGroupText(t("bul.number", lang)),
                        dbc.Input(id=ids.BUL_NUMBER, value="", maxLength=20, style={"maxWidth": "7rem"})],
                       size="sm", className="w-auto"),
        dbc.Button(t("bul.docx", lang), id=ids.BUL_DOCX, color="primary", size="sm"),
        dbc.Button(t("bul.pdf", lang), id=ids.BUL_PDF, color="secondary", outline=True, size="sm"),
        html.Div(id=ids.BUL_MESSAGE),
    ], className="d-flex gap-2 align-items-center flex-wrap mb-3")
    history = html.Div([
        html.P(t("bul.history.note", lang), className="small text-muted"),
        grid(ids.BUL_HISTORY, 260, lang),
        html.Div([dropdown(lang, id=ids.BUL_HISTORY_PICK, placeholder=t("bul.history.pick", lang),
                           style={"minWidth": "260px"}),
                  dbc.Button(t("bul.history.docx", lang), id=ids.BUL_HISTORY_DOCX, size="sm", color="secondary",
                             outline=True),
                  dbc.Button(t("bul.history.pdf", lang), id=ids.BUL_HISTORY_PDF, size="sm", color="secondary",
                             outline=True)],
                 className="d-flex gap-2 align-items-center flex-wrap mt-2"),
    ])
    return html.Div([
        html.Div(id=ids.BUL_HEADER),
        html.P(t("bul.subtitle", lang), className="page-subtitle"),
        actions,
        dcc.Store(id=ids.BUL_MADE),
        dcc.Store(id=ids.BUL_JOB),
        # while a bulletin is being made: a district's takes under a second, a province's longer
        dcc.Interval(id=ids.BUL_POLL, interval=400, disabled=True),
        dcc.Download(id=ids.BUL_DOWNLOAD),
        panel(t("bul.preview", lang), html.Div(id=ids.BUL_PREVIEW, className="bulletin-preview")),
        panel(t("bul.history", lang), history),
    ])
