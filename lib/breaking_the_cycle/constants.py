"""Category values shared by every dataset, in the order figures and tables show them."""
from __future__ import annotations

DD, OD, ND = "Doubly disadvantaged", "Other deprived", "Non-deprived"
AREA_TYPES = [DD, OD, ND]

# ONS 2024 region names, north to south as the report's regional charts list them.
REGIONS = [
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
]
ENGLAND = "England"
