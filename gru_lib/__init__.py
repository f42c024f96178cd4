"""gru_lib: the library behind The GRU Book.

Every equation of the book is one function here, in NumPy (:mod:`gru_lib.numpy`) and
in PyTorch (:mod:`gru_lib.torch`, on any device). ``import gru_lib`` does not import
torch; import ``gru_lib.torch`` or ``gru_lib.convert``'s torch helpers when you need it.

>>> from gru_lib.numpy import init_params, gru_cell
>>> import numpy as np
>>> p = init_params(3, 2, seed=0)
>>> gru_cell(np.ones((1, 3)), np.zeros((1, 2)), p).shape
(1, 2)
"""

from . import convert, numpy
from .numpy import GRUParams, init_params

__version__ = "0.1.0"

__all__ = ["numpy", "convert", "GRUParams", "init_params", "__version__"]
