"""A chapter opened alone in Colab installs gru_lib with its first cell and runs to the end.

Colab gives a notebook a Python with numpy, torch and matplotlib but without gru_lib, and
nothing of the repository beside it. We build that here: a fresh virtual environment
(no --system-site-packages) holding only numpy, torch, matplotlib, nbclient and ipykernel;
the chapter copied alone into an empty folder; and GRU_LIB_SOURCE pointing at a copy of
this checkout's package files, so the hidden install cell runs ``pip install <path>``
(non-editable) just as it runs ``pip install git+<repository url>`` in Colab — pip clones
the repository into a temporary folder there, so we copy, which also keeps pip's build
folders out of the checkout.

Slow (about a minute): runs only when GRU_BOOK_SLOW_TESTS=1 (.ci/run sets it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from _book import ROOT, SLOW_ENV, slow_tests_enabled, toc_files

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not slow_tests_enabled(), reason=f"slow Colab simulation: set {SLOW_ENV}=1 to run it"),
]

# The PyTorch 2.13.0 CPU wheel on this machine's disk; Colab has its own torch.
VENV_PACKAGES = ["numpy", "matplotlib", "nbclient", "ipykernel"]


def colab_chapters() -> list[str]:
    """The first chapter, and the PyTorch/GPU chapter once it is in the toc."""
    chapters = [p for p in toc_files() if p.split("/")[-1][:2].isdigit()]
    chosen = chapters[:1] + [p for p in chapters[1:] if "pytorch" in p or "gpu" in p][:1]
    return chosen


def run(cmd, **kw):
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert result.returncode == 0, f"{cmd} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def clean_env(venv: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER", "CONDA"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    # The venv's own kernelspec first, so the kernel is the venv's python and no
    # user- or system-wide "python3" kernel (with gru_lib installed) takes over.
    env["JUPYTER_PATH"] = str(venv / "share" / "jupyter")
    env["MPLBACKEND"] = "Agg"
    return env


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    """(python of a fresh venv without gru_lib, its environment, a copy of the package)."""
    tmp = tmp_path_factory.mktemp("colab")
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    py = venv / "bin" / "python"
    env = clean_env(venv)
    # One pip call; --no-compile skips byte-compiling torch's thousands of modules
    # (about 50 s of the test's time; Colab's packages come preinstalled anyway).
    run([str(py), "-m", "pip", "install", "-q", "--no-compile", "torch==2.13.0", *VENV_PACKAGES], env=env)
    run([str(py), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"], env=env)

    # The package as a clone would have it: everything but build outputs and the book.
    source = tmp / "gru-book"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", "_build", ".venv*", "build", "dist", "*.egg-info", "__pycache__",
        "node_modules", ".ipynb_checkpoints", ".benchmarks"))
    env["GRU_LIB_SOURCE"] = str(source)

    probe = subprocess.run([str(py), "-c", "import gru_lib"], env=env, cwd=tmp, capture_output=True)
    assert probe.returncode != 0, "gru_lib is importable in the fresh venv before the install cell ran"
    yield py, env, venv
    shutil.rmtree(tmp, ignore_errors=True)   # about 1 GB with torch


# Appended to the chapter: where the kernel runs and where gru_lib was imported from.
PROBE = "import json, sys, gru_lib\nprint(json.dumps({'prefix': sys.prefix, 'gru_lib': gru_lib.__file__}))"

DRIVER = textwrap.dedent("""
    import sys, nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(sys.argv[1], as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(sys.argv[2]))
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": sys.argv[3]}}).execute()
    nbformat.write(nb, sys.argv[1])
""")


@pytest.mark.parametrize("page", colab_chapters())
def test_chapter_runs_in_fresh_environment(colab, page, tmp_path):
    py, env, venv = colab
    # The chapter alone in an empty folder, as Colab opens it.
    nb_path = tmp_path / Path(page).name
    shutil.copy(ROOT / f"{page}.ipynb", nb_path.with_suffix(".ipynb"))
    nb_path = nb_path.with_suffix(".ipynb")
    run([str(py), "-c", DRIVER, str(nb_path), PROBE, str(tmp_path)], env=env, cwd=tmp_path)

    import nbformat
    nb = nbformat.read(nb_path, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"{page}: error outputs {errors}"
    probe = json.loads(nb.cells[-1].outputs[-1].text)
    assert Path(probe["prefix"]).resolve() == venv.resolve(), f"kernel ran in {probe['prefix']}, not the venv"

    # Installed into the venv's site-packages by the install cell, not found in a checkout.
    site = run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], env=env).stdout.strip()
    installed = run([str(py), "-c", "import gru_lib; print(gru_lib.__file__)"], env=env, cwd=tmp_path).stdout.strip()
    for where in (probe["gru_lib"], installed):
        assert Path(where).resolve().is_relative_to(Path(site).resolve()), f"gru_lib imported from {where}, not {site}"
        assert not Path(where).resolve().is_relative_to(ROOT), f"gru_lib imported from the checkout: {where}"
    link = list(Path(site).glob("__editable__*gru_lib*")) + list(Path(site).glob("gru_lib*.egg-link"))
    assert not link, f"gru_lib was installed in editable mode: {link}"
