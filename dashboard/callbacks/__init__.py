"""Importing this package registers every callback (once, from dashboard.app)."""
from dashboard.callbacks import (  # noqa: F401
    analysis,
    bulletin,
    coverage,
    exports,
    facility,
    overview,
    quality,
    shell,
    standardization,
    supervision,
    township,
    townships,
    upload,
    users,
)
