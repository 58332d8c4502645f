"""A plain module for the import tests."""
print("imp_basic: body runs, __name__ =", __name__)
CONST = 10
_private = "hidden"


def greet(who):
    return "hello " + who


class Thing:
    def __repr__(self):
        return "Thing()"
