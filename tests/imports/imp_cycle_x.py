import time
time.sleep(0.2)
import imp_cycle_y
X = "x"
