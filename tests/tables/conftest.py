from ._helpers import project  # noqa: F401  (fixture)
