"""Small helpers the chapters share: show library source, pick a device.

A chapter shows the library's code instead of retyping it, so the book and the library
cannot drift apart: ``show_source(update_gate)`` displays the function's current source
as a highlighted code block (as Markdown, which Jupyter, Colab and the HTML book all
render).
"""

from __future__ import annotations

import inspect

__all__ = ["show_source", "pick_device"]


class Source:
    """The source of a Python object; displays as a highlighted ``python`` code block."""

    def __init__(self, obj) -> None:
        self.text = inspect.getsource(obj)

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text.rstrip()}\n```"

    def __repr__(self) -> str:
        return self.text.rstrip()


def show_source(obj) -> Source:
    """Display ``obj``'s source (a function, class or module) in a notebook."""
    return Source(obj)


def pick_device() -> str:
    """``"cuda"`` when a GPU is visible to torch, else ``"cpu"`` (so Colab's GPU is used)."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
