"""A call of a model's submodule with `*args` or `**kwargs` that cnnlint cannot list.

Those arguments may fill any of ``forward``'s parameters that the call does not name, so each such
parameter is unknown: neither the value the call might pass nor its default is assumed.
"""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

from cnnlint.abstract.classes import lookup_method
from cnnlint.abstract.values import Function, Obj, Unknown


def unlisted_arguments(interp, module: Obj, args: List[Any], kwargs: Dict[Any, Any], star, kw_marker
                       ) -> Tuple[List[Any], Dict[Any, Any]]:
    """The call's arguments with ``star`` (an unlisted ``*args``) and ``kw_marker`` (an unlisted
    ``**kwargs``) replaced by unknown values for the parameters of ``module.forward`` they may
    fill. Without a visible ``forward`` the markers are dropped."""
    cut = next((i for i, a in enumerate(args) if a is star), None)
    known = list(args) if cut is None else list(args[:cut])  # arguments after `*rest` land anywhere
    named = {k: v for k, v in kwargs.items() if k is not kw_marker}
    forward = lookup_method(interp, module, "forward")
    if not isinstance(forward, Function):
        return known, named
    params = forward.node.params
    positional = [p.name.value for p in list(params.posonly_params) + list(params.params)]
    if forward.bound is not None:
        positional = positional[1:]
    open_params = positional[len(known):]
    if kw_marker in kwargs:
        open_params = open_params + [p.name.value for p in params.kwonly_params]
    unknown = Unknown("an argument passed through *args or **kwargs that cnnlint cannot list")
    for name in open_params:
        named.setdefault(name, unknown)
    return known, named
