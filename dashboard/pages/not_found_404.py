"""Any unknown path: say so, in both languages, and offer the way back."""
import dash
from dash import dcc, html

from dashboard.i18n import t

dash.register_page(__name__, path="/404", title="404 · jiceng")


def layout(lang=None, **_):
    lang = "en" if lang == "en" else "zh"
    return html.Div([html.H4(t("notfound.title", lang)),
                     dcc.Link(t("notfound.back", lang), href="/" + ("?lang=en" if lang == "en" else ""))],
                    className="py-4")
