"""tracegrad's pictures: computation graphs, backprop step-throughs, plots, the CLI."""

__all__: list[str] = []
