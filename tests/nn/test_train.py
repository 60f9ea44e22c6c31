"""fit: history, batching, seeding, early stopping, progress bar, and accuracy targets."""

from __future__ import annotations

import time

import pytest

import nn
from engine import Value
from nn import MLP, SGD, Adam, History, Neuron, accuracy, fit


class CountingSGD(SGD):
    """SGD that counts its steps."""

    steps = 0

    def step(self) -> None:
        self.steps += 1
        super().step()


def test_history_has_one_entry_per_epoch_and_loss_falls() -> None:
    X, y = nn.blobs(30, seed=1)
    history = fit(MLP(2, [1], seed=0), X, y, loss="hinge", epochs=8, progress=False)
    assert isinstance(history, History)
    assert history.epochs == len(history.loss) == len(history.accuracy) == 8
    assert history.loss[-1] < history.loss[0]
    assert not history.stopped_early


def test_full_batch_epoch_is_one_step_on_the_mean_loss() -> None:
    X, y = nn.spiral(4, seed=2)
    model, reference = MLP(2, [3, 3], seed=1), MLP(2, [3, 3], seed=1)
    fit(model, X, y, lr=0.3, epochs=1, progress=False)
    # The same step written out by hand: mean cross-entropy, backward, w -= lr * grad.
    losses = [nn.cross_entropy(reference(x), t) for x, t in zip(X, y)]
    (sum(losses, Value(0.0)) / len(X)).backward()
    expected = [p.data - 0.3 * p.grad for p in reference.parameters()]
    assert [p.data for p in model.parameters()] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("batch_size", "steps"), [(None, 1), (1, 10), (3, 4), (10, 1)])
def test_batch_size_sets_the_number_of_steps_per_epoch(batch_size: int | None, steps: int) -> None:
    X, y = nn.blobs(10, seed=0)
    model = MLP(2, [1])
    opt = CountingSGD(model.parameters(), lr=0.01)
    fit(model, X, y, loss="mse", optimizer=opt, epochs=2, batch_size=batch_size, progress=False)
    assert opt.steps == 2 * steps


def test_training_is_deterministic_given_the_seed() -> None:
    X, y = nn.xor(12, seed=0)

    def train(seed: int) -> list[float]:
        model = MLP(2, [4, 1], seed=0)
        fit(model, X, y, loss="mse", epochs=3, batch_size=2, seed=seed, progress=False)
        return [p.data for p in model.parameters()]

    assert train(1) == train(1)
    assert train(1) != train(2)


def test_history_accuracy_counts_correct_forward_passes() -> None:
    X, y = nn.blobs(20, seed=0)
    model = MLP(2, [1], seed=0)
    before = accuracy(model, X, y)
    history = fit(model, X, y, loss="hinge", lr=0.0, epochs=1, progress=False)
    assert history.accuracy == [before]


def test_early_stopping_function_stops_training() -> None:
    X, y = nn.blobs(20, seed=0)
    history = fit(
        MLP(2, [1]),
        X,
        y,
        loss="hinge",
        epochs=50,
        progress=False,
        early_stopping=lambda h: h.epochs == 3,
    )
    assert history.epochs == 3 and history.stopped_early


def test_early_stopping_patience_stops_when_loss_stalls() -> None:
    X, y = nn.blobs(20, seed=0)
    history = fit(
        MLP(2, [1]), X, y, loss="hinge", lr=0.0, epochs=50, progress=False, early_stopping=2
    )
    assert history.epochs == 3 and history.stopped_early


def test_early_stop_on_the_last_epoch_is_not_early() -> None:
    X, y = nn.blobs(10, seed=0)
    history = fit(
        MLP(2, [1]),
        X,
        y,
        loss="hinge",
        epochs=2,
        progress=False,
        early_stopping=lambda h: h.epochs == 2,
    )
    assert not history.stopped_early


def test_progress_bar_can_be_shown_and_turned_off(capsys: pytest.CaptureFixture[str]) -> None:
    X, y = nn.blobs(10, seed=0)
    fit(MLP(2, [1]), X, y, loss="hinge", epochs=2, progress=True)
    shown = capsys.readouterr().err
    assert "fit" in shown and "2/2" in shown
    fit(MLP(2, [1]), X, y, loss="hinge", epochs=2, progress=False)
    assert capsys.readouterr().err == ""


def test_custom_loss_function_is_used() -> None:
    X, y = nn.blobs(10, seed=0)
    calls: list[int] = []

    def loss(outs: list[Value], t: int) -> Value:
        calls.append(t)
        return nn.hinge(outs[0], t)

    fit(MLP(2, [1]), X, y, loss=loss, epochs=1, progress=False)
    assert sorted(calls) == sorted(y)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"epochs": -1}, ValueError, "Invalid epochs: -1"),
        ({"loss": "l1"}, ValueError, "Invalid loss: 'l1'"),
        ({"batch_size": 0}, ValueError, "Invalid batch_size: 0"),
        ({"lr": -0.1}, ValueError, "Invalid learning rate: -0.1"),
        ({"early_stopping": 0}, ValueError, "Invalid early_stopping: 0"),
        ({"optimizer": "adam"}, TypeError, "Invalid optimizer: 'adam'"),
    ],
)
def test_fit_rejects_bad_settings(kwargs: dict[str, object], error: type, message: str) -> None:
    X, y = nn.blobs(10, seed=0)
    with pytest.raises(error, match=message):
        fit(MLP(2, [1]), X, y, progress=False, **kwargs)  # type: ignore[arg-type]


def test_fit_rejects_labels_that_do_not_fit_the_model() -> None:
    X, y = nn.moons(10, seed=0)
    with pytest.raises(ValueError, match=r"expected -1 or \+1 \(for 0/1 labels"):
        fit(MLP(2, [1]), X, y, progress=False)
    with pytest.raises(ValueError, match="10 points but 9 labels"):
        fit(MLP(2, [2]), X, y[:9], progress=False)


def test_single_output_losses_need_a_single_output() -> None:
    X, y = nn.moons(10, seed=0)
    with pytest.raises(ValueError, match="loss 'hinge' needs a model with one output, got 2"):
        fit(MLP(2, [2]), X, y, loss="hinge", progress=False)


def test_perceptron_criterion_separates_the_notes_training_set() -> None:
    X, y = nn.seed_example()
    model = Neuron(2, activation="linear")
    fit(
        model,
        X,
        y,
        loss="perceptron",
        lr=0.1,
        epochs=300,
        batch_size=1,
        progress=False,
        early_stopping=lambda h: h.loss[-1] == 0.0,
    )
    assert accuracy(model, X, y) == 1.0


def test_squared_feature_makes_a_linear_model_fit_the_notes_example() -> None:
    xs = [-3.0, -2.0, -0.5, 0.0, 0.5, 2.0, 3.0]
    y = [1, 1, -1, -1, -1, 1, 1]
    plain, lifted = Neuron(1, "linear"), Neuron(2, "linear")
    fit(plain, [[x] for x in xs], y, loss="hinge", epochs=200, progress=False)
    X2 = nn.polynomial_features([[x] for x in xs], 2)
    fit(lifted, X2, y, loss="hinge", epochs=200, progress=False)
    assert accuracy(plain, [[x] for x in xs], y) < 1.0
    assert accuracy(lifted, X2, y) == 1.0


def _train_until(
    model: MLP, X: list[list[float]], y: list[int], target: float
) -> tuple[float, int, float]:
    opt = Adam(model.parameters(), lr=0.05)
    start = time.perf_counter()
    history = fit(
        model,
        X,
        y,
        optimizer=opt,
        epochs=60,
        batch_size=10,
        seed=0,
        progress=False,
        early_stopping=lambda h: h.accuracy[-1] >= target,
    )
    acc = accuracy(model, X, y)
    return acc, history.epochs, time.perf_counter() - start


def test_mlp_reaches_97_percent_on_two_moons() -> None:
    X, y01 = nn.moons(100, seed=0)
    y = [2 * t - 1 for t in y01]
    acc, epochs, seconds = _train_until(MLP(2, [16, 1], activation="relu", seed=0), X, y, 0.99)
    print(f"\nmoons: accuracy {acc:.3f} after {epochs} epochs in {seconds:.2f}s")
    assert acc >= 0.97


def test_multiclass_mlp_reaches_95_percent_on_the_spiral() -> None:
    X, y = nn.spiral(50, classes=3, seed=0)
    acc, epochs, seconds = _train_until(MLP(2, [32, 3], activation="relu", seed=0), X, y, 0.97)
    print(f"\nspiral: accuracy {acc:.3f} after {epochs} epochs in {seconds:.2f}s")
    assert acc >= 0.95


def test_mlp_classifies_held_out_iris_flowers() -> None:
    X, species, names = nn.iris()
    y = [names.index(s) for s in species]
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_fraction=0.3, seed=0)
    model = MLP(4, [8, 3], seed=0)
    start = time.perf_counter()
    history = fit(
        model,
        X_train,
        y_train,
        optimizer=Adam(model.parameters(), lr=0.05),
        epochs=40,
        batch_size=10,
        progress=False,
        early_stopping=lambda h: h.accuracy[-1] >= 0.98,
    )
    acc = accuracy(model, X_test, y_test)
    print(
        f"\niris: test accuracy {acc:.3f} after {history.epochs} epochs"
        f" in {time.perf_counter() - start:.2f}s"
    )
    assert acc >= 0.9


def test_fit_refuses_a_step_graph_over_max_step_edges_before_training() -> None:
    X, y = nn.moons(200, seed=0)
    labels = [2 * t - 1 for t in y]
    model = nn.MLP(2, [16, 1], seed=0)  # 65 parameters x 200 points = 13,000 edges
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=r"13,000 edges .* more than max_step_edges=12,999"):
        nn.fit(model, X, labels, loss="hinge", progress=False, max_step_edges=12_999)
    assert [p.data for p in model.parameters()] == before
    nn.fit(model, X, labels, loss="hinge", epochs=1, progress=False, batch_size=100,
           max_step_edges=6_500)  # fmt: skip
    assert nn.train.MAX_STEP_EDGES == 5_000_000
