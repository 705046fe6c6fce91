"""Build tool for the 'Breaking the cycle' report: data pipeline, validation and render engine."""

__version__ = "0.1.0"
