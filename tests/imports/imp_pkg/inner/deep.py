print("imp_pkg.inner.deep: body runs,", __name__, __package__)
from .. import helpers
from ..helpers import double
from . import sibling
from .sibling import NAME
from .. import extra as the_extra


def quadruple(x):
    return double(helpers.double(x))
