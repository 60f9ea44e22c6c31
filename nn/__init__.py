"""tracegrad's models, built from engine Values: perceptrons, neurons, layers, MLPs,
losses, optimizers, data sets and a training loop.

Example:
    >>> import nn
    >>> X, y = nn.xor(20, seed=0)                      # labels -1/+1
    >>> model = nn.MLP(2, [8, 1], seed=0)              # one output: its sign is the class
    >>> history = nn.fit(model, X, y, optimizer=nn.Adam(model.parameters(), lr=0.1),
    ...                  epochs=100, batch_size=5, progress=False)
    >>> nn.accuracy(model, X, y)
    1.0
"""

from nn import data, features
from nn.bridge import from_torch, to_torch
from nn.callbacks import Callback, EarlyStopping, Record
from nn.data import (
    batches,
    blobs,
    circles,
    iris,
    load_csv,
    moons,
    seed_example,
    spiral,
    train_test_split,
    xor,
)
from nn.features import add_bias, polynomial_features
from nn.history import History
from nn.layers import MLP, Layer, Neuron
from nn.losses import (
    cross_entropy,
    hinge,
    log_likelihood,
    log_sigmoid,
    log_softmax,
    logistic_loss,
    mse,
    perceptron_criterion,
    softmax,
)
from nn.metrics import accuracy, predict
from nn.module import Module, StateDictError
from nn.optim import OPTIMIZERS, SGD, Adam, Optimizer, RMSprop, make_optimizer
from nn.perceptron import ConvergenceWarning, MulticlassPerceptron, NotFittedError, Perceptron
from nn.train import compile_step, fit, train_step

__all__ = [
    "MLP",
    "OPTIMIZERS",
    "SGD",
    "Adam",
    "Callback",
    "ConvergenceWarning",
    "EarlyStopping",
    "History",
    "Layer",
    "Module",
    "MulticlassPerceptron",
    "Neuron",
    "NotFittedError",
    "Optimizer",
    "Perceptron",
    "RMSprop",
    "Record",
    "StateDictError",
    "accuracy",
    "add_bias",
    "batches",
    "blobs",
    "circles",
    "compile_step",
    "cross_entropy",
    "data",
    "features",
    "fit",
    "from_torch",
    "hinge",
    "iris",
    "load_csv",
    "log_likelihood",
    "log_sigmoid",
    "log_softmax",
    "logistic_loss",
    "make_optimizer",
    "moons",
    "mse",
    "perceptron_criterion",
    "polynomial_features",
    "predict",
    "seed_example",
    "softmax",
    "spiral",
    "to_torch",
    "train_step",
    "train_test_split",
    "xor",
]
