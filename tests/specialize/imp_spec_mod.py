# A module whose attributes tests/specialize/modules.toy changes.
value = "first"


def func():
    return "func"
