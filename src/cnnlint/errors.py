"""Errors the command line shows as one line on stderr with exit status 2 (a bad option, a
path that does not exist, an unreadable config). They sit at the bottom of the import graph:
the code that raises them and the command line that shows them both import this module."""


class UsageError(Exception):
    """A command cnnlint cannot carry out as given: exit status 2, the message on stderr."""
