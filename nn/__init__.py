"""tracegrad's models, built from engine Values."""

__all__: list[str] = []
