"""Control flow inside the interpreter, as exceptions: return, break, continue, a ``raise``
(``DeadPath``) and running out of budget (``GiveUp``).
"""
from __future__ import annotations


class ReturnSignal(Exception):
    def __init__(self, value):
        self.value = value


class BreakSignal(Exception):
    pass


class ContinueSignal(Exception):
    pass


class DeadPath(Exception):
    """A `raise` statement: this path does not continue."""


class GiveUp(Exception):
    """The step or time budget ran out."""
