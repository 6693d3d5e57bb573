"""The bundled fonts, backgrounds and photos, installed under ``<prefix>/share/synthgen`` by non-editable installs.

The list is built from the folders (every file under ``fonts/``, ``backgrounds/`` and ``photos/``), so an
install always has all of them; everything else is in ``pyproject.toml``.
"""

from pathlib import Path

from setuptools import setup


def _tree(top: str) -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for p in sorted(Path(top).rglob("*")):
        if p.is_file():
            groups.setdefault((Path("share/synthgen") / p.parent).as_posix(), []).append(p.as_posix())
    return sorted(groups.items())


setup(data_files=_tree("fonts") + _tree("backgrounds") + _tree("photos"))
