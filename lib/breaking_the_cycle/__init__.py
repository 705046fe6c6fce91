"""'Breaking the cycle' (CPP and Local Trust, 2024): this publication's own code.

The `report` tool knows nothing of it; `_quarto.yml` declares what the tool should call:
`pipeline` behind `report data`, `checks` across its tables, `recommendations` behind
`report tables` and the chapters' tables. The figure specs are in figures.yml and the
vocabularies (area types, regions) in data/datapackage.json.
"""
