"""Built-in data sets, splitting, batching, CSV loading and the shipped iris table."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn import data


def test_seed_example_is_the_notes_training_set() -> None:
    X, y = data.seed_example()
    assert X == [[1, 1], [3, 2], [2, 4], [3, 4], [2, 3]]
    assert y == [-1, 1, 1, 1, -1]


GENERATORS: list[tuple[str, Callable[..., tuple[list[list[float]], list[int]]], set[int]]] = [
    ("blobs", data.blobs, {-1, 1}),
    ("xor", data.xor, {-1, 1}),
    ("moons", data.moons, {0, 1}),
    ("circles", data.circles, {0, 1}),
]


@pytest.mark.parametrize(("name", "make", "labels"), GENERATORS, ids=[g[0] for g in GENERATORS])
def test_generators_are_deterministic_balanced_and_2d(
    name: str, make: Callable[..., tuple[list[list[float]], list[int]]], labels: set[int]
) -> None:
    X, y = make(100, seed=3)
    assert (X, y) == make(100, seed=3)
    assert make(100, seed=4)[0] != X
    assert len(X) == len(y) == 100
    assert all(len(row) == 2 and all(type(v) is float for v in row) for row in X)
    assert set(y) == labels
    assert set(Counter(y).values()) == {50}


def test_generators_do_not_touch_the_global_random_state() -> None:
    import random

    random.seed(123)
    expected = random.random()
    random.seed(123)
    data.moons(30, seed=1)
    data.spiral(10, seed=1)
    assert random.random() == expected


def test_blobs_are_linearly_separable() -> None:
    X, y = data.blobs(400, seed=0)
    assert all((a + b > 0) == (t == 1) for (a, b), t in zip(X, y))


def test_xor_labels_follow_the_quadrants() -> None:
    X, y = data.xor(100, seed=0)
    assert all((a * b > 0) == (t == 1) for (a, b), t in zip(X, y))
    assert min(min(abs(a), abs(b)) for a, b in X) >= 0.1


def test_moons_without_noise_lie_on_their_half_circles() -> None:
    X, y = data.moons(40, noise=0.0)
    for (a, b), t in zip(X, y):
        centre = (0.0, 0.0) if t == 0 else (1.0, 0.5)
        assert math.hypot(a - centre[0], b - centre[1]) == pytest.approx(1.0)
        assert (b >= -1e-12) if t == 0 else (b <= 0.5 + 1e-12)


def test_circles_without_noise_have_two_radii() -> None:
    X, y = data.circles(50, noise=0.0, factor=0.3)
    radii = {t: {round(math.hypot(*x), 9) for x, s in zip(X, y) if s == t} for t in (0, 1)}
    assert radii == {0: {1.0}, 1: {0.3}}


def test_spiral_has_one_arm_per_class() -> None:
    X, y = data.spiral(20, classes=4, seed=2)
    assert len(X) == 80
    assert Counter(y) == {0: 20, 1: 20, 2: 20, 3: 20}
    assert max(math.hypot(*x) for x in X) <= 1.0 + 1e-12


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: data.moons(1), "Invalid n: 1"),
        (lambda: data.xor(2), "Invalid n: 2"),
        (lambda: data.moons(10, noise=-0.1), "Invalid noise: -0.1"),
        (lambda: data.spiral(10, classes=1), "Invalid classes: 1"),
        (lambda: data.circles(10, factor=1.5), "Invalid factor: 1.5"),
    ],
)
def test_generators_reject_bad_arguments(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        call()


def test_generators_reject_non_int_sizes() -> None:
    with pytest.raises(TypeError, match=r"Invalid n: 10\.0"):
        data.blobs(10.0)  # type: ignore[arg-type]


# ---------------------------------------------------------------- split and batches


def test_train_test_split_partitions_the_data() -> None:
    X = [[float(i)] for i in range(10)]
    y = list(range(10))
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_fraction=0.3, seed=5)
    assert len(X_te) == 3 and len(X_tr) == 7
    assert sorted(y_tr + y_te) == y
    assert all(x == [float(t)] for x, t in zip(X_tr + X_te, y_tr + y_te))
    assert data.train_test_split(X, y, test_fraction=0.3, seed=5)[3] == y_te


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.2])
def test_train_test_split_rejects_bad_fraction(fraction: float) -> None:
    with pytest.raises(ValueError, match="Invalid test_fraction"):
        data.train_test_split([[0.0], [1.0]], [0, 1], test_fraction=fraction)


def test_train_test_split_rejects_length_mismatch() -> None:
    with pytest.raises(ValueError, match="2 points but 1 labels"):
        data.train_test_split([[0.0], [1.0]], [0])


def test_full_batch_is_one_batch_of_everything() -> None:
    assert [sorted(b) for b in data.batches(5)] == [[0, 1, 2, 3, 4]]


def test_single_sample_batches_visit_each_point_once() -> None:
    bs = list(data.batches(6, 1, seed=2))
    assert all(len(b) == 1 for b in bs)
    assert sorted(b[0] for b in bs) == list(range(6))


def test_mini_batches_are_seeded() -> None:
    first = list(data.batches(10, 3, seed=1))
    assert [len(b) for b in first] == [3, 3, 3, 1]
    assert first == list(data.batches(10, 3, seed=1))
    assert first != list(data.batches(10, 3, seed=2))


def test_batches_validate_eagerly() -> None:
    with pytest.raises(ValueError, match="Invalid batch_size: 0"):
        data.batches(5, 0)


# ---------------------------------------------------------------- CSV and iris


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_csv_reads_header_features_and_int_labels(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b,y\n1,2,-1\n\n3.5,4,1\n")
    assert data.load_csv(path) == ([[1.0, 2.0], [3.5, 4.0]], [-1, 1])


def test_load_csv_without_header_and_label_first(tmp_path: Path) -> None:
    path = _write(tmp_path, "cat,1,2\ndog,3,4\n")
    assert data.load_csv(path, label_column=0) == ([[1.0, 2.0], [3.0, 4.0]], ["cat", "dog"])


def test_load_csv_maps_known_labels_to_indices(tmp_path: Path) -> None:
    path = _write(tmp_path, "1,2,dog\n3,4,cat\n")
    assert data.load_csv(path, labels=["cat", "dog"])[1] == [1, 0]


def test_load_csv_lists_every_problem_with_line_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, "x1,x2,y\n1,2,cat\n1,2,3,cat\nabc,2,cat\n1,nan,dog\n5,6,bird\n")
    with pytest.raises(ValueError) as info:
        data.load_csv(path, labels=["cat", "dog"])
    message = str(info.value)
    assert "4 problem(s)" in message
    assert "line 3: 4 columns, expected 3" in message
    assert "line 4, column 1: 'abc' is not a finite number" in message
    assert "line 5, column 2: 'nan' is not a finite number" in message
    assert "line 6, column 3: unknown label 'bird' (allowed: 'cat', 'dog')" in message


def test_load_csv_reports_empty_labels(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="line 2, column 3: the label is empty"):
        data.load_csv(_write(tmp_path, "1,2,1\n3,4,\n"))


def test_load_csv_ignores_a_byte_order_mark(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffcat,1\ndog,2\n")
    assert data.load_csv(path, label_column=0, labels=["cat", "dog"]) == ([[1.0], [2.0]], [0, 1])


def test_load_csv_rejects_an_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="holds no data rows"):
        data.load_csv(_write(tmp_path, "\n\n"))


def test_load_csv_rejects_a_label_column_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Invalid label_column: 5"):
        data.load_csv(_write(tmp_path, "1,2,3\n"), label_column=5)


def test_iris_has_fishers_table() -> None:
    X, y, names = data.iris()
    assert names == ["setosa", "versicolor", "virginica"]
    assert len(X) == 150 and all(len(row) == 4 for row in X)
    assert Counter(y) == {"setosa": 50, "versicolor": 50, "virginica": 50}
    # Well-known rows: the first of each species and the last one.
    assert (X[0], y[0]) == ([5.1, 3.5, 1.4, 0.2], "setosa")
    assert (X[50], y[50]) == ([7.0, 3.2, 4.7, 1.4], "versicolor")
    assert (X[100], y[100]) == ([6.3, 3.3, 6.0, 2.5], "virginica")
    assert (X[149], y[149]) == ([5.9, 3.0, 5.1, 1.8], "virginica")
    # Rows 35 and 38 as Fisher printed them (the UCI copy has them wrong).
    assert X[34] == [4.9, 3.1, 1.5, 0.2]
    assert X[37] == [4.9, 3.6, 1.4, 0.1]
    means = [round(math.fsum(row[j] for row in X) / 150, 3) for j in range(4)]
    assert means == [5.843, 3.057, 3.758, 1.199]


def test_load_csv_reports_a_quote_left_open_instead_of_swallowing_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, 'x1,x2,y\n1,2,1\n3,"4,1\n5,6,1\n7,8,-1\n')
    message = r"'.*data\.csv' line 3: a quoted field is never closed \(the file ends inside"
    with pytest.raises(ValueError, match=message):
        data.load_csv(path)


def test_load_csv_reports_text_after_a_closing_quote(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"line 2: text after a closing quote"):
        data.load_csv(_write(tmp_path, 'x1,y\n"1"2,1\n'))


def test_load_csv_reports_an_over_long_field_without_raising_the_csv_limit(
    tmp_path: Path,
) -> None:
    import csv

    limit = csv.field_size_limit()
    path = _write(tmp_path, "x1,y\n1,1\n" + "9" * (limit + 1) + ",1\n")
    with pytest.raises(
        ValueError, match=rf"'.*data\.csv' line 3: a field is longer than {limit:,}"
    ):
        data.load_csv(path)
    assert csv.field_size_limit() == limit  # a process-wide setting: left alone


@pytest.mark.parametrize(("bom", "newline"), [("", "\n"), ("\ufeff", "\r\n"), ("", "\r")])
def test_load_csv_names_the_file_and_line_of_bytes_that_are_not_utf8(
    tmp_path: Path, bom: str, newline: str
) -> None:
    path = tmp_path / "latin1.csv"
    text = bom.encode() + f"x1,y{newline}1,a{newline}2,caf\u00e9{newline}".encode("latin-1")
    path.write_bytes(text)
    with pytest.raises(ValueError, match=r"'.*latin1\.csv' line 3: byte 0xe9 is not UTF-8"):
        data.load_csv(path)


def test_load_csv_line_numbers_count_lines_not_records(tmp_path: Path) -> None:
    path = _write(tmp_path, 'x1,y\n1,"two\nlines"\nabc,1\n')
    with pytest.raises(ValueError, match=r"line 4, column 1: 'abc' is not a finite number"):
        data.load_csv(path)


def test_load_csv_shortens_huge_cells_in_its_message(tmp_path: Path) -> None:
    rows = "".join(f"{'z' * 100_000},1\n" for _ in range(30))
    with pytest.raises(ValueError) as info:
        data.load_csv(_write(tmp_path, "x1,y\n" + rows))
    assert "30 problem(s)" in str(info.value) and "... and 10 more" in str(info.value)
    assert len(str(info.value)) < 4000


CSV_TEXT = st.text(st.sampled_from('0123456789.-,"\n\r ab\x00\u00e9'), max_size=60)


@given(content=CSV_TEXT.map(str.encode) | st.binary(max_size=60))
def test_load_csv_reads_any_bytes_or_gives_one_value_error(
    tmp_path_factory: pytest.TempPathFactory, content: bytes
) -> None:
    path = tmp_path_factory.mktemp("csv") / "any.csv"
    path.write_bytes(content)
    try:
        X, y = data.load_csv(path)
    except ValueError as e:
        assert str(path) in str(e) or "label_column" in str(e)
    else:
        assert len(X) == len(y) > 0


def test_load_csv_of_a_folder_is_a_value_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is a folder, not a CSV file") as caught:
        data.load_csv(tmp_path)
    assert not isinstance(caught.value, OSError)


def test_load_csv_refuses_a_file_over_max_bytes_having_read_no_more(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("1,2,a\n" * 100)
    assert len(data.load_csv(path, max_bytes=600)[0]) == 100
    with pytest.raises(ValueError, match="longer than max_bytes=599 bytes"):
        data.load_csv(path, max_bytes=599)
    with pytest.raises(ValueError, match="longer than max_bytes=10,000,000"):
        data.load_csv("/dev/zero")  # a device that never ends: read up to the bound only
