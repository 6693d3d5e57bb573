"""The README's Python snippets run as pasted, in order, in a fresh folder."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _snippets():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_the_readme_has_python_snippets():
    assert len(_snippets()) >= 4


@pytest.mark.slow
def test_readme_snippets_run_as_pasted(tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    for k, code in enumerate(_snippets()):
        r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env,
                           timeout=900)
        assert r.returncode == 0, f"snippet {k} failed:\n{code}\n{r.stderr[-3000:]}"
