"""Keep the book's notebooks current.

    python scripts/notebooks.py sync               # rewrite every notebook's install cell
    python scripts/notebooks.py execute [NB ...]   # sync, then re-execute in place

The first cell of every chapter installs gru_lib when it is not importable (in Colab),
from the repository URL in ``_config.yml``; ``sync`` regenerates it from that one URL.
``execute`` runs each notebook top to bottom in ``book/`` with a fresh kernel and stores
the outputs without timing metadata, so nbval can compare them with a fresh run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
INSTALL_TAG = "remove-cell"
INSTALL_MARK = "# Colab setup (hidden in the HTML book)"


def repository_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def install_cell_source() -> str:
    """The first cell of every chapter: install gru_lib where it is missing (Colab)."""
    return f"""{INSTALL_MARK}: install gru_lib where it is not installed yet.
# GRU_LIB_SOURCE overrides where it comes from (a fork, a branch, or a local path).
import importlib.util, os, subprocess, sys
if importlib.util.find_spec("gru_lib") is None:
    source = os.environ.get("GRU_LIB_SOURCE", "git+{repository_url()}")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", source], check=True)"""


def notebooks() -> list[Path]:
    return sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))


def sync(nb) -> bool:
    """Make the first cell the current install cell; returns True if it changed."""
    cell = nbformat.v4.new_code_cell(install_cell_source(), metadata={"tags": [INSTALL_TAG]})
    first = nb.cells[0] if nb.cells else None
    if first is not None and first.cell_type == "code" and first.source.startswith(INSTALL_MARK):
        if first.source == cell.source and first.metadata.get("tags") == [INSTALL_TAG]:
            return False
        cell.id = first.id
        nb.cells[0] = cell
    else:
        nb.cells.insert(0, cell)
    return True


def execute(path: Path, timeout: int = 300) -> None:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    sync(nb)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.validate(nb)
    nbformat.write(nb, path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["sync", "execute"])
    ap.add_argument("paths", nargs="*", type=Path)
    args = ap.parse_args(argv)
    paths = [p.resolve() for p in args.paths] or notebooks()
    for path in paths:
        if args.command == "sync":
            nb = nbformat.read(path, as_version=4)
            if sync(nb):
                nbformat.write(nb, path)
                print(f"synced   {path.relative_to(ROOT)}")
        else:
            execute(path)
            print(f"executed {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
