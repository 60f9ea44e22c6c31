"""The README's examples run: every ```python block with `>>>` prompts is a doctest."""

from __future__ import annotations

import doctest
import re
import textwrap
from pathlib import Path

import pytest

from engine import OPS_BY_NAME
from engine.ops import remove_op

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = [
    block
    for block in re.findall(r"^ *```python\n(.*?)^ *```", README.read_text(), re.M | re.S)
    if ">>>" in block
]


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs_as_shown(index: int) -> None:
    text = textwrap.dedent(BLOCKS[index])  # a block inside a list item is indented
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {}, f"README block {index}", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    before = set(OPS_BY_NAME)
    try:
        runner.run(test)
    finally:
        for name in set(OPS_BY_NAME) - before:  # ops an example defined
            remove_op(name)
    assert runner.failures == 0, f"README example {index} failed (see the output above)"


def test_shell_blocks_say_where_tracegrad_comes_from() -> None:
    """A bare `tracegrad` only after the block activates the venv (it is .venv/bin/tracegrad)."""
    blocks = re.findall(r"^```bash\n(.*?)^```", README.read_text(), re.M | re.S)
    assert blocks
    for block in blocks:
        activated = False
        for line in block.splitlines():
            activated = activated or line.startswith("source .venv/bin/activate")
            assert activated or not line.startswith("tracegrad "), line
