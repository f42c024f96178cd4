"""The chapters as files: Colab install cell, table of contents, and stored-output hygiene.

nbval re-runs each chapter and compares outputs; these tests check what nbval does not:
that a chapter opened alone in Colab can install gru_lib, that the book lists exactly the
chapters on disk, and that the stored outputs are those of one clean top-to-bottom run
(``python scripts/notebooks.py execute``) with nothing machine-specific in them.
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from _book import BOOK, ROOT, chapter_notebooks, config, notebooks_module, repo_files, source_of, toc_files

NOTEBOOKS = chapter_notebooks()          # book/NN_*.ipynb, the chapters
IDS = [p.name for p in NOTEBOOKS]
# Every notebook under book/ gets the install cell and the hygiene checks, chapter or not.
ALL = sorted(p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
ALL_IDS = [p.relative_to(BOOK).as_posix() for p in ALL]


def read(path):
    return nbformat.read(path, as_version=4)


def test_there_are_chapters():
    assert NOTEBOOKS, f"no book/NN_*.ipynb found in {BOOK}"


# --- The Colab install cell -------------------------------------------------------------

@pytest.mark.parametrize("path", ALL, ids=ALL_IDS)
def test_first_cell_is_the_install_cell(path):
    # The expected text comes from scripts/notebooks.py, the one generator of the cell;
    # a mismatch means the notebook was not synced (`python scripts/notebooks.py sync`).
    expected = notebooks_module().install_cell_source()
    first = read(path).cells[0]
    assert first.cell_type == "code", f"{path.name}: first cell is {first.cell_type}, expected the install code cell"
    assert "remove-cell" in first.metadata.get("tags", []), \
        f"{path.name}: install cell lacks the remove-cell tag (tags: {first.metadata.get('tags')})"
    assert first.source == expected, f"{path.name}: install cell differs from install_cell_source(); run scripts/notebooks.py sync"


def test_install_cell_uses_config_url():
    url = config()["repository"]["url"]
    assert f"git+{url}" in notebooks_module().install_cell_source()


def test_repository_url_lives_only_in_config():
    # Only _config.yml and the generated install cells may spell out the URL, so a fork
    # changes one line and re-syncs (README: "Forking the book").
    url = config()["repository"]["url"].rstrip("/")
    install = notebooks_module().install_cell_source()
    offenders = []
    for path in repo_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel == "_config.yml":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary files (images) cannot hold it as text
        if url not in text:
            continue
        if path.suffix == ".ipynb":
            nb = nbformat.reads(text, as_version=4)
            cells = [c for c in nb.cells if url in c.source or url in json.dumps(c.get("outputs", []))]
            if all(c.source == install for c in cells):
                continue
        offenders.append(rel)
    assert not offenders, f"repository URL {url} found outside _config.yml and the install cells: {offenders}"


# --- Table of contents -------------------------------------------------------------------

def test_every_toc_entry_exists():
    missing = [page for page in toc_files() if source_of(page) is None]
    assert not missing, f"_toc.yml lists pages with no .md or .ipynb file: {missing}"


def test_every_chapter_is_in_the_toc():
    listed = set(toc_files())
    absent = [p.name for p in NOTEBOOKS if p.relative_to(ROOT).with_suffix("").as_posix() not in listed]
    assert not absent, f"chapters on disk but not in _toc.yml: {absent}"


def test_toc_has_no_duplicates():
    pages = toc_files()
    assert len(pages) == len(set(pages)), f"_toc.yml lists a page twice: {pages}"


def test_chapters_in_numeric_order():
    chapters = [p for p in toc_files() if p.split("/")[-1][:2].isdigit()]
    assert chapters == sorted(chapters), f"chapters out of order in _toc.yml: {chapters}"


# --- Stored-output hygiene ------------------------------------------------------------------

@pytest.mark.parametrize("path", ALL, ids=ALL_IDS)
def test_kernelspec_is_python3(path):
    spec = read(path).metadata.get("kernelspec", {})
    assert spec.get("name") == "python3", f"{path.name}: kernelspec {spec!r}, expected name python3"


@pytest.mark.parametrize("path", ALL, ids=ALL_IDS)
def test_no_timing_metadata(path):
    # Timings change on every run and make every re-execution a diff.
    raw = path.read_text(encoding="utf-8")
    assert "ExecuteTime" not in raw, f"{path.name}: ExecuteTime metadata stored"
    timed = [i for i, c in enumerate(read(path).cells) if "execution" in c.metadata]
    assert not timed, f"{path.name}: cells {timed} carry metadata.execution (timings)"


@pytest.mark.parametrize("path", ALL, ids=ALL_IDS)
def test_no_stderr_or_errors_stored(path):
    bad = []
    for i, cell in enumerate(read(path).cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                bad.append(f"cell {i}: error {out.get('ename')}: {out.get('evalue')}")
            elif out.output_type == "stream" and out.name == "stderr":
                bad.append(f"cell {i}: stderr {out.text[:200]!r}")
    assert not bad, f"{path.name}: " + "; ".join(bad)


@pytest.mark.parametrize("path", ALL, ids=ALL_IDS)
def test_executed_once_top_to_bottom(path):
    # One clean run numbers the non-empty code cells 1..n in order; an empty cell is never run.
    counts = [c.execution_count for c in read(path).cells if c.cell_type == "code" and c.source.strip()]
    assert None not in counts, f"{path.name}: unexecuted code cells (execution counts {counts})"
    assert counts == list(range(1, len(counts) + 1)), \
        f"{path.name}: execution counts {counts}, expected 1..{len(counts)} (re-run with scripts/notebooks.py execute)"
    for c in read(path).cells:
        for out in c.get("outputs", []):
            if out.output_type == "execute_result":
                assert out.execution_count == c.execution_count, f"{path.name}: output count differs from its cell's"


# --- The intro's chapter map -----------------------------------------------------------------

def chapter_title(path) -> str:
    for cell in read(path).cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    return ""


def test_intro_chapter_map_lists_the_toc_chapters():
    # book/intro.md keeps one line per chapter between the chapter-map markers, linking the
    # chapter under its own title; a chapter added to _toc.yml needs its line there.
    text = (BOOK / "intro.md").read_text(encoding="utf-8")
    block = text.split("<!-- chapter-map", 1)[1].split("<!-- /chapter-map -->", 1)[0]
    entries = re.findall(r"^- \[(.+?)\]\((\d\d_\w+)\.ipynb\)", block, flags=re.M)
    chapters = [p.split("/")[-1] for p in toc_files() if p.split("/")[-1][:2].isdigit()]
    assert [name for _, name in entries] == chapters, \
        f"intro.md chapter map lists {[n for _, n in entries]}, _toc.yml has {chapters}"
    for title, name in entries:
        assert title == chapter_title(BOOK / f"{name}.ipynb"), f"intro.md calls {name} {title!r}, the chapter calls itself {chapter_title(BOOK / f'{name}.ipynb')!r}"


def test_bibliography_is_last_and_alone():
    pages = toc_files()
    assert pages[-1] == "book/bibliography", f"the bibliography should be the last page, toc ends {pages[-3:]}"
    with_directive = [p for p in pages if source_of(p) is not None and source_of(p).suffix == ".md"
                      and "{bibliography}" in source_of(p).read_text(encoding="utf-8")]
    assert with_directive == ["book/bibliography"], f"{{bibliography}} directives in {with_directive}"


# --- Exercises ----------------------------------------------------------------------------------

def exercises(nb):
    """[(label, solution cells)] for each {exercise}; the solution cells are those between
    its {solution-start} and {solution-end} (None when the exercise has no solution)."""
    labels, solutions, current = [], {}, None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            labels += re.findall(r"```\{exercise\}[^\n]*\n:label: (\S+)", cell.source)
            start = re.search(r"\{solution-start\} (\S+)", cell.source)
            if start:
                current = start.group(1)
                solutions[current] = [cell]
                continue
            if "{solution-end}" in cell.source:
                current = None
        if current is not None:
            solutions[current].append(cell)
    return [(label, solutions.get(label)) for label in labels]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_have_asserted_solutions(path):
    # WRITING.md: 2-4 exercises per chapter, each with an executable solution that asserts
    # its answer, folded in a dropdown.
    found = exercises(read(path))
    assert 2 <= len(found) <= 4, f"{path.name}: {len(found)} exercises, expected 2 to 4"
    for label, cells in found:
        assert cells is not None, f"{path.name}: exercise {label} has no solution-start/solution-end"
        assert ":class: dropdown" in cells[0].source, f"{path.name}: solution of {label} is not a dropdown"
        asserts = [c for c in cells if c.cell_type == "code" and re.search(r"^\s*assert\b", c.source, re.M)]
        assert asserts, f"{path.name}: solution of {label} has no code cell that asserts its answer"
