"""Name scopes: a function's local names, chained to the scope it was defined in.
(A file's top level is interpret/modulescope.py.)"""
from __future__ import annotations

import ast
from typing import Any, Dict, Optional

import libcst as cst

from cnnlint.abstract.values import _MISSING


class Scope:
    """A function's local names, chained to the scope it was defined in."""

    def __init__(self, parent: Optional["Scope"] = None):
        self.vars: Dict[str, Any] = {}
        self.parent = parent

    def lookup(self, name: str) -> Any:
        scope: Optional[Scope] = self
        while scope is not None:
            value = scope.vars.get(name, _MISSING)
            if value is not _MISSING:
                return value
            if type(scope) is not Scope:  # the module's scope declares its names lazily
                value = scope.get_local(name)
                if value is not _MISSING:
                    return value
            scope = scope.parent
        return _MISSING

    def get_local(self, name: str) -> Any:
        return self.vars.get(name, _MISSING)

    def set(self, name: str, value: Any) -> None:
        self.vars[name] = value

    def module(self) -> "Scope":  # the ModuleScope (modulescope.py)
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope  # type: ignore[return-value]


def dotted(node) -> Optional[str]:
    """`a.b.c` for a name or an attribute chain, of libcst or of ast; else None."""
    tp = type(node)
    if tp is cst.Name:
        return node.value
    if tp is cst.Attribute:
        head = dotted(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    if tp is ast.Name:
        return node.id
    if tp is ast.Attribute:
        head = dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


