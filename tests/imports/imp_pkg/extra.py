print("imp_pkg.extra: body runs,", __name__, __package__)
value = "extra value"
