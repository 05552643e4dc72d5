"""licvisit: intelligence-led licensing visits for police licensing teams."""

__version__ = "0.1.0"
