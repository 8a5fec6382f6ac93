"""The indicator dictionary (指标说明): every indicator's definition, from the settings' registry.

One entry per indicator: its names, its numerator and denominator measures with the rule each
follows over time (flow: summed over the months of a period; stock: the last month of the period
with data, DHIS2's "last value"), how areas are aggregated (numerators and denominators summed
first, then divided: never a mean of rates), its target and direction, the template column each
measure comes from, and the national specification it follows. The dictionary page and
docs/indicators.md are both written from `entries` (tests/test_docs.py fails when the file is
stale; `python -m etl dictionary` writes it). Rules: docs/domain.md section 4.
"""
from __future__ import annotations

from dataclasses import dataclass

from warehouse.settings import Settings

MONTHLY_TEMPLATE = ("月度服务报表", "monthly_services")
DIRECTIONS = {"higher": ("越高越好，达到目标为达标", "higher is better; met at or above the target"),
              "lower": ("越低越好，不超过目标为达标", "lower is better; met at or below the target"),
              "watch": ("仅监测，不设目标", "watched only, no target")}
MEASURE_RULES = {"flow": ("流量：期内各月相加", "flow: the months of the period are summed"),
                 "stock": ("存量：取期内最后一个有数据的月份", "stock: the last month of the period with data")}
PERIODS = {"month": ("月", "month"), "quarter": ("季度", "quarter"), "year": ("年", "year")}


@dataclass(frozen=True)
class MeasureEntry:
    code: str
    zh: str
    en: str
    kind: str

    def rule(self, lang: str) -> str:
        return MEASURE_RULES[self.kind][lang == "en"]

    def source(self, lang: str) -> str:
        zh, kind = MONTHLY_TEMPLATE
        return f"{zh}（{kind}）「{self.zh}」列" if lang != "en" else f"{kind} template, column 「{self.zh}」"


@dataclass(frozen=True)
class Entry:
    code: str
    zh: str
    en: str
    category_zh: str
    category_en: str
    numerator: MeasureEntry
    denominator: MeasureEntry | None
    target: float | None
    target_per: str | None
    direction: str
    spec: str

    def name(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def formula(self, lang: str) -> str:
        top = self.numerator.en if lang == "en" else self.numerator.zh
        if self.denominator is None:
            return top + (" (a count)" if lang == "en" else "（计数）")
        bottom = self.denominator.en if lang == "en" else self.denominator.zh
        return f"{top} / {bottom} × 100%"

    def target_text(self, lang: str) -> str:
        if self.direction == "watch" or self.target is None:
            return "—"
        sign = "≥" if self.direction == "higher" else "≤"
        if self.denominator is not None:
            return f"{sign} {100 * self.target:g}%"
        per = PERIODS.get(self.target_per or "year", PERIODS["year"])[lang == "en"]
        return f"{sign} {self.target:g} / {per}" if lang == "en" else f"{sign} {self.target:g} 次/{per}"

    def direction_text(self, lang: str) -> str:
        return DIRECTIONS[self.direction][lang == "en"]

    def area_rule(self, lang: str) -> str:
        if self.denominator is None:
            return ("a count: the facilities' counts are summed; the target is set per facility, so an area's "
                    "target is that target × its facilities that reported the count in the period (met when they "
                    "average at least the target)" if lang == "en"
                    else "计数：各机构的次数相加；目标按每个机构设定，区域目标 = 单机构目标 × 该期上报此项的机构数"
                         "（即平均每个机构达到目标）")
        return ("numerators and denominators are summed over the facilities first, then divided (never a mean of "
                "rates); above 100% is shown as it is and flagged" if lang == "en"
                else "先分别汇总各机构的分子和分母再相除（不对比率取平均）；超过 100% 照实显示并标记为数据质量问题")


def entries(settings: Settings) -> list[Entry]:
    """Every indicator of the registry, in the settings' order."""
    measures = {m.code: MeasureEntry(m.code, m.zh, m.en, m.kind) for m in settings.measures}
    categories = {c["code"]: c for c in settings.categories}
    specs = {i["code"]: i.get("spec") or "—" for i in settings.raw["indicators"]}
    return [Entry(i.code, i.zh, i.en, categories[i.category]["zh"], categories[i.category]["en"],
                  measures[i.numerator], measures.get(i.denominator) if i.denominator else None,
                  i.target, i.target_per, i.direction, specs[i.code])
            for i in settings.indicators]


def markdown(settings: Settings) -> str:
    """docs/indicators.md."""
    lines = ["# Indicator dictionary (指标说明)", "",
             "Written by `python -m etl dictionary` from `config/settings.toml` (warehouse/dictionary.py);",
             "tests/test_docs.py fails when it is stale. The dashboard's 指标说明 page shows the same entries.",
             "The rules behind them: docs/domain.md section 4.", ""]
    for entry in entries(settings):
        lines += [f"## {entry.zh} · {entry.en} (`{entry.code}`)", "",
                  f"- 类别 category: {entry.category_zh} · {entry.category_en}",
                  f"- 计算 formula: {entry.formula('zh')} · {entry.formula('en')}"]
        for part, measure in (("分子 numerator", entry.numerator), ("分母 denominator", entry.denominator)):
            if measure is not None:
                lines.append(f"- {part}: `{measure.code}` {measure.zh} · {measure.en} — {measure.rule('zh')} · "
                             f"{measure.rule('en')}; {measure.source('zh')}")
        lines += [f"- 区域汇总 areas: {entry.area_rule('zh')} · {entry.area_rule('en')}",
                  f"- 目标 target: {entry.target_text('zh')} ({entry.direction_text('zh')} · "
                  f"{entry.direction_text('en')})",
                  f"- 依据 specification: {entry.spec}", ""]
    for lang in ("zh", "en"):
        title, sentences = outlier_rule(settings, lang)
        lines += [f"## {title}", "", *(f"- {sentence}" for sentence in sentences), ""]
    return "\n".join(lines)


def outlier_rule(settings: Settings, lang: str) -> tuple[str, list[str]]:
    """How the monthly values behind every indicator are judged unusual (load warnings and the
    data-quality page), with the settings' values: a title and its sentences."""
    q = settings.section("quality")
    z, history, median, sd = (f"{q['outlier_z']:g}", q["outlier_min_history"], f"{q['outlier_min_median']:g}",
                              f"{q['outlier_noise_sd']:g}")
    if lang == "en":
        return "When a monthly value is an outlier", [
            f"Against the facility's own last 24 months: a modified z-score (0.6745·|x−median|/MAD) above {z}, "
            f"with at least {history} months of history.",
            f"Small counts are not judged: a series whose median is below {median} is left alone, and a value "
            f"within max(3, half the median, {sd}·√median) of its median is never an outlier (a count's chance "
            "variation is about √median)."]
    return "异常值规则", [
        f"与本机构近 24 个月比较：修正 z 分数（0.6745·|x−中位数|/MAD）大于 {z}，且至少有 {history} 个月的历史。",
        f"小数字不判：中位数低于 {median} 的序列不判异常；与中位数相差不超过 max(3, 中位数的一半, {sd}×√中位数) "
        "的值不算异常（计数的偶然波动约为 √中位数）。"]
