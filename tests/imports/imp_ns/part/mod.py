print("imp_ns.part.mod: body runs,", __name__, __package__)
