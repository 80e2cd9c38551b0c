"""The version, in one place (read by the build backend and by every module that shows it)."""

__version__ = "0.1.0"
