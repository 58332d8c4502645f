# Helper of module_getattr.toy: a module-level __getattr__ (PEP 562).
loaded = []
present = "here"


def __getattr__(name):
    if name.startswith("lazy_"):
        loaded.append(name)
        value = name[5:].upper()
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
