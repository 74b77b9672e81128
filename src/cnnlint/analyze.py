"""Run each model of a file through the interpreter: build it, call forward, collect findings
and the shape trace."""
from __future__ import annotations

import bisect
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from cnnlint import dims, script
from cnnlint.abstract.values import INCOMPLETE_KEY, Function, Layer, Obj, SymbolicObj, Tensor, Unknown, UserClass, is_module
from cnnlint.diagnostics import LayerRow, ModelTrace
from cnnlint.inputspec import InputSpec, for_model, parse_spec
from cnnlint.interpret.core import Interp
from cnnlint.interpret.signals import DeadPath, GiveUp, ReturnSignal
from cnnlint.layers.context import explain_texts
from cnnlint.layers.tree import count_params, named_modules, own_params, subtree_params
from cnnlint.source import FileContext, ModelDef


class ModelRun:
    """A model's run. Its trace (the shapes table's data) is built only when something asks for it:
    `cnnlint shapes`, or a finding's chain of shapes."""

    def __init__(self, model: ModelDef, interp: Interp, trace: Optional[ModelTrace], build=None):
        self.model = model
        self.interp = interp
        self._trace = trace
        self._build = build
        self.unconfirmed = False  # the model's function built no module
        self.built: Any = None  # (the built model, the input), when building it did not read the mode
        self.build_findings = 0  # how many of the findings building the model gave
        self.reused = False  # forward() ran on a model built by another run

    @property
    def has_trace(self) -> bool:
        """Whether the run got far enough to have a trace (without building it)."""
        return self._build is not None or self._trace is not None

    @property
    def trace(self) -> Optional[ModelTrace]:
        if self._build is not None:
            self._trace, self._build = self._build(), None
        return self._trace


def select_models(ctx: FileContext, models, wanted: Optional[str], specs: Sequence[InputSpec], dropped=()):
    """The models to run: the roots, which no other model of the file uses. A function that
    turned out to build no module (``dropped``) makes no model a component."""
    if wanted:
        return [m for m in models if m.name == wanted]
    if len(models) < 2:
        return models  # alone, a model is its own root
    named = {s.model for s in specs if s.model}
    refs = ctx.references((m.name for m in models if m.kind != "value"), ignore=dropped)
    scripts = script.users([(m.name, m.binding) for m in models if m.kind == "value" and m.name not in dropped])
    for model, used in scripts.items():  # `net = nn.Sequential(b1, b2)`: b1 and b2 are its parts
        for m in models:
            if m.name != model and (m.binding.variable if m.kind == "value" else m.name) in used:
                refs[m.name] = refs.get(m.name, 0) + 1
    roots = [m for m in models if refs.get(m.name, 0) == 0 or m.name in named]
    return roots or models


def analyze(ctx: FileContext, specs: Sequence[InputSpec] = (), wanted: Optional[str] = None) -> List[ModelRun]:
    probe = Interp(ctx)
    models = ctx.models(probe)
    models += [ModelDef(name, "value", binding.defined, confirm=True, binding=binding)
               for name, binding in script.bindings(ctx, probe, models)]
    named = {s.model for s in specs if s.model} | ({wanted} if wanted else set())
    blocks = ctx.block_names(models) - named if len(models) > 1 else set()
    runs: Dict[str, ModelRun] = {}
    dropped: set = set()
    while True:
        todo = [m for m in select_models(ctx, [m for m in models if m.name not in dropped], wanted, specs, dropped)
                if m.name not in runs]
        if not todo:
            break
        for model in todo:
            run = _run_safely(ctx, model, specs, block=model.name in blocks)
            if model.confirm and not wanted and run.unconfirmed:
                dropped.add(model.name)  # builds no module: no model, and the models it uses are roots
            runs[model.name] = run
    order = {m.name: i for i, m in enumerate(models)}
    return sorted((r for name, r in runs.items() if name not in dropped), key=lambda r: order[r.model.name])


def _run_safely(ctx: FileContext, model: ModelDef, specs: Sequence[InputSpec], block: bool = False) -> ModelRun:
    try:
        return run_model(ctx, model, for_model(specs, model.name), block=block)
    except Exception as e:  # an internal error must not stop the other models
        if os.environ.get("CNNLINT_DEBUG"):
            raise
        interp = Interp(ctx, model.name)
        interp.internal_error = f"{type(e).__name__}: {e}"
        return ModelRun(model, interp, None)


def _spec_input(interp: Interp, shape) -> Tensor:
    return Tensor(tuple(interp.symbol(d) if isinstance(d, str) else d for d in shape))


def _eval_call_args(interp: Interp, ctx: FileContext, call: cst.Call):
    args, kwargs, _ = interp.eval_args(call.args, ctx.scope)
    return args, kwargs


def _fill_missing(interp: Interp, target, args, kwargs):
    """Parameters without a value or default become symbols named after them."""
    if isinstance(target, UserClass):
        from cnnlint.abstract.classes import lookup_class

        init, _ = lookup_class(interp, target, "__init__")
        if not isinstance(init, Function):
            return args, kwargs
        params = init.node.params
        skip = 1
    elif isinstance(target, Function):
        params = target.node.params
        skip = 0
    else:
        return args, kwargs
    positional = list(params.posonly_params) + list(params.params)
    kwargs = dict(kwargs)
    for i, p in enumerate(positional[skip:]):
        name = p.name.value
        if i < len(args) or name in kwargs or p.default is not None:
            continue
        kwargs[name] = SymbolicObj(name)
    for p in params.kwonly_params:
        if p.name.value not in kwargs and p.default is None:
            kwargs[p.name.value] = SymbolicObj(p.name.value)
    return args, kwargs


class _Findings(list):
    """``interp.findings`` that remembers, for each finding, how many calls the trace held when it
    was reported: its place in the call order, from which the chain to it is told."""

    def __init__(self, interp: Interp):
        super().__init__()
        self.interp = interp
        self.at: Dict[int, int] = {}

    def append(self, finding) -> None:
        self.at[id(finding)] = len(self.interp.rows)
        super().append(finding)
        ctx = self.interp.file
        stop = ctx.stop_at
        if stop is not None and finding.code == stop[0] and finding.node is not None and \
                ctx.owns(finding.node) and ctx.span(finding.node).line == stop[1]:
            raise GiveUp("the error a repair is checked against came back")


def _is_error(finding) -> bool:
    from cnnlint.rules import RULES

    return (finding.severity or (RULES[finding.code].severity if finding.code in RULES else "error")) == "error"


def run_model(ctx: FileContext, model: ModelDef, spec: Optional[InputSpec], block: bool = False) -> ModelRun:
    """Build and run the model (in both modes, see run_modes). Without an input shape, a conv
    layer takes the model's input as batched, [N, C, H, W]: an error found so stands only if the
    unbatched input [C, H, W], which the layer accepts as well, meets it too; otherwise it is a
    warning."""
    run = run_modes(ctx, model, spec, block=block)
    interp = run.interp
    if interp.free_input and interp.rank_assumed and any(_is_error(f) for f in interp.findings):
        other = run_modes(ctx, model, spec, unbatched=True, block=block)
        # an unbatched input that fails at the same place, for whatever reason, confirms it
        # (there a rank error is itself only a warning, the rank being assumed: it counts)
        confirmed = {id(f.node) for f in other.interp.findings if _is_error(f) or f.code == "CNN107"}
        for f in interp.findings:
            if _is_error(f) and id(f.node) not in confirmed:
                f.severity = "warning"
                f.message += " (for a batched input; the input's rank was assumed, and an unbatched input " \
                             "would not fail here: give --input-shape to be sure)"
    return run


def run_modes(ctx: FileContext, model: ModelDef, spec: Optional[InputSpec], unbatched: bool = False,
              block: bool = False) -> ModelRun:
    """The model checked in training mode, where a module starts; and, when its code reads
    `self.training`, once more in eval mode (see modes.py)."""
    from cnnlint.modes import merge_modes

    train = run_in_mode(ctx, model, spec, True, unbatched=unbatched, block=block)
    if not train.interp.read_training or train.unconfirmed:
        return train
    # the model as built for the training run serves the eval run too, unless building it read
    # the mode: only forward() runs again
    return merge_modes(train, run_in_mode(ctx, model, spec, False, train.built, unbatched=unbatched, block=block),
                       finding_chain)


def run_in_mode(ctx: FileContext, model: ModelDef, spec: Optional[InputSpec], training: bool,
                built_before=None, unbatched: bool = False, block: bool = False) -> ModelRun:
    """``block``: a model other model classes of the file build (source.block_names); run with its
    own default arguments, what fails there fails only in a build nobody makes: a warning."""
    interp = Interp(ctx, model.name)
    interp.training = training
    interp.unbatched = unbatched
    interp.findings = _Findings(interp)
    if built_before is not None:
        built, x, interp.defaults_of = built_before
        interp.free_input = x.free
        run = _run_forward(ctx, model, interp, built, x)
        run.reused = True
        return run
    value = model.kind == "value"  # a top-level variable's model: its code builds it (script.py)
    target = ctx.scope.get_local(model.name) if not value else None
    args: List[Any] = []
    kwargs: Dict[str, Any] = {}
    x: Optional[Tensor] = None
    ctor_call, tensor_call = (None, None)
    if (spec is None or spec.args is None) and not value:
        ctor_call, tensor_call = ctx.usage_hints(model.name)
    try:
        if spec is not None and spec.args is not None and value:
            interp.note(model.node, f"{model.name}: a variable's model is built by the file's code; "
                                    f"the arguments in --input-shape are not used")
        elif spec is not None and spec.args is not None:
            call = cst.parse_expression(f"__f({spec.args})")
            args, kwargs = _eval_call_args(interp, ctx, call)
        elif ctor_call is not None:
            a, k = _eval_call_args(interp, ctx, ctor_call)
            if not any(isinstance(v, Unknown) for v in list(a) + list(k.values())):
                args, kwargs = a, k
                block = False  # the file itself builds it so
        if block and not (spec is not None and spec.args is not None):
            interp.defaults_of = model.name
        if spec is not None:
            x = _spec_input(interp, spec.shape)
        else:
            comment = ctx.comment_input(model)
            if comment:
                try:
                    x = _spec_input(interp, parse_spec(comment).shape)
                except ValueError:
                    x = None
            if x is None and tensor_call is not None:
                given = interp.eval(tensor_call, ctx.scope)
                if isinstance(given, Tensor) and given.shape and all(dims.as_int(d) for d in given.shape):
                    x = given
            if x is None and value:
                x = script.fed(interp, ctx, model.binding)
            elif x is None:
                x = script.class_fed(interp, ctx, model.name)
        if x is None:
            x = Tensor(None, free=True)
        x = Tensor(x.shape, free=x.free, row=-1)
        interp.free_input = x.free
        args, kwargs = _fill_missing(interp, target, args, kwargs)
        missing = [k for k, v in kwargs.items() if isinstance(v, SymbolicObj)]
        if missing:
            interp.note(model.node, f"{model.name}: {', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no "
                                    f"default, so {'it stays' if len(missing) == 1 else 'they stay'} symbolic; "
                                    f"give values with --input-shape '{model.name}(...)=SHAPE'")
        interp.frames.append([])
        if value:
            built = script.build(interp, ctx, model.binding)
        else:
            built = interp.call(target, list(args), kwargs, model.node)
        interp.frames.pop()
    except GiveUp:
        interp.note(model.node, f"{model.name}: gave up building the model after the time budget")
        return ModelRun(model, interp, None)
    except (DeadPath, ReturnSignal, RecursionError):
        interp.note(model.node, f"{model.name}: cannot follow how the model is built")
        return ModelRun(model, interp, None)
    if not is_module(built):
        interp.note(model.node, f"{model.name}: cannot tell which module it builds; its shapes are unknown")
        run = ModelRun(model, interp, None)
        run.unconfirmed = True  # a function that may build a module through helpers: it does not here
        return run
    found, mode_read = len(interp.findings), interp.read_training
    run = _run_forward(ctx, model, interp, built, x)
    run.build_findings = found
    if not mode_read:
        run.built = (built, x, interp.defaults_of)
    return run


def _run_forward(ctx: FileContext, model: ModelDef, interp: Interp, built, x: Tensor) -> ModelRun:
    """forward() of the built model on ``x``."""
    for name, module in named_modules(built):
        interp.names[id(module)] = name
    output: Any = None
    try:
        interp.frames.append([])
        output = interp.call_module(built, [x], {}, model.node)
    except GiveUp:
        interp.note(model.node, f"{model.name}: gave up following forward() after the time budget; "
                                "later shapes are unknown")
    except (DeadPath, ReturnSignal, RecursionError):
        interp.note(model.node, f"{model.name}: forward() does not return normally for this input")
    finally:
        interp.frames = []
    settle_degenerate(interp)
    settle_batch_folds(interp, x, output)
    return ModelRun(model, interp, None, lambda: make_trace(ctx, model, interp, built, x, output))


def settle_degenerate(interp: Interp) -> None:
    """A mismatch that only a degenerate input size avoids (a 2x2 input where a branch is 1x1) is
    an error when the layers of the whole forward accept none of those sizes."""
    from cnnlint.solve import allowed_sizes

    for finding, name, sizes, message in interp.degenerate:
        allowed = allowed_sizes(interp.constraints, {interp.symbol(name)}).get(name)
        if allowed is not None and not set(sizes) & allowed:
            finding.severity, finding.message = None, message


def settle_batch_folds(interp: Interp, x: Tensor, output) -> None:
    """A view that folds pieces of each sample into the batch (CNN201) is deliberate when the
    model's output has the input's batch again: Swin's window partition, undone by its window
    reverse. The warning stays when the output's batch differs, or cannot be told."""
    if not any(f.code == "CNN201" for f in interp.findings):
        return
    batch = x.shape[0] if x.shape else interp.symbol("N")
    outs = [output] if isinstance(output, Tensor) else list(output) if isinstance(output, (tuple, list)) else []
    if outs and all(isinstance(t, Tensor) and t.shape and dims.same(t.shape[0], batch) for t in outs):
        interp.findings[:] = [f for f in interp.findings if f.code != "CNN201"]


def make_trace(ctx: FileContext, model: ModelDef, interp: Interp, root, x: Tensor, output) -> ModelTrace:
    from cnnlint.diagnostics import ModuleNode
    from cnnlint.layers.tree import children_of

    def has_children(module) -> bool:
        return any(c is not None and is_module(c) for c in children_of(module).values())

    rows = []
    interp.trace_rows = [i for i, row in enumerate(interp.rows) if row.module is not root or row.op]
    position = {k: i for i, k in enumerate(interp.trace_rows)}

    def remap(sources):
        return tuple(position.get(s, -2) if s >= 0 else s for s in sources)

    for row in interp.rows:
        if row.op:
            line = ctx.span(row.node).line if row.node is not None and ctx.owns(row.node) else 0
            rows.append(LayerRow("", row.type, line, tuple(row.output) if row.output is not None else None, 0,
                                 depth=row.depth, input=tuple(row.input) if row.input is not None else None,
                                 leaf=True, own_params=0, sources=remap(row.sources), op=True))
            continue
        if row.module is root:
            continue
        module = row.module
        functional = isinstance(module, Layer) and getattr(module, "functional", None)
        if functional:
            params: Any = 0
        elif isinstance(module, Layer) and not module.is_container and not has_children(module):
            params = own_params(module)  # a wrapper (nn.DataParallel) counts its subtree, as a container
        else:
            params = subtree_params(module)
        line = ctx.span(row.node).line if row.node is not None else 0
        kernel = None
        base = module.base_layer if isinstance(module, Obj) else None  # class WSConv(nn.Conv2d)
        kind_of = module if isinstance(module, Layer) and not module.is_container else base
        if kind_of is not None:
            from cnnlint.layers import LAYERS

            spec = LAYERS.get(kind_of.kind)
            if spec is not None and spec.kernel is not None:
                kernel = spec.kernel(kind_of)
        weights = ()
        if isinstance(module, Layer) and getattr(module, "reparam", None):
            from cnnlint.overlays.nn_utils import layer_weights

            weights = layer_weights(module)  # weight_g, weight_v / weight_orig: torchinfo's mult-adds
        if isinstance(module, Obj):
            weights = tuple((name, dims.prod(t.shape) if isinstance(t, Tensor) and t.shape is not None else None)
                            for name, t in module.params)
            if base is not None:
                weights = _base_weights(base) + weights
        rows.append(LayerRow(row.name or "", row.type, line, tuple(row.output) if row.output is not None else None,
                             params, depth=row.depth, kernel=kernel, explain="; ".join(explain_texts(row)),
                             finding=row.finding, input=tuple(row.input) if row.input is not None else None,
                             leaf=bool(functional) or not has_children(module),
                             own_params=0 if functional else own_params(module), weights=weights,
                             sources=remap(row.sources), last=row.last))
    out_shape = None
    if isinstance(output, Tensor):
        out_shape = output.shape
    elif isinstance(output, tuple) and output and isinstance(output[0], Tensor):
        out_shape = output[0].shape
    elif isinstance(output, dict) and output and INCOMPLETE_KEY not in output and \
            isinstance(next(iter(output.values())), Tensor):
        out_shape = next(iter(output.values())).shape  # torchvision's segmentation: {"out": ..., "aux": ...}
    total = count_params(root)
    modules = []
    for name, module in named_modules(root):
        if module is root:
            continue
        kind = module.kind if isinstance(module, Layer) else module.cls.name if isinstance(module, Obj) else "?"
        modules.append(ModuleNode(name, kind, subtree_params(module), own_params(module), not has_children(module)))
    shape = x.shape if not x.free else _free_input(interp, root)
    return ModelTrace(model.name, ctx.path, ctx.span(model.node).line,
                      shape, tuple(rows), out_shape, total,
                      notes=tuple(m for _, m in interp.notes), modules=tuple(modules),
                      constraints=tuple(interp.constraints))


def _base_weights(layer: Layer) -> Tuple[Tuple[str, Any], ...]:
    """The weight and bias a torch layer registers, for a user class derived from it: torch's
    __init__ registers them before the subclass adds its own."""
    from cnnlint.interpret.module_methods import layer_attribute

    out = []
    dropped = getattr(layer, "extra_params", {})
    for name in ("weight", "bias"):
        if f"-{name}" in dropped:  # `self.bias = None` in the subclass: torch unregistered it
            continue
        t = layer_attribute(None, layer, name)
        if isinstance(t, Tensor):
            out.append((name, dims.prod(t.shape) if t.shape is not None else None))
    return tuple(out)


def with_input_sizes(trace: ModelTrace) -> ModelTrace:
    """The trace with ``accepts`` and ``smallest_input`` filled in (a search over input sizes, so
    only done for `cnnlint shapes`)."""
    from dataclasses import replace

    from cnnlint.inputsizes import accepted_inputs

    sizes = accepted_inputs(trace.input, trace.constraints)
    return replace(trace, accepts=sizes.lines, smallest_input=sizes.smallest)


def _free_input(interp: Interp, root) -> Optional[Tuple[Any, ...]]:
    """The input a model with an unconstrained input must take: what its first layer made of it
    ([N, C_in, H, W] before a Conv2d), or None when no layer fixed it."""
    from cnnlint.layers.base import SPATIAL_NAMES

    first = next((r for r in interp.rows if r.module is not root and not getattr(r.module, "is_container", False)
                  and isinstance(r.module, Layer)), None)
    fixed = getattr(interp, "pattern_inputs", {}).get(id(first))
    if fixed is not None:  # an einops pattern fixed the input's rank (overlays/einops.py)
        return fixed
    if first is None or first.input is not None or first.output is None or not isinstance(first.module, Layer):
        return None
    layer = first.module
    rank = len(first.output)
    for arg in ("in_channels", "num_features", "num_channels", "in_features", "normalized_shape"):
        value = layer.value(arg)
        if value is not None:
            break
    if not dims.is_dim(value):
        return None
    batch = interp.symbol("N")
    if "in_features" in layer.args:
        return tuple(first.output[:-1]) + (value,)
    spatial = SPATIAL_NAMES.get(rank - 2)
    if spatial is None or any(not dims.is_symbolic(d) for d in first.output[2:]) and "in_channels" not in layer.args:
        return (batch, value) if rank == 2 else None
    return (batch, value) + tuple(interp.symbol(s) for s in spatial)


MAX_CHAIN = 12  # steps shown from the input to a finding; the middle of a longer chain is elided


def finding_chain(run: ModelRun, finding) -> Tuple[str, ...]:
    """The steps from the model's input to ``finding``: each layer before it that changes the shape,
    with its arithmetic, then the layer that fails and what it receives. Falls back to the finding's
    own lines when the model has no trace."""
    from cnnlint.summary import explain_lines, fmt_shape, reshape_line

    at = getattr(run.interp.findings, "at", {}).get(id(finding))
    trace = run.trace
    if trace is None or at is None:
        return tuple(finding.explain)
    kept = getattr(run.interp, "trace_rows", None)  # interp.rows index of each trace row
    if kept is None:
        return tuple(finding.explain)
    rows = [r for r in trace.layers[:bisect.bisect_left(kept, at)] if r.leaf and not r.op]
    failing = rows[-1] if rows and rows[-1].finding == finding.code else None
    steps = [f"input {fmt_shape(trace.input) if trace.input is not None else '(shape unknown)'}"]
    previous = None
    for row in rows:
        if previous is not None:
            line = reshape_line(previous, row)
            if line:
                steps.append(f"flatten: {line} -> {fmt_shape(row.input)}")
        title = f"{row.name or row.type} ({row.type})" if not row.type.startswith("F.") else row.type
        lines = [x for x in explain_lines(row) if not x.startswith("flatten ")]
        if row is failing:
            steps.append(f"{title} receives {fmt_shape(row.input)}" + (f": {'; '.join(lines)}" if lines else ""))
        elif lines or (row.input is not None and row.output is not None and row.input != row.output):
            steps.append(f"{title}: {'; '.join(lines) + ' -> ' if lines else ''}{fmt_shape(row.output)}")
        if row.output is not None:
            previous = row
    if len(steps) > MAX_CHAIN:
        steps = steps[:2] + [f"... ({len(steps) - MAX_CHAIN + 2} more steps)"] + steps[-(MAX_CHAIN - 3):]
    return tuple(steps)
