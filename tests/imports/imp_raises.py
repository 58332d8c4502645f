import imp_registry
imp_registry.log.append("imp_raises body")


def helper():
    return 1 / 0


defined_before = True
helper()
never = True
