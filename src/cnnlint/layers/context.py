"""What a layer's shape rule is given: ``LayerCtx`` reads the layer's arguments and reports a
mismatch as a finding with the value the code should have.
"""
from __future__ import annotations

from typing import Optional

from cnnlint import dims
from cnnlint.abstract.findings import Finding, INPUT_SYMBOLS, fmt_shape
from cnnlint.abstract.values import Arg, Layer, Tensor
from cnnlint.layers.base import LAYERS
from cnnlint.solve import solve_equal


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
             options=(), severity=None, repairable: bool = True) -> None:
        """Report a finding on this layer; ``repairable`` False: no one number mends it, so the
        repair search (repair.py) is not run for it."""
        arg_node = None
        if arg is not None and arg in self.layer.args:
            arg_node = self.layer.args[arg].node
        finding = Finding(code, message, self.report_node, declared=dims.to_json(declared),
                          inferred=dims.to_json(inferred), arg_node=arg_node, severity=severity,
                          options=options, factors=self._factors(),
                          explain=explain_texts(self.row) if self.row else ())
        finding.repairable = repairable
        self.interp.report(finding)

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


def _tmp_layer(kind, values, node):
    return Layer(kind, {k: Arg(v) for k, v in values.items()}, node)


AXES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}
