"""gru_lib.plot: every diagram draws, highlights colour the right parts, bad input is refused.

Colours are read back from the drawn artists (lines, patches, texts) and compared with
``COLORS["highlight"]``, so a highlight that silently colours nothing, or everything, fails.
"""

import matplotlib

matplotlib.use("Agg")  # before pyplot: tests never open a window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gru_lib.plot import (  # noqa: E402
    COLORS, HIGHLIGHTS, cell_diagram, gate_heatmaps, heatmap, use_book_style,
)

GREEN = to_hex(COLORS["highlight"])  # to_hex gives lower case


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _colours(artist):
    """The hex colours an artist is drawn with (edge, face or line colour; text colour)."""
    out = set()
    for getter in ("get_color", "get_edgecolor"):
        if hasattr(artist, getter):
            try:
                c = getattr(artist, getter)()
                out.add(to_hex(c))
            except (ValueError, TypeError):
                pass
    return out


def green_artists(fig):
    """Artists on the figure's axes drawn in the highlight colour."""
    ax = fig.axes[0]
    return [a for a in ax.get_children() if GREEN in _colours(a)]


def green_texts(fig):
    return sorted(t.get_text() for t in fig.axes[0].texts if to_hex(t.get_color()) == GREEN)


@pytest.mark.parametrize("highlight", HIGHLIGHTS)
@pytest.mark.parametrize("reset_after", [False, True])
def test_every_highlight_draws_a_figure(highlight, reset_after):
    fig = cell_diagram(highlight, reset_after=reset_after, title=highlight)
    assert isinstance(fig, Figure)
    fig.canvas.draw()  # renders every label's mathtext: a bad $...$ raises here
    assert fig.axes[0].get_title() == highlight


def test_none_colours_nothing_and_cell_colours_everything():
    assert green_artists(cell_diagram("none")) == []
    cell = cell_diagram("cell")
    ax = cell.axes[0]
    # In "cell" nothing is grey: every line and patch is green (white halos aside).
    drawn = [a for a in ax.lines + ax.patches]
    assert drawn and all(GREEN in _colours(a) for a in drawn)
    assert not any(to_hex(COLORS["inactive"]) in _colours(a) for a in ax.get_children())


def test_highlights_colour_different_parts():
    counts = {h: len(green_artists(cell_diagram(h))) for h in HIGHLIGHTS}
    assert counts["none"] == 0
    # Each partial path is green somewhere but not everywhere.
    for h in HIGHLIGHTS:
        if h not in ("none", "cell"):
            assert 0 < counts[h] < counts["cell"], (h, counts)
    # The two gates together colour more than either alone, and exactly their union.
    assert counts["gates"] > max(counts["update_gate"], counts["reset_gate"])
    assert counts["first_quantity"] != counts["cell"]


def _node_colour(fig, name):
    """Edge colour of the node drawn at plot._NODES[name]'s position."""
    from matplotlib.patches import Circle, FancyBboxPatch

    from gru_lib.plot import _NODES

    x, y, kind, _ = _NODES[name]
    for patch in fig.axes[0].patches:
        if isinstance(patch, Circle) and np.allclose(patch.center, (x, y)):
            return to_hex(patch.get_edgecolor())
        if isinstance(patch, FancyBboxPatch) and kind == "box" and np.allclose(
                (patch.get_x() + patch.get_width() / 2, patch.get_y() + patch.get_height() / 2),
                (x, y)):
            return to_hex(patch.get_edgecolor())
    raise AssertionError(f"no node drawn at {name}'s position")


@pytest.mark.parametrize("highlight, green_nodes", [
    ("update_gate", {"z"}), ("reset_gate", {"r"}), ("gates", {"z", "r"}),
    ("first_quantity", {"first"}), ("candidate", {"rh", "g"}),
    ("second_quantity", {"omz", "second"}), ("state", {"plus"}),
])
def test_each_highlight_colours_exactly_its_nodes(highlight, green_nodes):
    # The nodes of an equation, read off the equation: z(t) ⊙ h(t-1) is the first ⊙ only.
    from gru_lib.plot import _NODES

    fig = cell_diagram(highlight)
    coloured = {name for name in _NODES if _node_colour(fig, name) == GREEN}
    assert coloured == green_nodes
    grey = to_hex(COLORS["inactive"])
    assert all(_node_colour(fig, name) == grey for name in set(_NODES) - green_nodes)


def test_highlight_labels_name_the_quantity():
    # The labels in green are the ones of the path: z(t) for the update gate, etc.
    assert "$z(t)$" in green_texts(cell_diagram("update_gate"))
    assert "$r(t)$" not in green_texts(cell_diagram("update_gate"))
    assert "$r(t)$" in green_texts(cell_diagram("reset_gate"))
    first = green_texts(cell_diagram("first_quantity"))
    assert any("first quantity" in t for t in first) and "$g(t)$" not in first
    assert "$g(t)$" in green_texts(cell_diagram("candidate"))
    assert "$h(t)$" in green_texts(cell_diagram("state"))


def test_reset_after_draws_the_product_before_the_reset():
    before = [t.get_text() for t in cell_diagram("candidate").axes[0].texts]
    after = [t.get_text() for t in cell_diagram("candidate", reset_after=True).axes[0].texts]
    assert not any("W_{hg}" in t for t in before)
    assert any("W_{hg}" in t for t in after) and any("reset after" in t for t in after)


def test_draws_into_a_given_axes():
    fig, (a, b) = plt.subplots(1, 2)
    assert cell_diagram("gates", ax=b) is fig
    assert b.patches and not a.patches


def test_unknown_highlight_is_refused():
    with pytest.raises(ValueError, match="first_quantity"):  # the message lists the names
        cell_diagram("first")
    with pytest.raises(TypeError, match="str"):
        cell_diagram(3)
    with pytest.raises(TypeError, match="bool"):
        cell_diagram("cell", reset_after=1)


def test_heatmap_puts_time_on_x_and_units_on_y():
    values = np.arange(12.0).reshape(4, 3)  # T = 4 steps, H = 3 units
    fig = heatmap(values, label="$z(t)$", vmin=0, vmax=11)
    ax, bar = fig.axes
    image = ax.images[0].get_array()
    assert image.shape == (3, 4)                   # rows = units, columns = time steps
    assert np.array_equal(image, values.T)
    assert ax.get_xlabel() == "time step $t$" and ax.get_ylabel() == "unit"
    assert bar.get_ylabel() == "$z(t)$"
    assert ax.get_xlim() == (0.5, 4.5)             # steps t = 1..T


@pytest.mark.parametrize("bad", [np.zeros(5), np.zeros((2, 3, 4)), np.zeros((0, 3))])
def test_heatmap_rejects_wrong_shapes(bad):
    with pytest.raises(ValueError, match=r"\(T, H\)|empty"):
        heatmap(bad)


def test_heatmap_rejects_non_numbers():
    with pytest.raises(TypeError, match="real numbers"):
        heatmap(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="real numbers"):
        heatmap(np.ones((2, 2), dtype=complex))


def test_gate_heatmaps_three_panels_on_fixed_ranges():
    rng = np.random.default_rng(0)
    z, r = rng.uniform(size=(6, 2)), rng.uniform(size=(6, 2))
    h = rng.uniform(-1, 1, size=(6, 2))
    fig = gate_heatmaps(z, r, h, title="t")
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 3
    assert [im.get_clim() for im in images] == [(0, 1), (0, 1), (-1, 1)]


def test_gate_heatmaps_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        gate_heatmaps(np.zeros((5, 2)), np.zeros((5, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="same shape"):
        gate_heatmaps(np.zeros((5, 2)), np.zeros((5, 3)), np.zeros((5, 2)))


def test_book_style_sets_the_house_rules():
    with plt.rc_context():
        use_book_style()
        assert not plt.rcParams["axes.spines.top"] and not plt.rcParams["axes.spines.right"]
        assert plt.rcParams["font.size"] == 11
        assert to_hex(plt.rcParams["axes.prop_cycle"].by_key()["color"][0]) == GREEN
