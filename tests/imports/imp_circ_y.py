print("imp_circ_y: start")
from imp_circ_x import x_func


def y_func():
    return "y"
