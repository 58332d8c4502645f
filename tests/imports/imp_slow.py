import time
import imp_registry
imp_registry.log.append("imp_slow body starts")
time.sleep(0.2)
VALUE = 42
imp_registry.log.append("imp_slow body ends")
