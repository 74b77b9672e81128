"""Where the numbers of a layer are written: the integer literals of its constructor call, and
of the calls of the file's own functions it was built in (`conv_bn(3, 16, 2)` reaching
`nn.Conv2d(inp, oup, 3, stride, 1)`), each with the layer parameter it gives. The repair search
(repair.py) edits these numbers."""
from __future__ import annotations

from typing import Dict, Optional

import libcst as cst

from cnnlint.fixes import literal_value

SKIP_KEYWORDS = frozenset({"bias", "inplace", "affine", "track_running_stats", "ceil_mode", "count_include_pad",
                           "return_indices", "elementwise_affine", "dim", "start_dim", "end_dim", "align_corners",
                           "momentum", "eps", "p", "negative_slope", "num_parameters", "dilation"})

DIM_METHODS = ("size", "dim", "flatten", "transpose", "permute", "squeeze", "unsqueeze")  # their numbers are dims


def int_literal(node) -> Optional[int]:
    """The value of an integer literal node, else None."""
    return literal_value(node) if type(node) is cst.Integer else None



# the parameters a positional argument stands for, by the layer's kind
POSITIONS = {"Conv": ("in_channels", "out_channels", "kernel_size", "stride", "padding"),
             "Pool": ("kernel_size", "stride", "padding"), "Linear": ("in_features", "out_features"),
             "Norm": ("num_features",), "GroupNorm": ("num_groups", "num_channels"),
             "Unflatten": ("dim", "unflattened_size"), "Flatten": ("start_dim", "end_dim"),
             "Softmax": ("dim",), "LogSoftmax": ("dim",)}
SPATIAL = ("stride", "padding", "kernel_size", "output_padding", "scale_factor", "size")


def parameter_of(call: cst.Call, i: int, arg: cst.Arg) -> str:
    if arg.keyword is not None:
        return arg.keyword.value
    func = call.func
    name = func.attr.value if type(func) is cst.Attribute else func.value if type(func) is cst.Name else ""
    for kind, names in POSITIONS.items():
        if kind in name:
            return names[i] if i < len(names) else ""
    return ""



def numbers_in(expr):
    """The integer literals of an argument's expression: itself, in arithmetic (`32 * 7 * 7`),
    lists, and the arguments of a call in it (`_make_divisible(channel // 4, 8)`)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        v = int_literal(node)
        if v is not None:
            yield node, v
        elif type(node) in (cst.Tuple, cst.List):
            stack.extend(reversed([e.value for e in node.elements]))
        elif type(node) is cst.BinaryOperation:
            stack.extend((node.right, node.left))
        elif type(node) is cst.UnaryOperation:
            stack.append(node.expression)
        elif type(node) is cst.Call and not (type(node.func) is cst.Attribute and node.func.attr.value in DIM_METHODS):
            stack.extend(reversed([a.value for a in node.args if not a.star]))


def layer_literals(call: cst.Call):
    """(integer literal node, its value, the parameters it gives) of a layer call, flags and dims
    left out."""
    for i, arg in enumerate(call.args):
        if arg.star:
            continue
        if arg.keyword is not None and arg.keyword.value in SKIP_KEYWORDS:
            continue
        parameter = parameter_of(call, i, arg)
        if parameter in SKIP_KEYWORDS:
            continue
        for node, v in numbers_in(arg.value):
            yield node, v, (parameter,)


def param_roles(fdef: cst.FunctionDef, memo: Dict[int, Dict[str, set]]) -> Dict[str, set]:
    """For each parameter of a function, what it gives the calls in its body: the layer parameter
    it is passed as (`nn.Conv2d(inp, oup, 3, stride, 1)`: `inp` is in_channels), "" when it
    goes into arithmetic or a call cnnlint cannot name."""
    roles = memo.get(id(fdef))
    if roles is not None:
        return roles
    p = fdef.params
    names = {q.name.value for q in list(p.posonly_params) + list(p.params) + list(p.kwonly_params)}
    roles = {n: set() for n in names}

    class Uses(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            for i, arg in enumerate(call.args):
                if arg.star:
                    continue
                direct = type(arg.value) is cst.Name and arg.value.value in roles
                for name in names_in(arg.value):
                    if name in roles:
                        roles[name].add(parameter_of(call, i, arg) if direct else "")

    fdef.body.visit(Uses())
    memo[id(fdef)] = roles
    return roles


def names_in(expr):
    stack = [expr]
    while stack:
        node = stack.pop()
        if type(node) is cst.Name:
            yield node.value
        elif type(node) is cst.Attribute:
            continue
        else:
            stack.extend(node.children)


def site_literals(site, memo):
    """The integer literals of a call to a function of the file that a layer was built in
    (`conv_3x3_bn(3, input_channel, 2)`, `BasicConv2d(3, 64, kernel_size=3)`), with the layer
    parameters each reaches there."""
    call, fdef, method = site
    if type(call) is not cst.Call or type(fdef) is not cst.FunctionDef:
        return
    p = fdef.params
    positional = list(p.posonly_params) + list(p.params)
    if method:
        positional = positional[1:]
    roles = param_roles(fdef, memo)
    for i, arg in enumerate(call.args):
        if arg.star:
            continue
        if arg.keyword is not None:
            name = arg.keyword.value
            given = roles.get(name) if name in roles else {name}  # into **kwargs: a layer's own name
        elif i < len(positional):
            name = positional[i].name.value
            given = roles.get(name)
        else:
            name, given = "", {""}
        if name in SKIP_KEYWORDS:
            continue
        given = tuple(sorted(given)) if given else ("",)
        if all(g in SKIP_KEYWORDS for g in given):
            continue
        for node, v in numbers_in(arg.value):
            yield node, v, given, name
