print("imp_circ_x: start")
from imp_circ_y import y_func


def x_func():
    return "x"
