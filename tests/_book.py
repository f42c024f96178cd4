"""What the reader-experience tests need to know about the book: its pages and config.

Everything is read from ``_config.yml`` and ``_toc.yml`` so the tests follow the book as
chapters and parts are added, and a fork that changes ``repository.url`` needs no edit.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
SLOW_ENV = "GRU_BOOK_SLOW_TESTS"


def slow_tests_enabled() -> bool:
    return os.environ.get(SLOW_ENV, "") not in ("", "0")


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def toc() -> dict:
    return yaml.safe_load((ROOT / "_toc.yml").read_text())


def toc_files() -> list[str]:
    """Every page of _toc.yml in reading order ("book/intro", "book/01_notation", ...),
    whatever nesting it uses (chapters, parts, sections)."""
    files: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(str(node["file"]))
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    t = toc()
    files.append(str(t["root"]))
    walk({k: v for k, v in t.items() if k != "root"})
    return [f[: -len(Path(f).suffix)] if Path(f).suffix in (".md", ".ipynb") else f for f in files]


def source_of(page: str) -> Path | None:
    """The source file of a toc entry (``.ipynb`` or ``.md``), or None if there is none."""
    for ext in (".ipynb", ".md"):
        path = ROOT / (page + ext)
        if path.exists():
            return path
    return None


def chapter_notebooks() -> list[Path]:
    """The chapters on disk: book/NN_*.ipynb."""
    return sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))


def notebooks_module():
    """scripts/notebooks.py, imported by path (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("gru_book_notebooks", ROOT / "scripts" / "notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def colab_url(page: str) -> str:
    """The Colab link Jupyter Book should put on a notebook page, built from _config.yml."""
    cfg = config()
    repo = cfg["repository"]
    org_repo = repo["url"].rstrip("/").removesuffix(".git").split("github.com/")[1]
    book_path = (repo.get("path_to_book") or "").strip("/")
    path = f"{book_path}/{page}.ipynb" if book_path else f"{page}.ipynb"
    base = cfg["launch_buttons"]["colab_url"].rstrip("/")
    return f"{base}/github/{org_repo}/blob/{repo.get('branch', 'main')}/{path}"


def repo_files() -> list[Path]:
    """The repository's files as git sees them (tracked + untracked, minus ignored);
    without git, a walk that leaves out build outputs and environments."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, check=True).stdout.decode()
        return [ROOT / f for f in out.split("\0") if f and (ROOT / f).is_file()]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", "_build", "node_modules", "__pycache__", ".ipynb_checkpoints"}
        files = []
        for dirpath, dirnames, filenames in os.walk(ROOT):
            dirnames[:] = [d for d in dirnames
                           if d not in skip and not d.startswith(".venv") and not d.endswith(".egg-info")]
            files += [Path(dirpath) / f for f in filenames]
        return files
