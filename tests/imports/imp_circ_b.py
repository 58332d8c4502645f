print("imp_circ_b: start")
import sys
import imp_circ_a
# imp_circ_a is only partly run: name_a is not defined yet
seen = [k for k in vars(imp_circ_a) if not k.startswith("__")]
print("imp_circ_b: imp_circ_a in sys.modules:", "imp_circ_a" in sys.modules)


def name_b():
    return "b"


def call_a():
    return imp_circ_a.name_a()
