"""The claims of the notation page (book/notation.md) about other libraries' conventions.

The weight-layout table is read from the page itself and its expressions are evaluated,
so the table a reader copies from is the table that is tested.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from _book import BOOK
from gru_lib.convert import from_keras
from gru_lib.numpy import GRUParams, gru_cell, gru_forward, init_params, sigmoid


def layout_table() -> dict[str, tuple[str, str]]:
    """{name: (PyTorch expression, Keras expression)} from the page's layout table."""
    text = (BOOK / "notation.md").read_text(encoding="utf-8")
    section = text.split("## Weight layouts of PyTorch and Keras", 1)[1]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] in GRUParams.NAMES:
            rows[cells[0]] = (cells[2], cells[3])
    assert set(rows) == set(GRUParams.NAMES), f"layout table rows {sorted(rows)}"
    return rows


def evaluate(expr: str, arrays: dict, H: int) -> np.ndarray:
    # "weight_ih_l0[H:2H].T" -> numpy slicing with H bound; 2H -> 2*H
    return eval(re.sub(r"(\d)H", r"\1*H", expr), {"H": H}, dict(arrays))  # noqa: S307


def test_pytorch_column_of_layout_table_reproduces_nn_gru():
    torch = pytest.importorskip("torch")
    I, H, T, B = 3, 4, 5, 2
    torch.manual_seed(0)
    gru = torch.nn.GRU(I, H, dtype=torch.float64)
    arrays = {name: t.detach().numpy() for name, t in gru.named_parameters()}
    p = GRUParams(**{name: evaluate(torch_expr, arrays, H) for name, (torch_expr, _) in layout_table().items()})
    xs = np.random.default_rng(0).normal(size=(T, B, I))
    ours, _ = gru_forward(xs, p, reset_after=True)
    with torch.no_grad():
        theirs, _ = gru(torch.from_numpy(xs))   # the oracle: torch.nn.GRU itself
    assert np.abs(ours - theirs.numpy()).max() <= 1e-12


def test_keras_column_of_layout_table_matches_from_keras():
    # No Keras here to act as the oracle, so the table is checked against
    # gru_lib.convert.from_keras (itself checked by round trips in test_convert.py).
    I, H = 3, 4
    rng = np.random.default_rng(1)
    arrays = {"kernel": rng.normal(size=(I, 3 * H)), "recurrent_kernel": rng.normal(size=(H, 3 * H)),
              "bias": rng.normal(size=(2, 3 * H))}
    expected = from_keras(**arrays)
    for name, (_, keras_expr) in layout_table().items():
        np.testing.assert_array_equal(evaluate(keras_expr, arrays, H), getattr(expected, name), err_msg=name)


@pytest.mark.parametrize("reset_after", [False, True])
def test_swapped_convention_is_negated_update_gate(reset_after):
    # Chung et al. 2014 / Géron 1st ed. / minGRU write h = (1 - z') h_prev + z' g. The page
    # claims z' = 1 - z once W_xz, W_hz, b_z are negated, since sigma(-a) = 1 - sigma(a).
    # The swapped cell is written out here by hand; gru_cell is the book's convention.
    I, H, B = 3, 4, 2
    p = init_params(I, H, seed=3)
    rng = np.random.default_rng(4)
    x, h = rng.normal(size=(B, I)), rng.uniform(-1, 1, size=(B, H))
    q = p.copy()
    q.W_xz, q.W_hz, q.b_z = -p.W_xz, -p.W_hz, -p.b_z
    z_swapped = sigmoid(x @ q.W_xz + h @ q.W_hz + q.b_z)
    r = sigmoid(x @ p.W_xr + h @ p.W_hr + p.b_r)
    if reset_after:
        g = np.tanh(x @ p.W_xg + p.b_g + r * (h @ p.W_hg + p.b_hg))
    else:
        g = np.tanh(x @ p.W_xg + (r * h) @ p.W_hg + p.b_g)
    h_swapped = (1 - z_swapped) * h + z_swapped * g
    assert np.abs(h_swapped - gru_cell(x, h, p, reset_after=reset_after)).max() <= 1e-12


def test_reset_before_and_after_differ():
    # The page says the two candidate forms give different numbers for the same weights.
    p = init_params(3, 4, seed=5)
    rng = np.random.default_rng(6)
    x, h = rng.normal(size=(2, 3)), rng.uniform(-1, 1, size=(2, 4))
    p.b_hg = np.zeros(4)   # even without the extra bias
    gap = np.abs(gru_cell(x, h, p, reset_after=False) - gru_cell(x, h, p, reset_after=True)).max()
    assert gap > 1e-3
