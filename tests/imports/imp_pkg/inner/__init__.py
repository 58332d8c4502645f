print("imp_pkg.inner: __init__ runs,", __name__, __package__)
