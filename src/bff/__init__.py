"""Customer portal backend-for-frontend."""

__version__ = "0.1.0"
