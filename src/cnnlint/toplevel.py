"""A file's top-level statements, each turned into libcst nodes only when the analysis first
needs it.

Python's own parser (`ast`, written in C) cuts the file into its top-level statements. Most of
a model file is never looked at: weight tables, factory functions of other models, training
scripts. A statement becomes libcst nodes when a name it defines is used: built from its ast by
fromast.py, or, for a construct the builder does not know, parsed by libcst on its own. Each
keeps the line it starts on, so positions stay those of the file.

When `ast` rejects the file, libcst parses all of it at once: its error message is the one
reported.
"""
from __future__ import annotations

import ast
import re
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from cnnlint.abstract.values import Deferred

NEWLINE = re.compile(r"\r\n?|\n")
COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, ast.FunctionDef,
            ast.AsyncFunctionDef, ast.ClassDef) + ((ast.Match,) if hasattr(ast, "Match") else ()) + (
    (ast.TryStar,) if hasattr(ast, "TryStar") else ())
UNPARSED = "__cnnlint_unparsed__"  # a name that evaluates to Unknown: what a piece libcst rejects stands for


def parse_module(text: str) -> cst.Module:
    """``libcst.parse_module``, without running each new node's validation: the parser only
    makes valid trees, and checking them again costs a sixth of the parse (libcst's own code
    notes that validation belongs to trees built by hand)."""
    from libcst._nodes.base import CSTNode

    check = CSTNode.__post_init__
    CSTNode.__post_init__ = _unchecked  # type: ignore[assignment]
    try:
        return cst.parse_module(text)
    finally:
        CSTNode.__post_init__ = check  # type: ignore[assignment]


def _unchecked(self) -> None:
    pass


class Piece:
    """One libcst parse: a module made of some lines of the file, starting at line ``first``.
    ``tree``: the ast of its statement, which tells where each statement of a class body starts.
    ``done``: code generations already made of this module (for the whole module under the key
    None, for one class-body statement under its index), shared by the pieces that reuse it."""

    __slots__ = ("module", "first", "tree", "done", "_positions", "_members")

    def __init__(self, module: cst.Module, first: int, tree: Any = None, done: Optional[Dict[Any, Any]] = None):
        self.module = module
        self.first = first
        self.tree = tree
        self.done = {} if done is None else done
        self._positions = None
        self._members: Dict[int, Any] = {}

    def positions(self):
        """Positions of all its nodes."""
        if self._positions is None:
            from cnnlint.nodes import _positions

            made = self.done.get(None)
            if made is None:
                made = self.done[None] = _positions(self.module)
            self._positions = made.moved(self.first - 1)
        return self._positions

    def index(self, holder: Dict[int, Tuple["Piece", Optional[int]]]) -> None:
        """Record, for each of its nodes, this piece and which statement of a class body holds it."""
        from cnnlint.nodes import walk

        starts = self._member_starts()
        if starts is None:
            for n in walk(self.module):
                holder[id(n)] = (self, None)
            return
        body = self.module.body[0].body
        for n in walk(self.module, lambda n: n is body):
            holder[id(n)] = (self, None)
        for i, member in enumerate(body.body):
            for n in walk(member):
                holder[id(n)] = (self, i)

    def position(self, node: Any, member: Optional[int]):
        """The CodeRange of ``node``: from a code generation of the class-body statement that
        holds it alone (a method, not the whole class) when ``member`` is given."""
        if member is None or self._positions is not None:
            return self.positions().get(node)
        found = self._members.get(member)
        if found is None:
            from cnnlint.nodes import _positions

            body = self.module.body[0].body
            stmt = body.body[member]
            made = self.done.get(member)
            if made is None:
                made = self.done[member] = _positions(self.module, 0, stmt, body.indent)
            first = self._member_starts()[member] - len(stmt.leading_lines)  # type: ignore[index]
            found = self._members[member] = made.moved(first - 1)
        return found.get(node)

    def _member_starts(self) -> Optional[List[int]]:
        """The first line of each statement of a class's body (decorators included), or None when
        this is not a class whose body ast and libcst agree on."""
        root = self.module.body[0] if self.module.body else None
        if type(root) is not cst.ClassDef or type(root.body) is not cst.IndentedBlock or \
                not isinstance(self.tree, ast.ClassDef):
            return None
        starts: List[int] = []
        end = 0
        for node in self.tree.body:
            if starts and _first_line(node) <= end:
                end = max(end, node.end_lineno or node.lineno)
                continue
            starts.append(_first_line(node))
            end = node.end_lineno or node.lineno
        return starts if len(starts) == len(root.body.body) else None


class Statement(Deferred):
    """One top-level statement (or one line of `a = 1; b = 2`).

    ``kind``: "class", "function", "assign" (names bound by plain assignment), "import",
    "if", "try", "simple" (another simple statement line that binds names), "inert" (a simple
    statement line that binds none) or "compound"."""

    __slots__ = ("file", "kind", "name", "first", "last", "tree", "trees", "targets", "_node", "_header", "error")

    def __init__(self, file: "Layout", kind: str, name: str, first: int, last: int, tree: Any = None,
                 targets: Tuple[Tuple[str, bool], ...] = (), node: Any = None, trees: Tuple[Any, ...] = ()):
        self.file = file
        self.kind = kind
        self.name = name
        self.first = first
        self.last = last
        self.tree = tree  # the ast node (the first one of a line of several)
        self.trees = trees  # all of them
        self.targets = targets  # for "assign": (name, whether it alone is bound to the value)
        self._node = node
        self._header = None
        self.error: Optional[str] = None  # why libcst could not parse it

    @property
    def parsed(self) -> bool:
        return self._node is not None

    def text(self) -> str:
        return self.file.lines_text(self.first, self.last)

    def size(self) -> int:
        return self.last - self.first + 1

    def displays_value(self) -> bool:
        """For an "assign": whether the value is a literal or comprehension (never a class)."""
        value = getattr(self.tree, "value", None)
        return isinstance(value, (ast.Dict, ast.List, ast.Tuple, ast.Set, ast.Constant, ast.JoinedStr,
                                  ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp))

    def literal(self) -> Any:
        """For an "assign" of a list or tuple of plain constants (a table of class names): the
        Python value, read from the ast without building libcst nodes; None otherwise."""
        value = getattr(self.tree, "value", None)
        if not isinstance(value, (ast.List, ast.Tuple)) or \
                not all(type(e) is ast.Constant and type(e.value) in (str, int, float) for e in value.elts):
            return None
        items = [e.value for e in value.elts]
        return items if isinstance(value, ast.List) else tuple(items)

    def resolve(self) -> Any:
        """The libcst statement: built from its ast (fromast.py), or parsed by libcst when the
        builder does not know one of its constructs."""
        if self._node is None:
            built = self.file.build(lambda b: b.statement_line(list(self.trees))) if BUILD and self.trees else None
            self._node = built if built is not None else self._parse(self.text())
        return self._node

    def header(self) -> Any:
        """For a class: a ClassDef with its decorators, name and bases and an empty body, cheaper
        to build (or parse) than a long body that only the class's bases are wanted of."""
        if self._node is not None:
            return self._node
        if self._header is None and BUILD and type(self.tree) is ast.ClassDef:
            self._header = self.file.build(lambda b: b.class_header(self.tree))
        if self._header is None:
            tree = self.tree
            body_line = tree.body[0].lineno if tree.body else self.last + 1
            head_end = max([tree.lineno] + [getattr(n, "end_lineno", None) or n.lineno
                                            for n in (*tree.bases, *tree.keywords)])
            if body_line <= head_end or body_line - 1 < self.first:
                return self.resolve()
            text = self.file.lines_text(self.first, body_line - 1)
            if not text.endswith(("\n", "\r")):
                text += "\n"
            self._header = self._parse(text + " pass\n", quiet=True)
            if self._header is None:
                return self.resolve()
        return self._header

    def value(self) -> Any:
        """For an "assign": the assigned expression."""
        node = self.resolve()
        if type(node) is cst.SimpleStatementLine and len(node.body) == 1:
            small = node.body[0]
            if type(small) in (cst.Assign, cst.AnnAssign) and small.value is not None:
                return small.value
        return cst.Name(UNPARSED)

    def _parse(self, text: str, quiet: bool = False) -> Any:
        key = (self.file.path, text)
        try:
            module, done = _parsed.get(key) or (None, None)
            if module is None:
                module, done = parse_module(text), {}
                _remember(key, (module, done))
        except (cst.ParserSyntaxError, RecursionError, MemoryError) as e:
            if quiet:
                return None
            # valid Python (ast took it) that libcst cannot read: it stands for something unknown
            self.error = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            return self._stand_in()
        if not module.body:
            return self._stand_in()
        piece = Piece(module, self.first, self.tree if not quiet else None, done)
        self.file.pieces.append(piece)
        self.file.roots[id(module.body[0])] = piece
        return module.body[0]

    def _stand_in(self) -> Any:
        if self.kind == "class":
            text = f"class {self.name}({UNPARSED}):\n    pass\n"
        elif self.kind == "function":
            text = f"def {self.name}(*args, **kwargs):\n    return {UNPARSED}\n"
        else:
            text = "pass\n"
        node = cst.parse_module(text).body[0]
        self.file.stand_ins.append((node, self))
        return node


# Statements are built from their ast (fromast.py); False: parsed by libcst, as for the statements
# the builder does not know.
BUILD = True

# (path, text) -> (libcst module, its code generations), for the statements of files checked
# again: the language server re-checks a file on every edit, and most of its statements are as
# they were. Off in a one-shot run, where no file is checked twice.
REUSE = False
_parsed: Dict[Tuple[str, str], Tuple[cst.Module, Dict[Any, Any]]] = {}  # see Piece.done
_PARSED_CHARS = 2_000_000  # of source text kept (some 50,000 lines)
_kept = 0


def _remember(key: Tuple[str, str], value: Tuple[cst.Module, Dict[Any, Any]]) -> None:
    global _kept
    if not REUSE:
        return
    while _parsed and _kept + len(key[1]) > _PARSED_CHARS:
        oldest = next(iter(_parsed))
        _kept -= len(oldest[1])
        del _parsed[oldest]
    _parsed[key] = value
    _kept += len(key[1])


class Layout:
    """The file's top-level statements and the libcst pieces parsed so far."""

    def __init__(self, source: str, path: str = ""):
        self.source = source
        self.path = path
        self.pieces: List[Piece] = []
        self.stand_ins: List[Tuple[Any, Statement]] = []  # (stand-in node, statement libcst rejected)
        self.roots: Dict[int, Piece] = {}  # id of a parsed top-level statement -> its piece
        self.holder: Dict[int, Tuple[Piece, Optional[int]]] = {}  # see Piece.index
        self.indexed = 0
        self.members_of: Dict[int, Tuple[Piece, int]] = {}  # id of a class-body statement -> where
        self.members_listed = 0  # how many of the pieces members_of covers
        self._starts: Optional[List[int]] = None
        self.ranges: Dict[int, Tuple[int, int, int, int]] = {}  # of the nodes built from the ast
        self._ascii = source.isascii()
        rejected: Optional[SyntaxError] = None
        try:
            tree = compile(source, "<cnnlint>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        except SyntaxError as e:
            tree, rejected = None, e
        except (ValueError, RecursionError, MemoryError, OverflowError):
            tree = None
        if tree is None:
            try:
                module = parse_module(source)  # newer syntax than this Python's, which libcst reads
            except cst.ParserSyntaxError:
                if rejected is not None:
                    raise rejected  # Python's own message and place: "'(' was never closed"
                raise
            self.pieces.append(Piece(module, 1))
            self.statements = [_from_cst(self, stmt) for stmt in module.body]
        else:
            self.statements = _group(self, tree.body)

    def build(self, make) -> Any:
        """``make(builder)``: libcst nodes built from the ast, their ranges kept in ``ranges``;
        None when the builder meets a construct it does not know."""
        from cnnlint import fromast

        from libcst._nodes.base import CSTNode

        ranges: Dict[int, Tuple[int, int, int, int]] = {}
        check = CSTNode.__post_init__
        CSTNode.__post_init__ = _unchecked  # type: ignore[assignment]  # as in parse_module
        try:
            made = make(fromast.Builder(ranges, self.line_text, self._ascii))
        except Exception:  # fromast.Unsupported, or deeper than the stack: libcst parses it
            return None
        finally:
            CSTNode.__post_init__ = check  # type: ignore[assignment]
        if not self.ranges:
            fromast.BUILT_IN.add(self)
        self.ranges.update(ranges)
        return made

    def line_text(self, line: int) -> str:
        return self.lines_text(line, line)

    def range_text(self, r: Tuple[int, int, int, int]) -> str:
        """The source text of a (line, column, end line, end column) range."""
        starts = self.line_starts()
        return self.source[starts[r[0] - 1] + r[1]:starts[r[2] - 1] + r[3]]

    def line_starts(self) -> List[int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in NEWLINE.finditer(self.source)]
        return self._starts

    def lines_text(self, first: int, last: int) -> str:
        starts = self.line_starts()
        end = starts[last] if last < len(starts) else len(self.source)
        return self.source[starts[first - 1]:end]


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None)
    return min([node.lineno] + [d.lineno for d in decorators]) if decorators else node.lineno


def block_statements(layout: Layout, body: List[ast.stmt]) -> List[Statement]:
    """The statements of a block inside the file (the body of `if __name__ == "__main__":`), as
    top-level ones are: each built into libcst nodes when first used."""
    return _group(layout, body)


def _group(layout: Layout, body: List[ast.stmt]) -> List[Statement]:
    """One Statement per line range: `a = 1; b = 2` is one libcst statement line."""
    groups: List[List[ast.stmt]] = []
    for node in body:
        if groups and _first_line(node) <= groups[-1][-1].end_lineno:
            groups[-1].append(node)
        else:
            groups.append([node])
    out = []
    for group in groups:
        head = group[0]
        first, last = _first_line(head), max(n.end_lineno for n in group)
        kind, name, targets = _kind(group)
        out.append(Statement(layout, kind, name, first, last, head, targets, trees=tuple(group)))
    return out


def _kind(group: List[ast.stmt]) -> Tuple[str, str, Tuple[Tuple[str, bool], ...]]:
    head = group[0]
    if len(group) == 1:
        if isinstance(head, ast.ClassDef):
            return "class", head.name, ()
        if isinstance(head, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return "function", head.name, ()
        if isinstance(head, ast.If):
            return "if", "", ()
        if isinstance(head, ast.Try) or type(head).__name__ == "TryStar":
            return "try", "", ()
        targets = _assigned(head)
        if targets is not None:
            return "assign", "", targets
    if isinstance(head, COMPOUND):
        return "compound", "", ()
    if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in group):
        return "import", "", ()
    if any(isinstance(n, (ast.Assign, ast.AnnAssign)) or _calls_method(n) for n in group):
        return "simple", "", ()  # names to declare: `a = 1; b = 2`, `parser.add_argument(...)`
    return "inert", "", ()  # nothing a model could use: `main()`, `print(...)`, `del x`


def _calls_method(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and \
        isinstance(node.value.func, ast.Attribute) and isinstance(node.value.func.value, ast.Name)


def _assigned(node: ast.stmt) -> Optional[Tuple[Tuple[str, bool], ...]]:
    """(name, bound to the whole value) for `x = ...`, `x: T = ...`, `a, b = ...`."""
    if isinstance(node, ast.AnnAssign):
        if node.value is None or not isinstance(node.target, ast.Name):
            return None if node.value is None else ()
        return ((node.target.id, True),)
    if not isinstance(node, ast.Assign):
        return None
    out: List[Tuple[str, bool]] = []
    for t in node.targets:
        if isinstance(t, ast.Name):
            out.append((t.id, True))
        elif isinstance(t, (ast.Tuple, ast.List)):
            out.extend((el.id, False) for el in t.elts if isinstance(el, ast.Name))
    return tuple(out)


def _from_cst(layout: Layout, stmt: Any) -> Statement:
    """A statement of a file that libcst parsed whole (Python's parser rejected the file): its
    lines from the whole-file positions, its ast from those lines when Python takes them alone."""
    if type(stmt) is cst.ClassDef:
        kind, name = "class", stmt.name.value
    elif type(stmt) is cst.FunctionDef:
        kind, name = "function", stmt.name.value
    elif type(stmt) is cst.If:
        kind, name = "if", ""
    elif type(stmt) in (cst.Try, getattr(cst, "TryStar", cst.Try)):
        kind, name = "try", ""
    elif type(stmt) is cst.SimpleStatementLine:
        kind, name = "simple", ""
    else:
        kind, name = "compound", ""
    where = layout.pieces[0].positions().get(stmt)
    first, last = (where.start.line, where.end.line) if where is not None else (1, 1)
    try:
        body = ast.parse(layout.lines_text(first, last)).body
        tree = body[0] if len(body) == 1 else None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    return Statement(layout, kind, name, first, last, tree, (), stmt)


def walk_ast(root: ast.AST, prune=None):
    """ast nodes depth first in source order (ast.walk goes breadth first)."""
    from cnnlint.nodes import depth_first

    return depth_first(root, lambda node: list(ast.iter_child_nodes(node)), prune)


def defines(tree: ast.ClassDef, name: str) -> bool:
    return any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == name for s in tree.body)

