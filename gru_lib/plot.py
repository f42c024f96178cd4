"""The book's figures: one style, the GRU cell diagram, and heatmaps of gates and states.

- :func:`use_book_style` sets matplotlib's rcParams once for every chapter.
- :func:`cell_diagram` draws the GRU cell in the book's notation and highlights the path
  that one equation computes (``highlight="first_quantity"`` draws z(t) ⊙ h(t-1) in
  green, the rest in grey), as the hand-drawn figures of the source article did.
- :func:`heatmap` and :func:`gate_heatmaps` show gates and states over time, time on the
  x axis and units on the y axis.

The module never selects a backend: the notebook (or the test) does.
"""

from __future__ import annotations


import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

__all__ = ["COLORS", "HIGHLIGHTS", "use_book_style", "cell_diagram", "heatmap",
           "gate_heatmaps"]

# Okabe & Ito's colour-blind-safe palette, plus the two greys the diagram needs.
COLORS = {
    "highlight": "#009E73",   # bluish green: the quantity the page computes
    "inactive": "#999999",    # mid grey: the rest of the cell
    "ink": "#222222",         # the plain diagram (highlight="none") and text
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

# The order in which lines are drawn in plots (the highlight green comes first).
_CYCLE = ["#009E73", "#0072B2", "#D55E00", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]


def use_book_style() -> None:
    """Set matplotlib's rcParams to the book's style (page-width figures, no chart junk)."""
    plt.rcParams.update({
        "figure.figsize": (7.0, 4.0),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "figure.constrained_layout.use": True,
        "font.size": 11,
        "axes.titlesize": 12,
        "axes.labelsize": 11,
        "xtick.labelsize": 10,
        "ytick.labelsize": 10,
        "legend.fontsize": 10,
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#dddddd",
        "grid.linewidth": 0.6,
        "axes.axisbelow": True,
        "axes.prop_cycle": plt.cycler(color=_CYCLE),
        "lines.linewidth": 1.8,
        "image.cmap": "viridis",
        "mathtext.fontset": "dejavusans",
    })


# --------------------------------------------------------------------------- cell diagram

HIGHLIGHTS = ("none", "update_gate", "reset_gate", "gates", "first_quantity", "candidate",
              "second_quantity", "state", "cell")

_TOP = 7.6           # height of the line that carries h(t-1) -> h(t)
_GATE_Y = 3.7        # height of the sigma / tanh layers
_MID = 5.6           # height of the r ⊙ h(t-1), 1 - z and second-quantity nodes
_HBUS, _XBUS = 2.3, 1.3  # heights of the buses that carry h(t-1) and x(t) to the layers
_H_DROP, _X_IN = 1.7, 2.3  # where h(t-1) turns down to the gates, where x(t) comes in
_R = 0.34            # radius of a pointwise-operation circle
_BW, _BH = 1.0, 0.62  # width and height of a layer box

# Where each node sits: (x, y, kind, text). Layers (sigma, tanh) are boxes, pointwise
# operations are circles, as in Olah's diagrams.
_NODES = {
    "r": (3.0, _GATE_Y, "box", r"$\sigma$"),
    "rh": (4.6, _MID, "circle", r"$\odot$"),
    "g": (6.2, _GATE_Y + 0.6, "box", r"$\tanh$"),
    "z": (8.4, _GATE_Y, "box", r"$\sigma$"),
    "first": (8.4, _TOP, "circle", r"$\odot$"),
    "omz": (9.75, _MID, "circle", r"$1-$"),
    "second": (11.0, _MID, "circle", r"$\odot$"),
    "plus": (11.0, _TOP, "circle", r"$+$"),
}


def _port(name: str, side: str, offset: float = 0.0):
    """The point on node ``name``'s boundary on ``side`` (top/bottom/left/right)."""
    x, y, kind, _ = _NODES[name]
    if kind == "circle":
        d = np.sqrt(max(_R**2 - offset**2, 0.0))
        dx, dy = d, d
    else:
        dx, dy = _BW / 2, _BH / 2
    return {"top": (x + offset, y + dy), "bottom": (x + offset, y - dy),
            "left": (x - dx, y + offset), "right": (x + dx, y + offset)}[side]


def _edges():
    """Every connection as (name, [points], arrow_at_end, hop).

    ``hop`` draws the line with a white halo so that it visibly passes *over* a line it
    crosses, instead of seeming to join it.
    """
    xr, xz, xg = _NODES["r"][0], _NODES["z"][0], _NODES["g"][0]
    h_drop, rh_x = _H_DROP, _NODES["rh"][0]
    e = [
        # h(t-1): enters at the left, runs along the top to the first quantity ...
        ("h_in", [(0.9, _TOP), (h_drop, _TOP)], False, False),
        ("h_top", [(h_drop, _TOP), (rh_x, _TOP)], False, False),
        ("h_first", [(rh_x, _TOP), _port("first", "left")], True, False),
        # ... and drops down to feed both gates.
        ("h_drop", [(h_drop, _TOP), (h_drop, _HBUS), (xr - 0.22, _HBUS)], False, False),
        ("h_bus", [(xr - 0.22, _HBUS), (xz - 0.22, _HBUS)], False, False),
        ("h_to_r", [(xr - 0.22, _HBUS), _port("r", "bottom", -0.22)], True, False),
        ("h_to_z", [(xz - 0.22, _HBUS), _port("z", "bottom", -0.22)], True, False),
        # x(t): enters at the bottom and feeds the two gates and the candidate.
        ("x_in", [(_X_IN, 0.45), (_X_IN, _XBUS), (xr + 0.22, _XBUS)], False, False),
        ("x_bus_g", [(xr + 0.22, _XBUS), (xg, _XBUS)], False, False),
        ("x_bus_z", [(xg, _XBUS), (xz + 0.22, _XBUS)], False, False),
        ("x_to_r", [(xr + 0.22, _XBUS), _port("r", "bottom", 0.22)], True, True),
        ("x_to_g", [(xg, _XBUS), _port("g", "bottom")], True, True),
        ("x_to_z", [(xz + 0.22, _XBUS), _port("z", "bottom", 0.22)], True, False),
        # r(t) ⊙ h(t-1) (or r(t) ⊙ (h(t-1) W_hg + b_hg)) feeds the candidate.
        ("r_out", [_port("r", "top"), (xr, _MID - 0.9)], False, False),
        ("r_to_rh", [(xr, _MID - 0.9), (xr, _MID), _port("rh", "left")], True, False),
        ("h_to_rh", [(rh_x, _TOP), _port("rh", "top")], True, False),
        ("rh_to_g", [_port("rh", "right"), (xg, _MID), _port("g", "top")], True, False),
        # z(t) keeps part of h(t-1) ...
        ("z_out", [_port("z", "top"), (xz, _MID)], False, False),
        ("z_to_first", [(xz, _MID), _port("first", "bottom")], True, False),
        # ... and 1 - z(t) admits part of g(t).
        ("z_to_omz", [(xz, _MID), _port("omz", "left")], True, False),
        ("omz_to_second", [_port("omz", "right"), _port("second", "left")], True, False),
        ("g_to_second", [_port("g", "right"), (_NODES["second"][0], _NODES["g"][1]),
                         _port("second", "bottom")], True, True),
        # h(t) = first + second quantity, which is also the output y(t).
        ("first_to_plus", [_port("first", "right"), _port("plus", "left")], True, False),
        ("second_to_plus", [_port("second", "top"), _port("plus", "bottom")], True, False),
        ("h_out", [_port("plus", "right"), (13.0, _TOP)], True, False),
        ("y_out", [(12.2, _TOP), (12.2, 8.75)], True, False),
    ]
    return e


_EDGES = _edges()


# Which nodes and edges each highlight colours, with the label it writes on the figure.
_PATHS = {
    "update_gate": ({"z"}, {"h_in", "h_drop", "h_bus", "h_to_z",
                            "x_in", "x_bus_g", "x_bus_z", "x_to_z", "z_out"}),
    "reset_gate": ({"r"}, {"h_in", "h_drop", "h_to_r", "x_in", "x_to_r", "r_out"}),
    "first_quantity": ({"first"}, {"h_in", "h_top", "h_first", "z_out", "z_to_first",
                                   "first_to_plus"}),
    "candidate": ({"rh", "g"}, {"h_in", "h_top", "h_to_rh", "r_out", "r_to_rh", "rh_to_g",
                               "x_in", "x_bus_g", "x_to_g"}),
    "second_quantity": ({"omz", "second"},
                        {"z_to_omz", "omz_to_second", "g_to_second", "second_to_plus"}),
    "state": ({"plus"}, {"first_to_plus", "second_to_plus", "h_out", "y_out"}),
}
_PATHS["gates"] = (_PATHS["update_gate"][0] | _PATHS["reset_gate"][0],
                   _PATHS["update_gate"][1] | _PATHS["reset_gate"][1])

_CAPTIONS = {
    "update_gate": "update gate $z(t)$",
    "reset_gate": "reset gate $r(t)$",
    "gates": "gates $z(t)$ and $r(t)$",
    "first_quantity": r"first quantity $z(t)\odot h(t-1)$",
    "candidate": "candidate $g(t)$",
    "second_quantity": r"second quantity $(1-z(t))\odot g(t)$",
    "state": r"state $h(t)=y(t)$",
    "cell": "the whole cell",
}


def _check_highlight(highlight) -> str:
    if not isinstance(highlight, str):
        raise TypeError(f"highlight must be a str, one of {HIGHLIGHTS}, "
                        f"got {type(highlight).__name__} {highlight!r}")
    if highlight not in HIGHLIGHTS:
        raise ValueError(f"highlight must be one of {HIGHLIGHTS}, got {highlight!r}")
    return highlight


def _colour(active: bool, highlight: str) -> str:
    if highlight == "none":
        return COLORS["ink"]
    return COLORS["highlight"] if active else COLORS["inactive"]


def cell_diagram(highlight: str = "none", *, ax=None, title=None,
                 reset_after: bool = False):
    """Draw the GRU cell and highlight the path one equation computes.

    ``highlight`` is one of :data:`HIGHLIGHTS`: ``"none"`` draws the plain cell;
    ``"update_gate"``/``"reset_gate"``/``"gates"`` (eq-update-gate, eq-reset-gate),
    ``"first_quantity"`` (eq-first-quantity), ``"candidate"`` (eq-candidate),
    ``"second_quantity"`` (eq-second-quantity), ``"state"`` (eq-state, eq-output) colour
    that path in ``COLORS["highlight"]`` and the rest in grey; ``"cell"`` colours all of it.
    ``reset_after=True`` draws the reset gate acting after the product h(t-1) W_hg
    (eq-candidate-after). Returns the Figure (``ax``'s figure when ``ax`` is given).
    """
    highlight = _check_highlight(highlight)
    if not isinstance(reset_after, (bool, np.bool_)):
        raise TypeError(f"reset_after must be a bool, got {type(reset_after).__name__} "
                        f"{reset_after!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.0, 4.5), layout="constrained")
    else:
        fig = ax.figure
    ax.set_xlim(0, 14)
    ax.set_ylim(0.0, 9.0)
    ax.set_aspect("equal")
    ax.axis("off")

    if highlight == "cell":
        nodes_on, edges_on = set(_NODES), {name for name, *_ in _EDGES}
    elif highlight == "none":
        nodes_on, edges_on = set(), set()
    else:
        nodes_on, edges_on = _PATHS[highlight]

    def colour(active):
        return _colour(active, highlight)

    def lw(active):
        return 2.6 if active and highlight != "none" else 1.6

    # Edges first, so the nodes sit on top of them.
    for name, pts, arrow, hop in _EDGES:
        on = name in edges_on
        c, width = colour(on), lw(on)
        z = 3 if on else 2
        xs, ys = zip(*pts)
        effects = ([patheffects.withStroke(linewidth=width + 8, foreground="white")]
                   if hop else None)
        if arrow:
            if len(pts) > 2:
                ax.plot(xs[:-1], ys[:-1], color=c, lw=width, zorder=z,
                        solid_capstyle="butt", solid_joinstyle="miter", path_effects=effects)
            ax.add_patch(FancyArrowPatch(pts[-2], pts[-1], arrowstyle="-|>",
                                         mutation_scale=12 + 2 * (width - 1.6), color=c,
                                         lw=width, shrinkA=0, shrinkB=0, zorder=z,
                                         path_effects=effects))
        else:
            ax.plot(xs, ys, color=c, lw=width, zorder=z, solid_capstyle="butt",
                    solid_joinstyle="miter", path_effects=effects)

    # Junction dots where one line splits in two, coloured like the line that arrives.
    junctions = {(_H_DROP, _TOP): "h_in",
                 (_NODES["rh"][0], _TOP): "h_top",
                 (_NODES["r"][0] - 0.22, _HBUS): "h_drop",
                 (_NODES["r"][0] + 0.22, _XBUS): "x_in",
                 (_NODES["g"][0], _XBUS): "x_bus_g",
                 (_NODES["z"][0], _MID): "z_out",
                 (12.2, _TOP): "h_out"}
    for (jx, jy), incoming in junctions.items():
        on = incoming in edges_on
        ax.add_patch(Circle((jx, jy), 0.07, color=colour(on), zorder=4))

    for name, (x, y, kind, text) in _NODES.items():
        on = name in nodes_on
        c = colour(on)
        fill = "#E6F5EF" if on and highlight != "none" else "white"
        if kind == "circle":
            patch = Circle((x, y), _R, facecolor=fill, edgecolor=c, lw=lw(on), zorder=5)
        else:
            patch = FancyBboxPatch((x - _BW / 2, y - _BH / 2), _BW, _BH,
                                   boxstyle="round,pad=0,rounding_size=0.12",
                                   facecolor=fill, edgecolor=c, lw=lw(on), zorder=5)
        ax.add_patch(patch)
        ax.text(x, y, text, ha="center", va="center", color=c, zorder=6,
                fontsize={"circle": 13, "box": 12}[kind] if name != "omz" else 10)

    # Labels of the signals, each next to the line that carries it.
    def label(x, y, s, on, **kw):
        kw.setdefault("ha", "left")
        kw.setdefault("va", "center")
        ax.text(x, y, s, color=colour(on), fontsize=11, zorder=6, **kw)

    label(0.85, _TOP + 0.35, "$h(t-1)$", "h_in" in edges_on, ha="left", va="bottom")
    label(_X_IN + 0.12, 0.55, "$x(t)$", "x_in" in edges_on)
    label(_NODES["r"][0] + 0.12, (_GATE_Y + _MID) / 2 + 0.15, "$r(t)$", "r_out" in edges_on)
    label(_NODES["z"][0] + 0.12, 4.95, "$z(t)$", "z_out" in edges_on)
    label(_NODES["g"][0] + 0.6, _NODES["g"][1] + 0.08, "$g(t)$",
          "g" in nodes_on or "g_to_second" in edges_on, va="bottom")
    label(13.1, _TOP, "$h(t)$", "h_out" in edges_on)
    label(12.35, 8.55, "$y(t)$", "y_out" in edges_on)
    label(_NODES["omz"][0] - 0.1, _MID - 0.62, "$1-z(t)$", "omz" in nodes_on, ha="left")
    if reset_after:
        # The product h(t-1) W_hg + b_hg is formed first; r(t) scales it afterwards.
        hx = _NODES["rh"][0]
        ax.add_patch(FancyBboxPatch((hx - 0.7, 6.42), 1.4, 0.46,
                                    boxstyle="round,pad=0,rounding_size=0.08",
                                    facecolor="white", edgecolor=colour("rh" in nodes_on),
                                    lw=lw("rh" in nodes_on), zorder=5))
        ax.text(hx, 6.65, r"$W_{hg},\ b_{hg}$", ha="center", va="center", fontsize=9,
                color=colour("rh" in nodes_on), zorder=6)
        ax.text(13.9, 0.75, r"reset after: $r(t)$ scales $h(t-1)\,W_{hg}+b_{hg}$",
                ha="right", va="bottom", fontsize=10, color=colour("rh" in nodes_on),
                zorder=6)

    if highlight not in ("none",):
        ax.text(13.9, 0.2, _CAPTIONS[highlight], ha="right", va="bottom", fontsize=12,
                color=COLORS["highlight"], zorder=6)
    if title is not None:
        ax.set_title(title)
    return fig


# ------------------------------------------------------------------------------- heatmaps

def _as_2d(name: str, values) -> np.ndarray:
    """``values`` as a (T, H) float array, or TypeError / ValueError saying what came."""
    if hasattr(values, "detach"):          # a torch tensor, on any device
        values = values.detach().cpu().numpy()
    a = np.asarray(values)
    if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)
            or a.dtype == bool):
        raise TypeError(f"{name} must hold real numbers, got dtype {a.dtype}")
    if a.ndim != 2:
        raise ValueError(f"{name} must be 2-D with shape (T, H), got {a.ndim}-D shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    return a.astype(float)


def heatmap(values, *, ax=None, title=None, label=None, cmap=None, vmin=None, vmax=None,
            xlabel="time step $t$", ylabel="unit"):
    """Plot a (T, H) array with time t = 1..T on the x axis and units on the y axis.

    The colour bar is labelled ``label``. Returns the Figure (``ax``'s when given).
    """
    a = _as_2d("values", values)
    T, H = a.shape
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.0, 2.6), layout="constrained")
    else:
        fig = ax.figure
    im = ax.imshow(a.T, aspect="auto", origin="lower", interpolation="nearest", cmap=cmap,
                   vmin=vmin, vmax=vmax, extent=(0.5, T + 0.5, -0.5, H - 0.5))
    ax.grid(False)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if H <= 10:
        ax.set_yticks(range(H))
    bar = fig.colorbar(im, ax=ax, pad=0.02)
    if label is not None:
        bar.set_label(label)
    if title is not None:
        ax.set_title(title)
    return fig


def gate_heatmaps(z, r, h, *, title=None):
    """Three stacked heatmaps: z(t) and r(t) on [0, 1], h(t) on [-1, 1]; each (T, H)."""
    z, r, h = _as_2d("z", z), _as_2d("r", r), _as_2d("h", h)
    if not z.shape == r.shape == h.shape:
        raise ValueError(f"z, r and h must have the same shape (T, H), got {z.shape}, "
                         f"{r.shape} and {h.shape}")
    fig, axes = plt.subplots(3, 1, figsize=(7.0, 6.0), sharex=True, layout="constrained")
    heatmap(z, ax=axes[0], label="$z(t)$", cmap="viridis", vmin=0, vmax=1, xlabel="",
            title="update gate $z(t)$")
    heatmap(r, ax=axes[1], label="$r(t)$", cmap="viridis", vmin=0, vmax=1, xlabel="",
            title="reset gate $r(t)$")
    heatmap(h, ax=axes[2], label="$h(t)$", cmap="PuOr", vmin=-1, vmax=1,
            title="state $h(t)$")
    if title is not None:
        fig.suptitle(title)
    return fig
