"""commune-staffing engine: quotas, problem preparation, engines, plans."""

__version__ = "0.1.0"
