"""Layers and modules: building torch.nn layers, calling modules, and naming them as torch does."""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

from cnnlint import dims
from cnnlint.interpret.core import CallRow, Finding
from cnnlint.interpret.values import INCOMPLETE, Arg, Layer, Obj, SymbolicObj, Tensor, Unknown, is_module
from cnnlint.layers import KEYWORD_ONLY, LAYERS, REQUIRED
from cnnlint.solve import solve_equal

CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")
INPUT_SYMBOLS = {"N", "C", "H", "W", "D", "L"}
AXES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def bind(signature, args, kwargs, arg_nodes) -> Optional[Dict[str, Arg]]:
    """Match a call's arguments to a layer signature; None when they do not fit."""
    names = [n for n, _ in signature if n != KEYWORD_ONLY]
    catch_all = "args" in names
    positional = [n for n, _ in signature]
    positional = positional[:positional.index(KEYWORD_ONLY)] if KEYWORD_ONLY in positional else names
    out: Dict[str, Arg] = {}
    for i, value in enumerate(args):
        if i >= len(positional):
            if catch_all:
                break
            return None
        out[names[i]] = Arg(value, arg_nodes.get(i))
    for key, value in kwargs.items():
        if key not in names:
            if catch_all:
                continue
            return None
        out[key] = Arg(value, arg_nodes.get(key), keyword=True)
    for name, default in signature:
        if name not in out and name != KEYWORD_ONLY:
            if default is REQUIRED:
                return None
            out[name] = Arg(default)
    return out


def build_layer(interp, kind: str, args, kwargs, node, arg_nodes) -> Any:
    if kind in CONTAINERS:
        return build_container(interp, kind, args, kwargs, node)
    spec = LAYERS[kind]
    bound = bind(spec.signature, args, kwargs, arg_nodes)
    if bound is None:
        interp.note(node, f"nn.{kind}(...) has arguments cnnlint cannot match to its signature")
        return Unknown(f"nn.{kind} with unexpected arguments")
    for arg in bound.values():
        if type(arg.value) is SymbolicObj:  # a constructor parameter without a value: its symbol
            arg.value = interp.symbol(arg.value.name)
    layer = Layer(kind, bound, node, in_loop=interp.loop_depth > 0)
    if spec.build_check is not None:
        spec.build_check(layer, LayerCtx(interp, layer, None))
    return layer


def build_container(interp, kind, args, kwargs, node):
    layer = Layer(kind, {}, node, in_loop=interp.loop_depth > 0)
    if kind == "Sequential":
        if len(args) == 1 and isinstance(args[0], dict):
            for k, v in args[0].items():
                layer.children[str(k)] = v
        else:
            for i, v in enumerate(args):
                if isinstance(v, Unknown):
                    return Unknown("nn.Sequential of modules cnnlint cannot list")
                layer.children[str(i)] = v
    else:
        source = args[0] if args else kwargs.get("modules", kwargs.get("dict"))
        if source is None:
            return layer
        if kind == "ModuleDict":
            items = list(source.items()) if isinstance(source, dict) else interp.iterate(source)
            if isinstance(items, Unknown):
                return Unknown("nn.ModuleDict of modules cnnlint cannot list")
            for pair in items:
                if isinstance(pair, (tuple, list)) and len(pair) == 2:
                    layer.children[str(pair[0])] = pair[1]
        else:
            items = interp.iterate(source)
            if isinstance(items, Unknown):
                return Unknown("nn.ModuleList of modules cnnlint cannot list")
            for i, v in enumerate(items):
                layer.children[str(i)] = v
    return layer


# --- naming and counting ------------------------------------------------------------------

def named_modules(root, prefix: str = "") -> Iterator[Tuple[str, Any]]:
    """(name, module) pairs in torch's order, each module once."""
    seen = set()
    stack: List[Tuple[str, Any]] = [(prefix, root)]

    def walk(name, module):
        if id(module) in seen:
            return
        seen.add(id(module))
        yield name, module
        for child_name, child in children_of(module).items():
            if child is None or not is_module(child):
                continue
            yield from walk(f"{name}.{child_name}" if name else child_name, child)

    del stack
    yield from walk(prefix, root)


def children_of(module) -> Dict[str, Any]:
    if isinstance(module, (Layer, Obj)):
        return module.children
    return {}


def count_params(root) -> Any:
    total: Any = 0
    for _, module in named_modules(root):
        if any(c is not None and not is_module(c) for c in children_of(module).values()):
            return None  # a child cnnlint could not build: the count would be a wrong number
        n = own_params(module)
        if n is None:
            return None
        total = dims.add(total, n)
    return total


def own_params(module) -> Any:
    if isinstance(module, Layer):
        if module.is_container:
            return None if INCOMPLETE in module.children else 0
        fn = LAYERS[module.kind].params
        n = 0 if fn is None else fn(module)
        for extra in getattr(module, "extra_params", {}).values():  # weight_norm's weight_g
            n = None if n is None or extra is None else dims.add(n, extra)
        return n
    if isinstance(module, Obj):
        if INCOMPLETE in module.children:
            return None
        total: Any = 0 if module.base_layer is None else own_params(module.base_layer)
        for _, t in module.params:
            n = dims.prod(t.shape) if t is not None and t.shape is not None else None
            if n is None:
                return None
            total = dims.add(total, n)
        return total
    return 0


def subtree_params(module) -> Any:
    return count_params(module)


# --- calling modules ------------------------------------------------------------------------

def call_module(interp, module, args, kwargs, node):
    if isinstance(module, Layer):
        if module.kind == "Sequential":
            row = start_row(interp, module, "Sequential", args)
            x = args[0] if args else kwargs.get("input")
            x = run_sequence(interp, module, x, node)
            finish_row(interp, row, x)
            return x
        if module.kind in ("ModuleList", "ModuleDict"):
            return Unknown(f"nn.{module.kind} is not callable")
        x = args[0] if args else kwargs.get("input", Unknown("no input"))
        return apply_module_layer(interp, module, x, args[1:], kwargs)
    if isinstance(module, Obj):
        from cnnlint.interpret.classes import lookup_method, torch_base

        forward = lookup_method(interp, module, "forward")
        row = start_row(interp, module, module.cls.name, args)
        interp.module_depth += 1
        try:
            if forward is None:
                base = torch_base(interp, module.cls)
                if base == "Sequential":
                    interp.module_depth -= 1
                    result = run_sequence(interp, module, args[0] if args else None, node)
                    interp.module_depth += 1
                elif module.base_layer is not None:
                    x = args[0] if args else kwargs.get("input", Unknown("no input"))
                    result = apply_layer(interp, module.base_layer, x, module.base_layer.node, row)
                else:
                    interp.note(module.cls.node, f"{module.cls.name} has no forward() cnnlint can see; "
                                                 "its output shape is unknown")
                    result = Unknown(f"{module.cls.name}.forward is not visible")
            else:
                result = interp.call(forward, args, kwargs, node)
        finally:
            interp.module_depth -= 1
        finish_row(interp, row, result)
        return result
    return Unknown("not a module")


def run_sequence(interp, module, x, node):
    """nn.Sequential's forward: each child in order."""
    interp.module_depth += 1
    try:
        for child in module.children.values():
            if child is None:
                continue
            if not is_module(child):
                interp.note(module.node, "an nn.Sequential holds modules cnnlint cannot list; "
                                         "its output shape is unknown")
                return Tensor(None)
            x = interp.call(child, [x], {}, node)
    finally:
        interp.module_depth -= 1
    return x


def start_row(interp, module, type_name, args) -> CallRow:
    name = interp.names.get(id(module), "")
    first = args[0] if args else None
    sources = [a.row if a.row is not None else -2 for a in args if isinstance(a, Tensor)]
    row = CallRow(module, name, type_name, getattr(module, "node", None), interp.module_depth,
                  first.shape if isinstance(first, Tensor) else None, sources)
    interp.rows.append(row)
    return row


def finish_row(interp, row, result):
    if isinstance(result, Tensor):
        row.output = result.shape
        row.last = result.last if result.shape is None else None
    elif isinstance(result, tuple) and result and isinstance(result[0], Tensor):
        row.output = result[0].shape
    else:
        row.output = None


def as_tensor(value) -> Tensor:
    if isinstance(value, Tensor):
        return value
    return Tensor(None)


def apply_module_layer(interp, layer: Layer, x, more=(), kwargs=None):
    row = start_row(interp, layer, layer.kind, [x])
    previous = interp.current_row
    interp.current_row = row
    try:
        out = apply_layer(interp, layer, x, layer.node, row, more, kwargs)
    finally:
        interp.current_row = previous
    if isinstance(out, Tensor):
        out = Tensor(out.shape, src=row.name or out.src, flat=None, row=interp.rows.index(row), last=out.last)
    finish_row(interp, row, out)
    return out


def apply_layer(interp, layer: Layer, x, report_node, row=None, more=(), kwargs=None):
    """``x``: the first input; ``more`` and ``kwargs``: the call's other arguments (MaxUnpool's
    indices and output_size), which most layers ignore."""
    spec = LAYERS.get(layer.kind)
    if spec is None:
        return Tensor(None)
    if not isinstance(x, Tensor):
        if x is not None and not isinstance(x, Unknown):
            return Tensor(None)
        x = Tensor(None)
    ctx = LayerCtx(interp, layer, report_node, x, row)
    ctx.more, ctx.kwargs = tuple(more), dict(kwargs or {})
    return spec.forward(layer, x, ctx)


class LayerCtx:
    """What a layer function may ask of the interpreter: report, explain, make symbols."""

    def __init__(self, interp, layer: Layer, report_node, x: Optional[Tensor] = None, row=None):
        self.interp = interp
        self.layer = layer
        self.report_node = report_node if report_node is not None else layer.node
        self.input = x
        self.row = row
        self.more: tuple = ()  # the call's arguments after the input
        self.kwargs: dict = {}

    # naming -------------------------------------------------------------------------
    def layer_title(self) -> str:
        name = self.interp.names.get(id(self.layer))
        kind = self.layer.kind
        functional = getattr(self.layer, "functional", None)
        if functional:
            return functional
        lib = LAYERS[kind].library if kind in LAYERS else "nn"
        return f"{name} ({lib}.{kind})" if name else f"{lib}.{kind}"

    def fmt_shape(self, shape) -> str:
        return fmt_shape(shape)

    def axis_name(self, i: int, n: int) -> str:
        return AXES.get(n, ("size",) * n)[i] if i < n else "size"

    # symbols ------------------------------------------------------------------------
    def batch(self):
        return self.interp.symbol("N")

    def symbol(self, name: str):
        return self.interp.symbol(name)

    # notes --------------------------------------------------------------------------
    def note(self, message: str) -> None:
        self.interp.note(self.report_node, message)

    def note_symbolic_ceil(self) -> None:
        pass

    def explain(self, text: str) -> None:
        if self.row is not None:
            self.row.explain.append(text)

    def factors(self, values) -> None:
        pass

    # findings -----------------------------------------------------------------------
    def fail(self, code: str, message: str, arg: Optional[str] = None, declared=None, inferred=None,
             options=(), severity=None) -> None:
        arg_node = None
        if arg is not None and arg in self.layer.args:
            arg_node = self.layer.args[arg].node
        self.interp.report(Finding(code, message, self.report_node, declared=dims.to_json(declared),
                                   inferred=dims.to_json(inferred), arg_node=arg_node, severity=severity,
                                   options=options, factors=self._factors(),
                                   explain=explain_texts(self.row) if self.row else ()))

    def _factors(self):
        x = self.input
        if x is not None and x.flat is not None:
            return x.flat[0]
        return None

    def positive(self, out, axis: str, message, kernel=None, room=None):
        """An output size must be >= 1. ``message()``: what is wrong when it is not. ``kernel``
        (the window written in the code) and ``room`` (the padded input it slides over) become
        the finding's declared and inferred values."""
        v = dims.as_int(out)
        if v is not None:
            if v < 1:
                k, r = dims.as_int(kernel), dims.as_int(room)
                # no fix: a smaller window, more padding or a larger input could each be the cure
                self.fail("CNN103", f"{message()}: the output {axis} would be {v}",
                          declared=k, inferred=r if k is not None else v)
                return None
            return v
        if out is not None:
            self.interp.constraints.append((out, f"{self.layer_title()} output {axis}"))
        return out

    def expect(self, arg: str, declared, actual, code: str, what: str, linear: bool = False,
               index: Optional[int] = None) -> bool:
        if not dims.is_dim(declared) or actual is None:
            return True
        d, a = dims.as_int(declared), dims.as_int(actual)
        title = self.layer_title()
        if d is not None and a is not None:
            if d == a:
                return True
            source = self._source(a)
            if code == "CNN102":
                msg = f"{title} expects {d} {what} but receives {source}"
                options = ()
            else:
                msg = f"{title} expects {d} {what} but its input has {source}"
                prev = self.input.src if self.input is not None else None
                options = (f"set {arg}={a}",) + ((f"or make {prev} output {d} channels",) if prev else ())
            self.fail(code, msg, arg=arg, declared=d, inferred=a, options=options)
            return False
        if d is not None and dims.is_symbolic(actual):
            syms = {str(s) for s in actual.free_symbols}
            if not syms <= INPUT_SYMBOLS:
                return True
            solution = solve_equal(actual, d, self.interp.constraints)
            if solution.possible is False:
                self.fail(code, f"{title} expects {d} {what}, but no input size gives that: it receives "
                                f"{dims.fmt(actual)}{self._from()}", arg=arg, declared=d, inferred=actual)
                return False
            if solution.possible:
                self.interp.constraints.append((actual - d, f"{title} {arg}={d}"))
                self.interp.report(Finding(
                    "CNN301", f"{title} {arg}={d} holds only for {solution.description} "
                              f"(it receives {dims.fmt(actual)})", self.report_node, declared=d,
                    inferred=dims.to_json(actual), severity="info"))
        return True

    def _source(self, a) -> str:
        x = self.input
        if x is not None and x.flat is not None:
            factors, before, src = x.flat
            text = "*".join(dims.fmt(f) for f in factors)
            origin = f" (from {src}: {fmt_shape(before)})" if src else f" (from {fmt_shape(before)})"
            return f"{text} = {a}{origin}"
        if x is not None and x.src and x.shape is not None:
            return f"{a} (from {x.src}: {fmt_shape(x.shape)})"
        if x is not None and x.shape is not None:
            return f"{a} ({fmt_shape(x.shape)})"
        return str(a)

    def _from(self) -> str:
        x = self.input
        if x is not None and x.flat is not None and x.flat[2]:
            return f" (from {x.flat[2]}: {fmt_shape(x.flat[1])})"
        return ""


def explain_texts(row) -> tuple:
    """A row's arithmetic lines. Layers record them as functions, formatted only when shown
    (printing symbolic sizes is costly and most runs never show them)."""
    return tuple(e() if callable(e) else e for e in row.explain)


def fmt_shape(shape) -> str:
    if shape is None:
        return "[?]"
    return "[" + ", ".join(dims.fmt(d) for d in shape) + "]"
