# Helper module of dir_modules.toy.
import dir_helper_nested as nested
visible = 1
def function():
    pass
