"""Draw the book's logo: a GRU cell's state path and its two gated inputs, and the title.

    python scripts/make_logo.py   # writes book/_static/logo.png and favicon.png (committed)

The cell is drawn from its own equation, h(t) = z ⊙ h(t-1) + (1 − z) ⊙ g(t): the state
h(t-1) runs left to right through a product node (×, the kept part, fed by the gate z,
whose plotted curve is a real sigmoid) and a sum node (+, fed by the candidate g, a real
tanh). Colours are from the Okabe–Ito colour-blind-safe palette used across the book.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch  # noqa: E402

STATIC = Path(__file__).resolve().parents[1] / "book" / "_static"
OUT, FAVICON = STATIC / "logo.png", STATIC / "favicon.png"
BLUE, ORANGE, GREEN, GREY = "#0072B2", "#E69F00", "#009E73", "#3a3a3a"


def node(ax, x, y, label, color):
    ax.add_patch(Circle((x, y), 0.22, facecolor="white", edgecolor=color, lw=3, zorder=3))
    ax.text(x, y - 0.01, label, ha="center", va="center", fontsize=22, color=color, fontweight="bold", zorder=4)


def curve_badge(ax, x, y, fn, color):
    """A small round badge holding the plotted curve of a gate's nonlinearity."""
    ax.add_patch(Circle((x, y), 0.34, facecolor=color, edgecolor="none", alpha=0.15, zorder=2))
    a = np.linspace(-4, 4, 100)
    ax.plot(x + a * 0.065, y - 0.18 + 0.36 * fn(a), color=color, lw=3, zorder=3, solid_capstyle="round")


def arrow(ax, start, end, color, lw=3):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=18, lw=lw, color=color, zorder=2,
                                 shrinkA=0, shrinkB=0))


def main() -> Path:
    fig = plt.figure(figsize=(5.0, 2.0), dpi=200)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 5)
    ax.set_ylim(0, 2)
    ax.axis("off")

    # The cell.
    ax.add_patch(FancyBboxPatch((0.35, 0.2), 2.3, 1.6, boxstyle="round,pad=0,rounding_size=0.25",
                                facecolor="#eef5fb", edgecolor=BLUE, lw=2.5, zorder=1))
    # State path h(t-1) -> × -> + -> h(t), in the article's highlight green.
    y_state = 1.45
    ax.plot([0.05, 1.03], [y_state, y_state], color=GREEN, lw=4, zorder=2, solid_capstyle="round")
    ax.plot([1.47, 1.93], [y_state, y_state], color=GREEN, lw=4, zorder=2)
    arrow(ax, (2.37, y_state), (2.95, y_state), GREEN, lw=4)
    node(ax, 1.25, y_state, "×", GREEN)
    node(ax, 2.15, y_state, "+", GREEN)
    # Gate z (sigmoid) into ×, candidate g (tanh) into +.
    sigmoid = lambda a: 1.0 / (1.0 + np.exp(-a))  # noqa: E731
    curve_badge(ax, 1.25, 0.62, sigmoid, BLUE)
    curve_badge(ax, 2.15, 0.62, lambda a: 0.5 * (np.tanh(a) + 1.0), ORANGE)
    arrow(ax, (1.25, 0.98), (1.25, y_state - 0.24), BLUE)
    arrow(ax, (2.15, 0.98), (2.15, y_state - 0.24), ORANGE)

    # The title.
    ax.text(3.2, 1.72, "The", fontsize=19, color=BLUE, va="center", ha="left")
    ax.text(3.13, 1.1, "GRU", fontsize=46, fontweight="bold", color=GREY, va="center", ha="left")
    ax.text(3.2, 0.42, "Book", fontsize=30, color=BLUE, va="center", ha="left")

    STATIC.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=200, transparent=True, metadata={"Software": None})
    # The favicon: the cell alone, square, with thicker strokes for a 64-pixel tab icon.
    ax.set_xlim(0.0, 3.0)
    ax.set_ylim(-0.5, 2.5)
    fig.set_size_inches(2.0, 2.0)
    fig.savefig(FAVICON, dpi=64, transparent=True, metadata={"Software": None})
    plt.close(fig)
    return OUT


if __name__ == "__main__":
    print(main())
