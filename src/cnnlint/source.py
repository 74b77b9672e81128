"""A parsed file: its libcst tree, positions (computed only when something is reported),
its module scope, the models it defines, and the hints it gives about their inputs."""
from __future__ import annotations

import ast
import re
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from cnnlint.abstract.scope import dotted
from cnnlint.abstract.values import Qual, UserClass
from cnnlint.diagnostics import Span
from cnnlint.interpret import imports
from cnnlint.interpret.modulescope import ModuleScope
from cnnlint.nodes import walk
from cnnlint.toplevel import Layout, Statement, defines, walk_ast

INPUT_COMMENT = re.compile(r"#\s*cnnlint:\s*input-shape\s*=\s*([^\s#]+)")
TENSOR_MAKERS = {"randn", "rand", "zeros", "ones", "empty", "randint", "full"}


@dataclass(frozen=True)
class ModelDef:
    name: str
    kind: str  # "class" | "function" | "value" (a top-level variable: script.py)
    statement: Statement  # its top-level statement, parsed when the model is run
    confirm: bool = False  # a function that may build a module through helpers: a model if its run does
    binding: Any = None  # kind "value": the top-level code that builds it (script.ScriptModel)

    @property
    def node(self) -> cst.CSTNode:
        return self.statement.resolve()


# path -> the last Layout made of its text: a file checked and also imported by another checked
# file (resnet.py by the detection models) is cut and built once. Layouts hold only what the text
# says, never what a run made of it, so two FileContexts can share one.
_LAYOUTS: Dict[str, Layout] = {}
LAYOUTS_KEPT = 64


def layout_of(source: str, path: str) -> Layout:
    known = _LAYOUTS.get(path)
    if known is not None and known.source == source:
        return known
    layout = Layout(source, path)
    if path:
        _LAYOUTS.pop(path, None)
        while len(_LAYOUTS) >= LAYOUTS_KEPT:
            del _LAYOUTS[next(iter(_LAYOUTS))]
        _LAYOUTS[path] = layout
    return layout


class FileContext:
    def __init__(self, path: str, source: str):
        self.path = path
        self.source = source
        self.layout = layout_of(source, path)  # raises SyntaxError (or libcst's) when it cannot be parsed
        from cnnlint.interpret.core import Interp

        self.import_cache: dict = {}
        # (code, line) of an error: a model's run that reports it again stops there (repair.py
        # checks an edit so: one after which the error comes back is rejected at once)
        self.stop_at: Optional[Tuple[str, int]] = None
        self.scope = ModuleScope(self.layout.statements, lambda: Interp(self), path=path, ctx=self)

    @property
    def statements(self) -> List[Statement]:
        return self.layout.statements

    # positions ----------------------------------------------------------------------------
    def span(self, node: Optional[cst.CSTNode], near: Optional[cst.CSTNode] = None) -> Span:
        """Where ``node`` is. ``near``: a function definition that likely holds it, looked in first."""
        if node is None:
            return Span(1, 1, 1, 1)
        pos = self._near(node, near) if near is not None else None
        if pos is None:
            pos = self._find(node)
        if pos is None:
            return Span(1, 1, 1, 1)
        return Span(pos.start.line, pos.start.column + 1, pos.end.line, pos.end.column + 1)

    def owns(self, node) -> bool:
        return id(node) in self.layout.ranges or self._holder(node) is not None or \
            any(n is node for n, _ in self.layout.stand_ins)

    def _find(self, node):
        """node -> CodeRange (what libcst's PositionProvider gives), from the parsed piece that
        holds it; each piece's positions come from one lean code generation pass. A node built
        from the ast has its range from there."""
        built = self.layout.ranges.get(id(node))
        if built is not None:
            from libcst._position import CodePosition, CodeRange

            return CodeRange(CodePosition(built[0], built[1]), CodePosition(built[2], built[3]))
        for stand_in, stmt in self.layout.stand_ins:
            if stand_in is node:
                return _line_range(stmt.first, stmt.last, self.layout)
        piece = self.layout.roots.get(id(node))
        if piece is not None and type(piece.tree) in (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef):
            return _ast_range(piece.tree, self.layout)  # a whole definition: no code generation
        where = self._holder(node)
        return where[0].position(node, where[1]) if where is not None else None

    def _near(self, node, near):
        """The position of ``node`` if the top-level function or class-body statement ``near``
        holds it: only that one is generated, and no piece is walked."""
        layout = self.layout
        if id(node) in layout.ranges:
            return self._find(node)
        piece = layout.roots.get(id(near))
        if piece is not None:
            return piece.positions().get(node)
        if layout.members_listed < len(layout.pieces):
            for p in layout.pieces[layout.members_listed:]:
                root = p.module.body[0] if p.module.body else None
                if type(root) is cst.ClassDef and type(root.body) is cst.IndentedBlock:
                    for i, member in enumerate(root.body.body):
                        layout.members_of[id(member)] = (p, i)
            layout.members_listed = len(layout.pieces)
        where = layout.members_of.get(id(near))
        return where[0].position(node, where[1]) if where is not None else None

    def _holder(self, node):
        """(piece, index of the class-body statement or None) that holds ``node``, or None."""
        layout = self.layout
        piece = layout.roots.get(id(node))
        if piece is not None:
            return piece, None
        # a walk over the pieces not yet indexed: far cheaper than the code generation that
        # positions need, which then runs for that piece, or for the one method of a class
        # that holds the node, alone
        key = id(node)
        found = layout.holder.get(key)
        while found is None and layout.indexed < len(layout.pieces):
            layout.pieces[layout.indexed].index(layout.holder)
            layout.indexed += 1
            found = layout.holder.get(key)
        return found

    # models -------------------------------------------------------------------------------
    def models(self, interp) -> List[ModelDef]:
        from cnnlint.abstract.classes import torch_base

        from cnnlint.interpret.signals import GiveUp

        from cnnlint.factories import Factories

        factories = Factories(self, interp)
        found: List[ModelDef] = []
        for stmt in self.statements:
            try:
                if stmt.kind == "class":
                    cls = self.scope.classes.get(stmt.name)
                    if cls is None:
                        continue
                    base = torch_base(interp, cls)
                    if base is not None or (_defines(stmt, "forward") and _external_base(interp, cls)):
                        found.append(ModelDef(cls.name, "class", stmt))
                elif stmt.kind == "function" and self._returns_module(interp, stmt):
                    found.append(ModelDef(stmt.name, "function", stmt))
                elif stmt.kind == "function" and (self._returns_module(interp, stmt, library=True) or
                                                  factories.is_candidate(stmt.name,
                                                                         lambda s: self._returns_module(interp, s))):
                    found.append(ModelDef(stmt.name, "function", stmt, confirm=True))
            except GiveUp:
                # evaluating a name the definition uses (a module-level `X = Build()`) ran out of
                # budget: not a model we can follow; give the next definition a fresh budget
                interp.steps = 0
                interp.started = time.monotonic()
        return found

    def _returns_module(self, interp, stmt: Statement, library: bool = False) -> bool:
        """Whether a function returns an nn.Module it builds: `return Net()`, `m = nn.Conv2d(...); return m`;
        with ``library``, also a call into a library installed in the environment
        (`models.vgg16()`), which the interpreter then confirms."""
        def makes_module(what) -> bool:
            if what is None:
                return False
            kind, name = what
            if kind == "name":
                return built.get(name, False)
            return self.calls_module_class(interp, name, library)

        built: Dict[str, bool] = {}
        if _annotated_module(stmt):
            return True  # `def build_model(name) -> nn.Module:` says so itself
        result = False
        for targets, what in _assigns_and_returns(stmt):
            if targets is None:
                result = result or makes_module(what)
            else:
                for name in targets:
                    if makes_module(what):
                        built[name] = True
        return result

    def calls_module_class(self, interp, name: str, library: bool = False) -> bool:
        """Whether calling the dotted ``name`` builds an nn.Module: a torch.nn class, a module
        class of this file (or its classmethod), or with ``library`` a name of an installed
        library, which the interpreter then confirms."""
        from cnnlint.abstract.classes import torch_base

        head = name.split(".")[0]
        lazy = self.scope.lazy.get(head)
        if isinstance(lazy, Statement) and lazy.displays_value():
            return False  # `TABLE = {...}`: no class to call
        value = self.scope.get_local(head) if head in self.scope.vars or head in self.scope.lazy else None
        if isinstance(value, Qual):
            full = value.name + name[len(head):]
            if library and value.origin and imports.installed(full.split(".")[0], value.origin):
                return True
            return full.startswith("torch.nn.") and full.rsplit(".", 1)[1][:1].isupper()
        if isinstance(value, UserClass) and "." not in name:
            return torch_base(interp, value) is not None
        if isinstance(value, UserClass) and name.count(".") == 1:
            # `Net.from_config(cfg)`: a classmethod of a module class builds one
            return _is_classmethod(value, name.split(".")[1]) and torch_base(interp, value) is not None
        return False

    def references(self, names, ignore=()) -> Dict[str, int]:
        """How often each of ``names`` (top-level classes and functions) is used inside other
        definitions (not in tests or the __main__ block, nor in the definitions named in
        ``ignore``): a model another model uses is a component, not a root."""
        counts: Dict[str, int] = {}
        wanted = set(names)
        if not wanted:
            return counts
        mention = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(wanted)) + r")\b")
        for stmt in self.statements:
            if stmt.name and stmt.name in ignore or mention.search(stmt.text()) is None:
                continue
            for name in _names_used(stmt, mention):
                if name in wanted:
                    counts[name] = counts.get(name, 0) + 1
        return counts

    def block_names(self, models) -> set:
        """The models another model class of the file builds: a name its methods use (its base
        classes are not a use), directly or through top-level helper functions. Such a block
        gets its arguments from its callers; its own defaults alone build no model anyone runs."""
        names = {m.name for m in models}
        classes = {m.name for m in models if m.kind == "class"}
        uses: Dict[str, set] = {}
        for stmt in self.statements:
            tree = stmt.tree
            if stmt.kind not in ("class", "function") or tree is None or _is_test_name(stmt.name):
                continue
            body = tree.body if stmt.kind == "class" else [tree]
            used = set()
            for part in body:
                for node in ast.walk(part):
                    if type(node) is ast.Name:
                        used.add(node.id)
                    elif type(node) is ast.Attribute:
                        used.add(node.attr)
            used.discard(stmt.name)
            uses[stmt.name] = used
        blocks: set = set()
        todo = [n for n in classes if n in uses]
        seen = set(todo)
        while todo:
            user = todo.pop()
            for name in uses.get(user, ()):
                if name in names:
                    blocks.add(name)
                if name in uses and name not in seen and name not in classes:  # a helper function
                    seen.add(name)
                    todo.append(name)
        return blocks

    # hints about inputs --------------------------------------------------------------------
    def comment_input(self, model: ModelDef) -> Optional[str]:
        if INPUT_COMMENT.search(self.source) is None:  # no such comment: no positions needed
            return None
        line = self.span(model.node).line
        lines = self.source.splitlines()
        for i in (line - 1, line - 2):
            if 0 <= i < len(lines):
                m = INPUT_COMMENT.search(lines[i])
                if m:
                    return m.group(1)
        return None

    def usage_hints(self, model_name: str) -> Tuple[Optional[cst.Call], Optional[cst.Call]]:
        """(constructor call, input-tensor call) from the file's own test code:
        ``net = VGG('VGG11'); x = torch.randn(2, 3, 32, 32); y = net(x)``."""
        ctor: Optional[cst.Call] = None
        for block in self._usage_blocks(model_name):
            models: Dict[str, Optional[cst.Call]] = {}  # name -> our model's constructor call, or None
            tensors: Dict[str, cst.Call] = {}
            for stmt in block:
                # calls first, with the bindings as they stand before this statement...
                for node in walk(stmt):
                    if type(node) is not cst.Call or not node.args:
                        continue
                    first = node.args[0].value
                    if type(first) is cst.Name:
                        given = tensors.get(first.value)
                    elif type(first) is cst.Call and _makes_tensor(first):
                        given = first  # net(torch.randn(2, 3, 32, 32))
                    else:
                        continue
                    if given is None:
                        continue
                    if type(node.func) is cst.Name and models.get(node.func.value) is not None:
                        return models[node.func.value], given
                    if type(node.func) is cst.Call and _calls(node.func, model_name):
                        return node.func, given
                # ...then what the statement binds
                for node in walk(stmt):
                    if type(node) is not cst.Assign or len(node.targets) != 1:
                        continue
                    target = node.targets[0].target
                    if type(target) is not cst.Name:
                        continue
                    name, value = target.value, node.value
                    models.pop(name, None)
                    tensors.pop(name, None)
                    if type(value) is cst.Call:
                        fname = dotted(value.func) or ""
                        if _calls(value, model_name):
                            models[name] = value
                            ctor = ctor or value
                        elif _makes_tensor(value):
                            tensors[name] = value
                        elif type(value.func) in (cst.Name, cst.Attribute) and fname[:1].isupper():
                            models[name] = None  # another model now holds this name
        return ctor, None

    def _usage_blocks(self, model_name: str):
        # a block gives hints only if it calls the model: `Net(`, `models.Net (`
        calls = re.compile(r"\b" + re.escape(model_name) + r"\s*\(")

        def mentions(stmt: Statement) -> bool:
            return calls.search(stmt.text()) is not None

        for stmt in self.statements:
            if stmt.kind == "if" and _tests_name(stmt) and mentions(stmt):
                yield list(stmt.resolve().body.body)
            elif stmt.kind == "function" and _is_test_name(stmt.name) and mentions(stmt):
                yield list(stmt.resolve().body.body)
        simple = [s for s in self.statements if s.kind in ("assign", "import", "simple", "inert")]
        if any(mentions(s) for s in simple):
            yield [s.resolve() for s in simple]


imports.set_reader(FileContext)  # files reached through imports are read as this one is


def _makes_tensor(call: cst.Call) -> bool:
    fname = dotted(call.func) or ""
    return fname.split(".")[-1] in TENSOR_MAKERS and fname.startswith("torch")


def _calls(call: cst.Call, model_name: str) -> bool:
    fname = dotted(call.func) or ""
    return fname == model_name or fname.endswith("." + model_name)


def _is_test_name(name: str) -> bool:
    n = name.lower()
    return n.startswith("test") or n in ("main", "demo", "run", "example", "_test")


def _defines(stmt: Statement, name: str) -> bool:
    return stmt.tree is not None and defines(stmt.tree, name)


def _tests_name(stmt: Statement) -> bool:
    """`if __name__ == "__main__":`"""
    return stmt.tree is not None and any(
        (type(n) is ast.Name and n.id == "__name__") or (type(n) is ast.Constant and n.value == "__name__")
        for n in ast.walk(stmt.tree.test))


def _is_classmethod(cls: UserClass, name: str) -> bool:
    """Whether the class body defines ``name`` with @classmethod (read from the ast when the
    class is not parsed yet)."""
    source = cls.source
    tree = getattr(source, "tree", None)
    if isinstance(tree, ast.ClassDef):
        return any(type(s) in (ast.FunctionDef, ast.AsyncFunctionDef) and s.name == name and
                   any(dotted(d) == "classmethod" for d in s.decorator_list) for s in tree.body)
    node = cls.node
    return any(type(s) is cst.FunctionDef and s.name.value == name and
               any(dotted(d.decorator) == "classmethod" for d in s.decorators)
               for s in getattr(node.body, "body", ()))


def _annotated_module(stmt: Statement) -> bool:
    """A function annotated to return `nn.Module` (or `torch.nn.Module`, or that in quotes)."""
    returns = getattr(stmt.tree, "returns", None)
    if returns is None:
        return False
    name = returns.value if type(returns) is ast.Constant and isinstance(returns.value, str) else dotted(returns)
    return name in ("nn.Module", "torch.nn.Module", "Module")


def _assigns_and_returns(stmt: Statement):
    """(assigned names, value) for each `x = call(...)` and (None, value) for each `return ...` in a
    function, in source order, nested definitions left out. value: ("call", dotted name of the
    callee), ("name", a name) or None."""
    fn = stmt.tree
    if fn is None:
        return

    def what(expr):
        if type(expr) is ast.Call:
            name = dotted(expr.func)
            return None if name is None else ("call", name)
        if type(expr) is ast.Name:
            return ("name", expr.id)
        return None

    prune = lambda n: (type(n) in (ast.FunctionDef, ast.AsyncFunctionDef) and n is not fn) or \
        type(n) is ast.ClassDef  # noqa: E731
    for node in walk_ast(fn, prune):
        if type(node) is ast.Assign:
            yield [t.id for t in node.targets if type(t) is ast.Name], what(node.value)
        elif type(node) is ast.Return and node.value is not None:
            yield None, what(node.value)


# strings and comments: what is left of a definition's text is its code
_NOT_CODE = re.compile(r"""[rRbBuUfF]{0,2}(?:'\'\'(?:\\[\s\S]|[^\\])*?'\'\'|\"\"\"(?:\\[\s\S]|[^\\])*?\"\"\"|"""
                       r"""'(?:\\[\s\S]|[^'\\\n])*'|"(?:\\[\s\S]|[^"\\\n])*")|\#[^\n]*""")


def _names_used(stmt: Statement, mention: "re.Pattern[str]"):
    """Which of the names ``mention`` finds a top-level definition uses (its own name left out),
    in its code, strings and comments left out; and the names listed in a top-level
    `X = [...]`/`{...}`/`(...)`; test functions count for nothing."""
    if stmt.tree is None:
        return
    if stmt.kind in ("class", "function"):
        if stmt.kind == "function" and _is_test_name(stmt.name):
            return
        code = _NOT_CODE.sub(" ", stmt.text())
        yield from (n for n in mention.findall(code) if n != stmt.name)
    elif type(stmt.tree) is ast.Assign and type(stmt.tree.value) in (ast.Dict, ast.List, ast.Tuple):
        yield from (n.id for n in ast.walk(stmt.tree.value) if type(n) is ast.Name)


def _ast_range(tree, layout: Layout):
    """The range libcst gives a top-level class or function (from `class`/`def` to the end of
    its last statement), from its ast: ast counts columns in UTF-8 bytes, libcst in characters."""
    from libcst._position import CodePosition, CodeRange

    def column(line: int, offset: int) -> int:
        text = layout.lines_text(line, line).encode("utf-8")
        return len(text[:offset].decode("utf-8", "replace"))

    return CodeRange(CodePosition(tree.lineno, column(tree.lineno, tree.col_offset)),
                     CodePosition(tree.end_lineno, column(tree.end_lineno, tree.end_col_offset)))


def _line_range(first: int, last: int, layout: Layout):
    from libcst._position import CodePosition, CodeRange

    starts = layout.line_starts()
    end = (starts[last] if last < len(starts) else len(layout.source)) - starts[last - 1]
    return CodeRange(CodePosition(first, 0), CodePosition(last, max(0, end - 1)))


def _external_base(interp, cls: UserClass) -> bool:
    from cnnlint.abstract.classes import bases

    for b in bases(interp, cls):
        if isinstance(b, Qual) and not b.name.startswith(("torch", "typing", "abc", "object")):
            return True
        if isinstance(b, UserClass) and _external_base(interp, b):
            return True
    return False


