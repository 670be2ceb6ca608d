"""The engine's one exception."""


class ExtractionError(Exception):
    """Input the engine cannot handle, or an article that took too long."""
