print("imp_pkg.helpers: body runs,", __name__, __package__)


def double(x):
    return 2 * x
