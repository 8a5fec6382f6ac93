"""Query functions: `warehouse.queries.<area>.<function>(con, ...) -> DataFrame`, parameterized SQL only."""
