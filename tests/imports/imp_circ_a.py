# imports imp_circ_b, which imports this module back while it is half done
print("imp_circ_a: start")
import imp_circ_b
print("imp_circ_a: imported imp_circ_b, which sees", imp_circ_b.seen)


def name_a():
    return "a+" + imp_circ_b.name_b()
