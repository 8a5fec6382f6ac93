"""Which districts a caller may see. Every query function takes one; the server builds it from the
logged-in user, never from what a browser sends."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    districts: frozenset[str] | None = None     # None: every district

    @classmethod
    def everything(cls) -> "Scope":
        return cls(None)

    def district_list(self) -> list[str] | None:
        return None if self.districts is None else sorted(self.districts)

    def sql(self, district_column: str) -> tuple[str, list]:
        """A condition on a district code column, and its parameters."""
        if self.districts is None:
            return "true", []
        return f"list_contains(?, {district_column})", [self.district_list()]
