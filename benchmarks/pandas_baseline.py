"""What most Dash apps do instead of a warehouse: every row held in pandas, each callback
aggregating them again. The same aggregations as the heaviest callbacks, for comparison only.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


class InMemory:
    """The submitted rows as DataFrames, loaded once (not timed)."""

    def __init__(self, con):
        self.values = con.execute("SELECT facility_code, period, measure, value FROM monthly_measure").df()
        self.values["measure"] = self.values["measure"].astype("category")
        self.kinds = con.execute("SELECT measure, kind FROM measure_registry").df()
        self.indicators = con.execute(
            "SELECT indicator_code, numerator, denominator FROM indicator_registry ORDER BY sort_order").df()
        self.facilities = con.execute(
            "SELECT facility_code, type, township_code, district_code, lon, lat, opened_on, closed_on FROM v_facility"
        ).df()
        self.communities = con.execute("""
            SELECT c.code, c.parent_code AS township_code, t.district_code, c.population, c.lon, c.lat,
                   c.level = 'community' AS urban
            FROM admin_unit c JOIN township t ON t.township_code = c.parent_code
            WHERE c.level IN ('community', 'village') AND c.lon IS NOT NULL""").df()

    @property
    def megabytes(self) -> float:
        frames = (self.values, self.kinds, self.indicators, self.facilities, self.communities)
        return sum(f.memory_usage(deep=True).sum() for f in frames) / 2 ** 20


def _measure_values(memory: InMemory, start, end) -> pd.DataFrame:
    """Each facility's value of each measure over [start, end]: stock = last month, flow = sum."""
    window = memory.values[(memory.values["period"] >= start) & (memory.values["period"] <= end)]
    window = window.merge(memory.kinds, on="measure")
    stock = window[window["kind"] == "stock"].sort_values("period").groupby(
        ["facility_code", "measure"], observed=True)["value"].last()
    flow = window[window["kind"] == "flow"].groupby(["facility_code", "measure"], observed=True)["value"].sum()
    return pd.concat([stock, flow]).rename("value").reset_index()


def township_indicators(memory: InMemory, current: tuple, previous: tuple) -> pd.DataFrame:
    """Σ numerator / Σ denominator per township and indicator, this quarter and the previous one
    (the township scorecard's aggregation)."""
    results = []
    for label, (start, end) in (("current", current), ("previous", previous)):
        values = _measure_values(memory, pd.Timestamp(start), pd.Timestamp(end))
        values["measure"] = values["measure"].astype(str)
        places = values.merge(memory.facilities[["facility_code", "township_code"]], on="facility_code")
        numerators = memory.indicators.merge(places, left_on="numerator", right_on="measure")
        denominators = memory.indicators.dropna(subset=["denominator"]).merge(
            places, left_on="denominator", right_on="measure")
        keys = ["township_code", "indicator_code"]
        summed = numerators.groupby(keys)["value"].sum().rename("numerator").to_frame().join(
            denominators.groupby(keys)["value"].sum().rename("denominator"), how="left")
        summed["value"] = np.where(summed["denominator"].isna(), summed["numerator"],
                                   summed["numerator"] / summed["denominator"].where(summed["denominator"] > 0))
        results.append(summed.assign(period=label))
    return pd.concat(results).reset_index()


def coverage_table(memory: InMemory, radius_m: float, today) -> pd.DataFrame:
    """Residents within `radius_m` of an operating facility, per district, urban and rural apart
    (the coverage page's summary): every community against every facility, vectorised."""
    facilities = memory.facilities.dropna(subset=["lon", "lat"])
    today = pd.Timestamp(today)
    operating = ((facilities["opened_on"].isna() | (facilities["opened_on"] <= today))
                 & (facilities["closed_on"].isna() | (facilities["closed_on"] > today)))
    facilities = facilities[operating]
    lon1, lat1 = np.radians(memory.communities["lon"].to_numpy())[:, None], \
        np.radians(memory.communities["lat"].to_numpy())[:, None]
    lon2, lat2 = np.radians(facilities["lon"].to_numpy())[None, :], np.radians(facilities["lat"].to_numpy())[None, :]
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    nearest = (2 * 6371008.8 * np.arcsin(np.sqrt(a))).min(axis=1)
    points = memory.communities.assign(covered=nearest <= radius_m)
    points["covered_population"] = points["population"].where(points["covered"], 0)
    return points.groupby(["district_code", "urban"])[["population", "covered_population"]].sum().reset_index()
