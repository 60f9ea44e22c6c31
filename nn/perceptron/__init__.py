"""The perceptrons of the notes: binary and multiclass, their shared base, and traces.

Their argument checks: `engine.checks` (numbers, features), `nn.labels` (labels, tie rule).

- `binary`: `Perceptron`, the mistake-driven algorithm (and its SGD twin).
- `multiclass`: `MulticlassPerceptron`, one weight row per class.
- `base`: what both share (options, feature building, the "not fitted" guard) and
  their error and warning classes.
- `trace`: the step records and the table they print as.
"""

from nn.perceptron.base import ConvergenceWarning, NotFittedError
from nn.perceptron.binary import Perceptron
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
