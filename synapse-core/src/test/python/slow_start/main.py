import time

import pysynapse

time.sleep(60)
pysynapse.serve(lambda payload: payload)
