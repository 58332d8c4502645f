# Helper module of dir_modules.toy: a module that defines its own __dir__.
def __dir__():
    return ['zz', 'aa', 'mm']
