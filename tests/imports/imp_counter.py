import imp_registry
imp_registry.log.append("imp_counter body")
