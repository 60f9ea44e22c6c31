"""The playground's Python side, under CPython: what the page asks, the wheel, the site.

The page itself is driven in Chromium by tests/browser/test_playground.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viz.cli import main
from viz.cli.expr import ExpressionError, input_names
from viz.playground import PyodideNotFoundError, build_site
from viz.playground.session import FIGURE_5, Training, explain
from viz.playground.site import MARKER, PYODIDE_FILES, check_pyodide
from viz.playground.wheel import installed_wheel

FIGURE_4 = "g = x + y; f = g * z"


def grads(result: dict) -> dict[str, float]:
    return {i["name"]: i["grad"] for i in result["inputs"]}


def test_figure_5_of_the_notes() -> None:
    r = explain(FIGURE_5["expr"], {"x": "2", "y": "3", "z": "4"})
    assert r["ok"], r
    assert r["value"] == 44.0
    assert grads(r) == {"x": 16.0, "y": 12.0, "z": 11.0}
    assert r["values"] == {"x": "2", "y": "3", "z": "4"}
    assert "digraph" in r["dot"] and "grad 16" in r["dot"]
    assert r["steps"][0]["phase"] == "forward" and r["steps"][-1]["phase"] == "backward"
    assert "final gradient 11" in r["steps"][-1]["caption"]
    assert "label=" not in r["steps"][0]["dot"].split("\n")[1]  # the caption is the page's
    namespace: dict = {}
    exec(r["code"], namespace)  # the generated code runs on its own
    assert namespace["f"](2.0, 3.0, 4.0) == (44.0, (16.0, 12.0, 11.0))


def test_figure_4_and_missing_inputs_default_to_one() -> None:
    r = explain(FIGURE_4, {"x": 2, "y": 3, "z": 4, "w": 9})  # w is not used: left out
    assert (r["value"], grads(r)) == (20.0, {"x": 4.0, "y": 4.0, "z": 5.0})
    assert set(r["values"]) == {"x", "y", "z"}
    r = explain("x * y", {})
    assert r["value"] == 1.0 and r["values"] == {"x": "1", "y": "1"}


@pytest.mark.parametrize(
    ("expression", "values", "says"),
    [
        ("x ^ 2", {}, "use ** for powers"),
        ("2x + y", {}, "2*x"),
        ("__import__('os').system('true')", {}, "not allowed"),
        ("x * y", {"x": "abc"}, "the value of x is not a number: 'abc'"),
        ("x * y", {"x": "inf"}, "the value of x must be finite"),
        ("x * y", {"x": True}, "must be a number"),
        ("log(x)", {"x": "-1"}, "log() needs a positive input"),
        ("exp(x)", {"x": "1000"}, "exp"),
        ("", {}, "empty"),
        ("+".join(["x"] * 80), {}, "more than 60 nodes"),
    ],
)
def test_what_the_user_gets_wrong_comes_back_as_one_line(
    expression: str, values: dict, says: str
) -> None:
    r = explain(expression, values)
    assert r["ok"] is False
    assert says in r["error"], r["error"]
    assert "\n" not in r["error"]


def test_the_inputs_of_a_failing_expression_are_still_named() -> None:
    r = explain("h = x + y; f = h * q", {"x": "2", "y": "oops"})
    assert r["inputs"] == ["q", "x", "y"] and "the value of y" in r["error"]


def test_input_names() -> None:
    assert input_names(FIGURE_5["expr"]) == ["x", "y", "z"]
    with pytest.raises(ExpressionError, match="used before it is given a value"):
        input_names("f = h * 2; h = x")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40), st.dictionaries(st.sampled_from("xyzh"), st.text(max_size=8)))
def test_no_text_makes_explain_raise(expression: str, values: dict) -> None:
    r = explain(expression, values)
    assert isinstance(r["ok"], bool)
    if not r["ok"]:
        assert r["error"] and "\n" not in r["error"]


def test_training_lowers_the_loss_and_gives_the_same_floats_twice() -> None:
    def run() -> tuple[list[float], dict]:
        t = Training("moons", 60, "6,6", "tanh", 0.05, 3)
        t.run(40)
        return t.losses, t.regions(12)

    (losses, regions), (again, regions_again) = run(), run()
    assert len(losses) == 40 and losses[-1] < 0.5 * losses[0]
    assert [x.hex() for x in losses] == [x.hex() for x in again]
    assert regions == regions_again
    assert len(regions["classes"]) == 12 and {len(r) for r in regions["classes"]} == {12}
    assert {k for row in regions["classes"] for k in row} == {0, 1}


def test_training_on_three_classes() -> None:
    t = Training("spiral", 60, [8], "relu", 0.05, 0)
    assert t.points()["classes"] == 3 and set(t.points()["y"]) == {0, 1, 2}
    report = t.run(30)
    assert report["epoch"] == 30 and report["loss"] < report["losses"][0]


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"dataset": "moon"}, "dataset: expected one of"),
        ({"hidden": "8,x"}, "hidden must be whole numbers from 1 to"),
        ({"hidden": "8,8,8,8"}, "1 to 3 layer widths"),
        ({"hidden": [0]}, "hidden: expected a whole number from 1 to 32"),
        ({"activation": "tahn"}, "activation: expected one of"),
        ({"lr": 0}, "lr: expected a learning rate"),
        ({"lr": float("nan")}, "lr: expected a learning rate"),
        ({"samples": 10_000}, "samples: expected a whole number from 4 to 400"),
        ({"seed": -1}, "seed:"),
    ],
)
def test_training_refuses_bad_arguments_by_name(kwargs: dict, says: str) -> None:
    with pytest.raises(ValueError, match=says.replace("(", r"\(")):
        Training(**kwargs)
    with pytest.raises(ValueError, match="epochs: expected a whole number"):
        Training().run(0)


# --- the wheel and the site ---------------------------------------------------------------


def test_the_wheel_holds_the_packages_and_runs_on_its_own(tmp_path: Path) -> None:
    name, data = installed_wheel("tracegrad", ["engine", "nn", "viz"])
    assert name.startswith("tracegrad-") and name.endswith("-py3-none-any.whl")
    assert installed_wheel("tracegrad", ["engine", "nn", "viz"])[1] == data  # same bytes
    path = tmp_path / name
    path.write_bytes(data)
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        assert "engine/value.py" in names and "nn/data/iris.csv" in names
        assert not any("__pycache__" in n for n in names)
        record = next(n for n in names if n.endswith(".dist-info/RECORD"))
        listed = {line.split(",")[0] for line in wheel.read(record).decode().splitlines()}
        assert listed == set(names)
        wheel.extractall(tmp_path / "site-packages")
    graphviz_name, graphviz_data = installed_wheel("graphviz", ["graphviz"])
    (tmp_path / graphviz_name).write_bytes(graphviz_data)
    with zipfile.ZipFile(tmp_path / graphviz_name) as wheel:
        wheel.extractall(tmp_path / "site-packages")
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import engine, viz.playground.session as s\n"
        "assert engine.__file__.startswith(sys.argv[1]), engine.__file__\n"
        "r = s.explain(s.FIGURE_5['expr'], s.FIGURE_5); print(r['value'], r['inputs'][0]['grad'])"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code, str(tmp_path / "site-packages")],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert out.stdout.split() == ["44.0", "16.0"]


def test_a_missing_distribution_is_named() -> None:
    with pytest.raises(ImportError, match="'no-such-thing': it is not installed"):
        installed_wheel("no-such-thing", ["x"])


def fake_pyodide(folder: Path, python: str = "3.14.2") -> Path:
    folder.mkdir()
    for name in PYODIDE_FILES:
        (folder / name).write_text("stand-in")
    lock = {"info": {"python": python, "version": "314.0.8"}, "packages": {}}
    (folder / "pyodide-lock.json").write_text(json.dumps(lock))
    return folder


def test_the_site_has_the_page_the_wheels_and_pyodide(tmp_path: Path) -> None:
    pyodide = fake_pyodide(tmp_path / "pyodide-copy")
    files = build_site(tmp_path / "site", pyodide=pyodide)
    names = {p.relative_to(tmp_path / "site").as_posix() for p in files}
    assert files[0].name == "index.html"
    assert {"playground.js", "playground.css", "viz-global.js"} <= names
    assert {f"pyodide/{n}" for n in PYODIDE_FILES} <= names
    wheels = sorted(n for n in names if n.endswith(".whl"))
    assert [w.split("-")[0] for w in wheels] == ["graphviz", "tracegrad"]
    page = (tmp_path / "site" / "index.html").read_text()
    config = json.loads(page.split('id="config">')[1].split("</script>")[0])
    assert config["pyodide"] == "pyodide/" and sorted(config["wheels"]) == wheels
    assert "visited now" in page  # the legend of the step-through
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing from elsewhere
    with zipfile.ZipFile(tmp_path / "site" / wheels[1]) as wheel:
        assert "viz/wasm/viz-global.js" not in wheel.namelist()  # the site serves it
        assert not any(n.startswith("viz/playground/static/") for n in wheel.namelist())
    build_site(tmp_path / "site", pyodide_url="https://example.org/pyodide/v314")  # replaces
    assert not (tmp_path / "site" / "pyodide").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyodide-copy", "site"]  # no leftovers
    page = (tmp_path / "site" / "index.html").read_text()
    assert '"pyodide": "https://example.org/pyodide/v314/"' in page


def test_the_site_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    pyodide = fake_pyodide(tmp_path / "pyodide-copy")
    (pyodide / "python_stdlib.zip").unlink()
    with pytest.raises(PyodideNotFoundError, match=r"lacks python_stdlib\.zip"):
        build_site(tmp_path / "site", pyodide=pyodide)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="holds other files"):
        build_site(other, pyodide_url="https://example.org/p/")
    assert [p.name for p in other.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "pyodide-copy"]
    with pytest.raises(ValueError, match="http:// or https://"):
        build_site(tmp_path / "site", pyodide_url="javascript:alert(1)")
    with pytest.raises(ValueError, match="not both"):
        build_site(tmp_path / "site", pyodide=pyodide, pyodide_url="https://example.org/")


def test_an_old_pyodide_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PyodideNotFoundError, match=r"runs Python 3\.10; tracegrad needs 3\.11"):
        check_pyodide(fake_pyodide(tmp_path / "old", python="3.10.2"))


def test_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pyodide = fake_pyodide(tmp_path / "pyodide-copy")
    assert main(["playground", "-o", str(tmp_path / "site"), "--pyodide", str(pyodide)]) == 0
    out = capsys.readouterr().out
    assert "wrote" in out and "python -m http.server -d" in out
    assert (tmp_path / "site" / MARKER).is_file()
    code = main(["playground", "-o", str(tmp_path / "s2"), "--pyodide", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "is not a copy of the npm package" in err
    url = ["--pyodide-url", "ftp://x"]
    assert main(["playground", "-o", str(tmp_path / "s3"), *url]) == 2
    assert "--pyodide-url: expected an http:// or https:// address" in capsys.readouterr().err
    both = ["--pyodide", str(pyodide), "--pyodide-url", "https://example.org/"]
    assert main(["playground", "-o", str(tmp_path / "s4"), *both]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
