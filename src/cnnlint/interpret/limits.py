"""The interpreter's budgets: steps (the one that decides, so results do not depend on the machine's
load), seconds (a safety net), call depth and loop length.
"""
from __future__ import annotations

MAX_STEPS = 400_000  # the budget that decides: steps, so results do not depend on the machine's load


MAX_SECONDS = 20.0  # a safety net only


MAX_DEPTH = 60


MAX_LOOP = 5000
