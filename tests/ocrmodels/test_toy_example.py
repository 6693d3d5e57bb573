"""The seed toy (examples/toy_apple.py) learns to read "apple": about a minute, so behind the slow marker."""

import importlib.util
from pathlib import Path

import pytest


@pytest.mark.slow
def test_toy_apple_reads_apple():
    path = Path(__file__).resolve().parents[2] / "examples" / "toy_apple.py"
    spec = importlib.util.spec_from_file_location("toy_apple", path)
    toy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(toy)
    acc, apples = toy.main()
    assert acc > 0.5
    assert apples.count("apple") > len(apples) / 2
