# One of the modules tests/specialize/threads.toy gives each thread.
value = 1000
