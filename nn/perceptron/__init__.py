"""The perceptrons of the notes: binary and multiclass, their shared base, and traces.

- `binary`: `Perceptron`, the mistake-driven algorithm (and its SGD twin).
- `multiclass`: `MulticlassPerceptron`, one weight row per class.
- `base`: what both share (options, feature building, the "not fitted" guard).
- `trace`: the step records and the table they print as.
- `checks`: the perceptrons' own argument checks and their warning/error classes.
"""

from nn.perceptron.binary import Perceptron
from nn.perceptron.checks import ConvergenceWarning, NotFittedError
from nn.perceptron.multiclass import MulticlassPerceptron
from nn.perceptron.trace import MulticlassStep, PerceptronStep

__all__ = [
    "ConvergenceWarning",
    "MulticlassPerceptron",
    "MulticlassStep",
    "NotFittedError",
    "Perceptron",
    "PerceptronStep",
]
