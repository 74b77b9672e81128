"""Models that a file's top-level code builds, as scripts and notebooks do: ``net =
nn.Sequential(...)``, ``net = vgg(conv_arch)``, ``model = models.resnet18(); model.fc = ...``.
Each is named by its variable, and takes its input from the code below it that feeds it
(``X = torch.rand(size=(1, 1, 28, 28))`` then ``net(X)``, ``for layer in net: X = layer(X)``,
``summary(net, (1, 28, 28))``).

Only what builds or changes the model is run: its assignment, the later top-level statements
that change it (``net.add_module(...)``, ``net.fc = ...``, ``net[0] = ...``, ``del net[-1]``,
a loop that does these, ``net = net.to(device)``), and the top-level values those use, each as
the code stands at that line. Training loops, optimizers, plotting and prints are never run.
A variable bound anew to another model (``net = nn.Sequential(...)`` twice in a notebook) makes
a second model, named ``net@LINE``.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst

from cnnlint import dims
from cnnlint.abstract.scope import Scope, dotted
from cnnlint.abstract.values import Qual, Tensor, Unknown, _MISSING
from cnnlint.source import TENSOR_MAKERS, FileContext, ModelDef
from cnnlint.interpret.shims import tests_main
from cnnlint.toplevel import Statement, block_statements, walk_ast

# methods that change a module in place (or return it): a statement calling one on the model is
# part of how it is built
CHANGES = frozenset({"add_module", "register_module", "append", "extend", "insert", "apply", "to", "cuda", "cpu",
                     "float", "double", "half", "bfloat16", "type", "requires_grad_", "reset_classifier",
                     "reset_parameters", "set_grad_checkpointing"})
# calls that return the module they are given or are called on: `net = net.to(device)`
SAME_MODULE = frozenset({"to", "cuda", "cpu", "float", "double", "half", "bfloat16", "type", "train", "eval",
                         "requires_grad_"})
# methods that change a list, dict or set in place: `layers.append(...)` at top level
MUTATE = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "popitem",
                    "add", "discard", "sort", "reverse", "__setitem__"}) | CHANGES
SUMMARIES = {"torchinfo.summary": 0, "torchsummary.summary": 2, "torchsummary.torchsummary.summary": 2}


@dataclass(frozen=True)
class ScriptModel:
    """A model variable's binding: the statement that makes it, and the later ones that change it."""
    variable: str
    defined: Statement
    changes: Tuple[Statement, ...]
    end: int  # the last line this binding holds (the line before the variable is bound anew), or a huge number


def _defs_pruned(node) -> bool:
    return type(node) in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _nodes(stmt: Statement):
    for tree in stmt.trees or ((stmt.tree,) if stmt.tree is not None else ()):
        yield from walk_ast(tree, _defs_pruned)


def _root_name(node) -> Optional[str]:
    """`net` for `net`, `net.fc`, `net[0]`, `net.features[3].conv`."""
    while type(node) in (ast.Attribute, ast.Subscript):
        node = node.value
    return node.id if type(node) is ast.Name else None


def _mentions(node, name: str) -> bool:
    return any(type(n) is ast.Name and n.id == name for n in walk_ast(node, _defs_pruned))


def _callee(call: ast.Call) -> Optional[str]:
    """The dotted callee of the call that makes the value: `nn.Sequential` for
    `nn.Sequential(...).to(device)`."""
    while type(call.func) is ast.Attribute and type(call.func.value) is ast.Call and call.func.attr in SAME_MODULE:
        call = call.func.value
    return dotted(call.func)


def _binds(node, name: str) -> Optional[ast.AST]:
    """The value a statement node binds ``name`` to as a whole (`name = value`), else None."""
    if type(node) is ast.Assign and any(type(t) is ast.Name and t.id == name for t in node.targets):
        return node.value
    if type(node) is ast.AnnAssign and type(node.target) is ast.Name and node.target.id == name:
        return node.value
    return None


def _rebinds(stmt: Statement, name: str) -> bool:
    """Whether the statement binds ``name`` to something that is not made from it (a new model,
    or anything else): the binding before it ends there."""
    for node in _nodes(stmt):
        value = _binds(node, name)
        if value is not None and not _mentions(value, name):
            return True
        if type(node) in (ast.For, ast.AsyncFor) and _mentions(node.target, name):
            return True
        if type(node) in (ast.Import, ast.ImportFrom) and any((a.asname or a.name.split(".")[0]) == name
                                                              for a in node.names):
            return True
    return False


def _changes(stmt: Statement, name: str) -> bool:
    """Whether the statement changes the model or binds it to something made from it."""
    for node in _nodes(stmt):
        if type(node) is ast.AugAssign and type(node.target) is ast.Name and node.target.id == name:
            return True
        if _sets_part(node, name, CHANGES):
            return True
        value = _binds(node, name)
        if value is not None and _mentions(value, name):
            return True
    return False


def _sets_part(node, name: str, methods) -> bool:
    """Whether an ast node sets a part of ``name`` (`name.fc = ...`, `name[0] = ...`,
    `del name[-1]`), calls one of ``methods`` on it or a part of it, or `setattr(name, ...)`."""
    if type(node) in (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete):
        targets = node.targets if type(node) in (ast.Assign, ast.Delete) else [node.target]
        return any(type(t) in (ast.Attribute, ast.Subscript) and _root_name(t) == name for t in targets)
    if type(node) is ast.Call:
        if type(node.func) is ast.Attribute and node.func.attr in methods and _root_name(node.func.value) == name:
            return True
        return type(node.func) is ast.Name and node.func.id in ("setattr", "delattr") and bool(node.args) and \
            type(node.args[0]) is ast.Name and node.args[0].id == name
    return False


def _changed_names(stmt: Statement) -> set:
    """The names a top-level statement (not an assignment of the whole name) may change in place:
    `layers.append(...)`, `cfg["width"] = 64`, `sizes += [3]`, a loop that does these."""
    out = set()
    for node in _nodes(stmt):
        if type(node) is ast.Call and type(node.func) is ast.Attribute and node.func.attr in MUTATE:
            root = _root_name(node.func.value)
        elif type(node) in (ast.Assign, ast.AugAssign, ast.Delete):
            for t in (node.targets if type(node) in (ast.Assign, ast.Delete) else [node.target]):
                if type(t) in (ast.Attribute, ast.Subscript) or type(node) is ast.AugAssign:
                    root = _root_name(t)
                    if root:
                        out.add(root)
            continue
        else:
            continue
        if root:
            out.add(root)
    return out


_SCRIPTS: Dict[int, Tuple[object, List[Statement]]] = {}


def script_statements(ctx: FileContext) -> List[Statement]:
    """The file's top level in the order it runs as a script: the body of
    `if __name__ == "__main__":` in place of that statement."""
    layout = ctx.layout
    known = _SCRIPTS.get(id(layout))
    if known is not None and known[0] is layout:
        return known[1]
    out: List[Statement] = []
    for stmt in ctx.statements:
        if stmt.kind == "if" and isinstance(stmt.tree, ast.If) and tests_main(stmt.tree) and not stmt.tree.orelse:
            out.extend(block_statements(layout, stmt.tree.body))
        else:
            out.append(stmt)
    if len(_SCRIPTS) > 64:
        _SCRIPTS.clear()
    _SCRIPTS[id(layout)] = (layout, out)
    return out


def bindings(ctx: FileContext, interp, file_models: Sequence[ModelDef]) -> List[Tuple[str, ScriptModel]]:
    """(model name, binding) for each top-level variable bound to a module built by a call."""
    statements = script_statements(ctx)
    own = {m.name for m in file_models}
    classes = {m.name for m in file_models if m.kind == "class"}
    out: List[Tuple[str, ScriptModel]] = []
    seen: Dict[str, int] = {}
    for i, stmt in enumerate(statements):
        if stmt.kind != "assign" or len(stmt.targets) != 1 or not stmt.targets[0][1]:
            continue
        name = stmt.targets[0][0]
        value = _binds(stmt.tree, name)
        if type(value) is not ast.Call or name in own:
            continue
        callee = _callee(value)
        if callee is None or callee.rsplit(".", 1)[-1].endswith("Loss") or not _makes_module(ctx, interp, callee, own):
            continue
        binding = _binding(ctx, statements, i, name)
        if not binding.changes and (callee in classes or (callee in own and not value.args and not value.keywords)):
            # `net = Net(...)`, `net = resnet18()` and nothing more: the file's class or function
            # is the model, built with these arguments and fed by the code below
            continue
        model = name if name not in seen else f"{name}@{stmt.first}"
        seen[name] = seen.get(name, 0) + 1
        out.append((model, binding))
    return out


def _binding(ctx: FileContext, statements: Sequence[Statement], i: int, name: str) -> ScriptModel:
    """The statements after the i-th that change the model it binds to ``name``, up to the first
    that binds the name anew, or that hands the model to a function whose effect on it cannot be
    told (what follows may hold another model)."""
    changes: List[Statement] = []
    end = 1 << 30
    for later in statements[i + 1:]:
        if later.kind in ("class", "function"):
            if later.name == name:
                end = later.first - 1
                break
            continue
        if _rebinds(later, name):
            end = later.first - 1
            break
        if _changes(later, name):
            changes.append(later)
            continue
        effects = {_effect(ctx, call, name) for call in _handed(later, name)}
        if "unknown" in effects:
            end = later.first - 1
            break
        if "changes" in effects:
            changes.append(later)
    return ScriptModel(name, statements[i], tuple(changes), end)


# functions that take a model and do not change its layers
HARMLESS = frozenset({"print", "len", "id", "type", "isinstance", "repr", "str", "summary", "display", "sum",
                      "list", "iter", "next", "enumerate", "zip", "vars", "dir", "hash", "sorted", "getattr",
                      "hasattr", "deepcopy", "copy", "save", "export", "script", "trace", "count_parameters",
                      "pprint", "format", "DataParallel", "DistributedDataParallel", "compile", "info", "debug",
                      "warning", "write", "add_graph", "watch", "log"})


def _handed(stmt: Statement, name: str):
    """The calls of a statement that are given the model itself as an argument: `train(net, ...)`."""
    for node in _nodes(stmt):
        if type(node) is ast.Call and any(type(a) is ast.Name and a.id == name
                                          for a in list(node.args) + [k.value for k in node.keywords]):
            yield node


def _effect(ctx: FileContext, call: ast.Call, name: str) -> str:
    """What a call the model is handed to does to it: "none", "changes" (a function of this file
    that sets its layers: run it) or "unknown" (a function from elsewhere)."""
    callee = dotted(call.func) or ""
    last = callee.rsplit(".", 1)[-1]
    if last in HARMLESS or callee.startswith(("torch.optim", "optim.", "torch.save", "logging.")):
        return "none"
    if last in ("setattr", "delattr"):
        return "changes"
    fn = ctx.scope.functions.get(callee) if "." not in callee else None
    tree = getattr(getattr(fn, "source", None), "tree", None) if fn is not None else None
    if not isinstance(tree, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return "unknown"
    params = [a.arg for a in tree.args.posonlyargs + tree.args.args + tree.args.kwonlyargs]
    given = [i for i, a in enumerate(call.args) if type(a) is ast.Name and a.id == name]
    given = [params[i] for i in given if i < len(params)] + \
        [k.arg for k in call.keywords if k.arg and type(k.value) is ast.Name and k.value.id == name]
    if any(_sets_layers(tree, p) for p in given):
        return "changes"
    return "none"  # training, evaluation, plotting: it uses the model, never run


def _sets_layers(fn: ast.AST, param: str) -> bool:
    """Whether a function body sets a layer of its parameter: `model.fc = ...`, `model[0] = ...`,
    `model.add_module(...)`, `setattr(model, ...)`."""
    return any(_sets_part(node, param, CHANGES - SAME_MODULE) for node in ast.walk(fn))


def class_fed(interp, ctx: FileContext, class_name: str) -> Optional[Tensor]:
    """The input top-level code gives a model class's (or function's) instance: `net = Net()`,
    then `for layer in net: X = layer(X)` or `summary(net, (3, 32, 32))` (`net(X)` is read by
    source.usage_hints)."""
    statements = script_statements(ctx)
    for i, stmt in enumerate(statements):
        if stmt.kind != "assign" or len(stmt.targets) != 1 or not stmt.targets[0][1]:
            continue
        name = stmt.targets[0][0]
        value = _binds(stmt.tree, name)
        if type(value) is ast.Call and _callee(value) == class_name:
            x = fed(interp, ctx, _binding(ctx, statements, i, name))
            if x is not None:
                return x
    return None


def _makes_module(ctx: FileContext, interp, callee: str, own) -> bool:
    if callee.split(".")[0] in own:
        return True
    return ctx.calls_module_class(interp, callee, library=True)


class ScriptScope(Scope):
    """The file's top level as it stands at one line: a name assigned at top level more than once
    has the value of its last assignment above the line. What the model's own statements bind is
    kept here; the module's scope is not changed."""

    def __init__(self, ctx: FileContext, interp, line: int):
        super().__init__(ctx.scope)
        self.ctx = ctx
        self.interp = interp
        self.line = line
        self.assigned: Dict[str, List[Statement]] = {}
        self.changers: Dict[str, List[Statement]] = {}  # statements that change a name's value in place
        for stmt in script_statements(ctx):
            if stmt.kind == "assign":
                for name, whole in stmt.targets:
                    self.assigned.setdefault(name, []).append(stmt)
            if stmt.kind not in ("class", "function", "import"):
                for name in _changed_names(stmt):
                    self.changers.setdefault(name, []).append(stmt)
        self._values: Dict[Tuple, object] = {}
        self.top = {id(s) for s in ctx.statements}  # the module's scope knows what these assign

    def last_assignment(self, name: str, line: int) -> Optional[Statement]:
        found = None
        for stmt in self.assigned.get(name, ()):
            if stmt.first < line:
                found = stmt
        return found

    def get_local(self, name: str):
        value = self.vars.get(name, _MISSING)
        if value is not _MISSING:
            return value
        assigned = self.assigned.get(name, ())
        if name not in self.changers and (not assigned or (len(assigned) == 1 and id(assigned[0]) in self.top)):
            return value  # assigned once at top level and never changed, or never: the module's scope answers
        stmt = self.last_assignment(name, self.line)
        if stmt is None or not any(n == name and whole for n, whole in stmt.targets):
            return _MISSING if name not in self.changers else Unknown(f"'{name}' is changed before it is assigned")
        # the statements between that assignment and this line that change the value in place
        changes = tuple(c for c in self.changers.get(name, ()) if stmt.first < c.first < self.line)
        key = (name, stmt.first, tuple(c.first for c in changes))
        if key not in self._values:
            self._values[key] = Unknown(f"'{name}' is used in its own definition")
            outer = self.line
            try:
                self.line = stmt.first
                value = self.interp.eval(stmt.value(), self)
                for change in changes:  # replayed in order, the name bound to the value meanwhile
                    self.line = change.first
                    self.vars[name] = value
                    try:
                        self.interp.exec_stmt(change.resolve(), self)
                    finally:
                        value = self.vars.pop(name, value)
                self._values[key] = value
            finally:
                self.line = outer
        return self._values[key]


def build(interp, ctx: FileContext, binding: ScriptModel):
    """The model as the top-level code leaves it: its assignment and the statements that change it,
    run in order."""
    scope = ScriptScope(ctx, interp, binding.defined.first)
    for stmt in (binding.defined,) + binding.changes:
        scope.line = stmt.first
        interp.exec_stmt(stmt.resolve(), scope)
    return scope.vars.get(binding.variable)


def fed(interp, ctx: FileContext, binding: ScriptModel) -> Optional[Tensor]:
    """The input the code below the model gives it, when it is a tensor of known sizes."""
    name = binding.variable
    # the model is built with all its changes: an input given before the last of them met
    # another model
    after = binding.changes[-1].last if binding.changes else binding.defined.first
    for stmt in script_statements(ctx):
        if stmt.first <= after or stmt.kind in ("class", "function"):
            continue
        if stmt.first > binding.end:
            break
        for node in _nodes(stmt):
            given = _feed(ctx, node, name)
            if given is None:
                continue
            if type(node) is ast.Call and type(given[0]) is ast.Name and _binds_inside(stmt, given[0].id):
                continue  # `for X, y in loader: net(X)`: the data's batches, not a tensor the code makes
            x = _tensor(interp, ctx, stmt.first, *given)
            if x is not None:
                return x
    return None


def _feed(ctx: FileContext, node, name: str):
    """(expression, batch to prepend) of the input a node gives the model, or None: `net(X)`,
    `net.forward(X)`, `for layer in net: X = layer(X)`, `summary(net, (1, 28, 28))`."""
    if type(node) is ast.Call and node.args:
        func = node.func
        if (type(func) is ast.Name and func.id == name) or \
                (type(func) is ast.Attribute and func.attr == "forward" and type(func.value) is ast.Name and
                 func.value.id == name):
            return node.args[0], None
        callee = dotted(func)
        if callee is not None and type(node.args[0]) is ast.Name and node.args[0].id == name:
            summary = _summary(ctx, callee)
            if summary is not None:
                size = node.args[1] if len(node.args) > 1 else \
                    next((k.value for k in node.keywords if k.arg == "input_size"), None)
                return (size, summary) if size is not None else None
    if type(node) in (ast.For, ast.AsyncFor) and type(node.target) is ast.Name and \
            type(node.iter) is ast.Name and node.iter.id == name:
        layer = node.target.id
        for inner in node.body:
            for n in walk_ast(inner, _defs_pruned):
                if type(n) is ast.Assign and type(n.value) is ast.Call and type(n.value.func) is ast.Name and \
                        n.value.func.id == layer and n.value.args and type(n.value.args[0]) is ast.Name:
                    return n.value.args[0], None
    return None


def _binds_inside(stmt: Statement, name: str) -> bool:
    """Whether a compound top-level statement binds ``name`` in itself (a loop's target, an
    assignment in its body)."""
    if stmt.kind not in ("compound", "if", "try"):
        return False
    for node in _nodes(stmt):
        if type(node) in (ast.For, ast.AsyncFor, ast.comprehension) and _mentions(node.target, name):
            return True
        if type(node) in (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr) and any(
                _mentions(t, name) for t in (node.targets if type(node) is ast.Assign else [node.target])):
            return True
        if type(node) is ast.withitem and node.optional_vars is not None and _mentions(node.optional_vars, name):
            return True
    return False


def _touches(stmt: Statement, name: str) -> bool:
    """Whether a statement calls an in-place method of ``name`` or sets a part of it
    (`X.unsqueeze_(0)`, `X.resize_(...)`, `X.data = ...`): its shape may change."""
    for node in _nodes(stmt):
        if type(node) is ast.Call and type(node.func) is ast.Attribute and node.func.attr.endswith("_") and \
                not node.func.attr.endswith("__") and _root_name(node.func.value) == name:
            return True
        if type(node) in (ast.Assign, ast.AugAssign) and any(
                type(t) in (ast.Attribute, ast.Subscript) and _root_name(t) == name
                for t in (node.targets if type(node) is ast.Assign else [node.target])):
            return True
    return False


def _summary(ctx: FileContext, callee: str) -> Optional[int]:
    """The batch a summary function puts before its ``input_size`` (0: none, it is given), or None."""
    head = callee.split(".")[0]
    value = ctx.scope.get_local(head)
    if not isinstance(value, Qual):
        return None
    return SUMMARIES.get(value.name + callee[len(head):])


def _tensor(interp, ctx: FileContext, line: int, expr, batch: Optional[int]) -> Optional[Tensor]:
    scope = ScriptScope(ctx, interp, line)
    if batch is not None:  # a summary's input_size: a literal tuple of sizes
        try:
            sizes = ast.literal_eval(expr)
        except (ValueError, TypeError, SyntaxError):
            return None
        if isinstance(sizes, list) and sizes and isinstance(sizes[0], (tuple, list)):
            sizes = sizes[0]
        if not isinstance(sizes, (tuple, list)) or not all(type(d) is int and d > 0 for d in sizes):
            return None
        return Tensor(((batch,) if batch else ()) + tuple(sizes))
    if type(expr) is ast.Name:
        stmt = scope.last_assignment(expr.id, line)
        if stmt is None or not _makes_tensor(_binds(stmt.tree, expr.id)):
            return None
        if any(stmt.first < other.first < line and (_binds_inside(other, expr.id) or _touches(other, expr.id))
               for other in script_statements(ctx)):
            return None  # bound again in a loop or branch, or changed in place: which tensor arrives is not plain
        scope.line = stmt.first
        value = interp.eval(stmt.value(), scope)
    elif _makes_tensor(expr):  # `net(torch.randn(1, 3, 32, 32))`
        value = interp.eval(cst.parse_expression(ast.unparse(expr)), scope)
    else:
        return None
    if isinstance(value, Tensor) and value.shape and all(dims.as_int(d) for d in value.shape):
        return value
    return None


def _makes_tensor(value) -> bool:
    if type(value) is not ast.Call:
        return False
    name = dotted(value.func) or ""
    return name.startswith("torch.") and name.rsplit(".", 1)[-1] in TENSOR_MAKERS


def users(bindings_: Sequence[Tuple[str, ScriptModel]]) -> Dict[str, set]:
    """model name -> the names its statements use (the file's models among them are its parts)."""
    out: Dict[str, set] = {}
    for model, binding in bindings_:
        used = set()
        for stmt in (binding.defined,) + binding.changes:
            used.update(n.id for n in _nodes(stmt) if type(n) is ast.Name)
        used.discard(binding.variable)
        out[model] = used
    return out
