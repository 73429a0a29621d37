"""How much a run simulates unless asked otherwise."""

DEFAULT_REPLICATIONS = 40
DEFAULT_MONTHS = 24
