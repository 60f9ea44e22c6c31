"""tracegrad's pictures: computation graphs, backprop step-throughs, plots, the CLI.

Graphviz and matplotlib are imported only inside the functions that use them, so
`import viz` is light.

Example:
    >>> from engine import Value
    >>> from viz import draw_graph
    >>> x, y = Value(2.0, "x"), Value(3.0, "y")
    >>> f = x * y
    >>> f.backward()
    >>> "grad 3" in draw_graph(f).source
    True
"""

from viz.display import StepsWidget, steps_widget, value_mimebundle
from viz.draw import (
    DotFailedError,
    DotNotFoundError,
    DotTimeoutError,
    PictureTooLargeError,
    draw_graph,
    render,
)
from viz.frames import Step
from viz.groups import layer_groups
from viz.plots import plot_decision_boundary, plot_history
from viz.slides import save_steps
from viz.steps import backward_steps, forward_steps, save_steps_html, step_through
from viz.walk import GraphTooLargeError, forward_order, walk

__all__ = [
    "DotFailedError",
    "DotNotFoundError",
    "DotTimeoutError",
    "GraphTooLargeError",
    "PictureTooLargeError",
    "Step",
    "StepsWidget",
    "backward_steps",
    "draw_graph",
    "forward_order",
    "forward_steps",
    "layer_groups",
    "plot_decision_boundary",
    "plot_history",
    "render",
    "save_steps",
    "save_steps_html",
    "step_through",
    "steps_widget",
    "value_mimebundle",
    "walk",
]
