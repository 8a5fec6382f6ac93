"""Indicator dictionary (指标说明): how every indicator is defined, from the settings' registry
(warehouse/dictionary.py; docs/indicators.md is written from the same entries)."""
import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import data
from dashboard.i18n import t
from warehouse.dictionary import entries, outlier_rule

dash.register_page(__name__, path="/indicators", title="指标说明 Indicators · jiceng", order=8)


def anchor(code: str) -> str:
    """The id of an indicator's entry: /indicators#indicator-<code> opens it."""
    return f"indicator-{code}"


def layout(lang=None, code=None, **_):
    """Every entry by category; `code` (the ⓘ beside an indicator's name on other pages) puts that
    entry first, highlighted."""
    lang = "en" if lang == "en" else "zh"
    every = entries(data.current_settings())
    asked = next((e for e in every if e.code == code), None)
    cards = [html.Div(card(asked, lang, highlighted=True), className="mb-3")] if asked else []
    category = None
    for entry in every:
        name = entry.category_en if lang == "en" else entry.category_zh
        if name != category:
            category = name
            cards.append(html.H5(name, className="mt-3 mb-2"))
        cards.append(card(entry, lang, anchored=entry is not asked))
    title, sentences = outlier_rule(data.current_settings(), lang)
    rule = dbc.Card(dbc.CardBody([html.H6(title, className="mb-2"),
                                  *(html.P(sentence, className="small mb-1") for sentence in sentences)]),
                    className="mt-3 mb-2", id="dictionary-outlier-rule")
    return html.Div([
        html.Div(t("nav.indicators", lang), className="page-title mb-1"),
        html.P(t("dict.intro", lang), className="small text-muted"),
        *cards,
        rule,
    ])


def card(entry, lang: str, highlighted: bool = False, anchored: bool = True):
    rows = [(t("dict.formula", lang), entry.formula(lang))]
    for key, measure in (("dict.numerator", entry.numerator), ("dict.denominator", entry.denominator)):
        if measure is not None:
            rows.append((t(key, lang), f"{measure.en if lang == 'en' else measure.zh} ({measure.code}) · "
                                       f"{measure.rule(lang)} · {measure.source(lang)}"))
    rows += [(t("dict.areas", lang), entry.area_rule(lang)),
             (t("dict.target", lang), f"{entry.target_text(lang)} · {entry.direction_text(lang)}"),
             (t("dict.spec", lang), entry.spec)]
    return dbc.Card(dbc.CardBody([
        html.H6([entry.name(lang), html.Small(f" {entry.code}", className="text-muted")], className="mb-2"),
        html.Dl([item for label, value in rows
                 for item in (html.Dt(label, className="col-sm-2 small text-muted"),
                              html.Dd(value, className="col-sm-10 small mb-1"))], className="row mb-0"),
    ]), className="mb-2" + (" border-primary border-2" if highlighted else ""),
        **({"id": anchor(entry.code)} if anchored else {}))
