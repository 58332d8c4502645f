"""The imp_pkg package."""
print("imp_pkg: __init__ runs,", __name__, __package__)
from . import helpers
from .helpers import double
__all__ = ["double", "extra"]
