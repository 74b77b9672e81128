"""libcst trees built from Python's own `ast`, for the interpreter.

libcst's parser keeps every space, comma and parenthesis as a node of its own, which is what a
code rewrite needs and what an analysis does not: it makes about four times as many nodes as
Python's parser, and parses torchvision's models in 0.9 s where `ast` takes 0.16 s. The file is parsed by `ast` anyway (see
toplevel.py), so each top-level statement the analysis uses is built as libcst nodes straight
from its ast: the same node types and fields libcst's parser makes, with libcst's default
whitespace (one shared node of each). Positions come from the ast, kept beside the tree (``ranges``: id of a node ->
(line, column, end line, end column), columns in characters as libcst counts them), and the
text of a node is the file's own text at that range.

A construct this module does not build (``match``, ``try*``, anything newer) raises
Unsupported, and that statement is parsed by libcst as before.
"""
from __future__ import annotations

import ast
import weakref
from typing import Any, Callable, Dict, List, Optional, Tuple

import libcst as cst

Range = Tuple[int, int, int, int]


class Unsupported(Exception):
    """An ast node this module does not build."""


_BINARY = {ast.Add: cst.Add, ast.Sub: cst.Subtract, ast.Mult: cst.Multiply, ast.Div: cst.Divide,
           ast.FloorDiv: cst.FloorDivide, ast.Mod: cst.Modulo, ast.Pow: cst.Power,
           ast.MatMult: cst.MatrixMultiply, ast.LShift: cst.LeftShift, ast.RShift: cst.RightShift,
           ast.BitAnd: cst.BitAnd, ast.BitOr: cst.BitOr, ast.BitXor: cst.BitXor}
_AUGMENTED = {ast.Add: cst.AddAssign, ast.Sub: cst.SubtractAssign, ast.Mult: cst.MultiplyAssign,
              ast.Div: cst.DivideAssign, ast.FloorDiv: cst.FloorDivideAssign, ast.Mod: cst.ModuloAssign,
              ast.Pow: cst.PowerAssign, ast.MatMult: cst.MatrixMultiplyAssign,
              ast.LShift: cst.LeftShiftAssign, ast.RShift: cst.RightShiftAssign,
              ast.BitAnd: cst.BitAndAssign, ast.BitOr: cst.BitOrAssign, ast.BitXor: cst.BitXorAssign}
_UNARY = {ast.USub: cst.Minus, ast.UAdd: cst.Plus, ast.Not: cst.Not, ast.Invert: cst.BitInvert}
_COMPARE = {ast.Eq: cst.Equal, ast.NotEq: cst.NotEqual, ast.Lt: cst.LessThan, ast.LtE: cst.LessThanEqual,
            ast.Gt: cst.GreaterThan, ast.GtE: cst.GreaterThanEqual, ast.Is: cst.Is, ast.IsNot: cst.IsNot,
            ast.In: cst.In, ast.NotIn: cst.NotIn}
_NAMED_CONSTANTS = {True: "True", False: "False", None: "None"}

# Layout nodes that libcst would make anew for every node (its fields' default factories): nodes
# are immutable, so all built nodes share one of each, and one instance of each operator
_SPACE = cst.SimpleWhitespace("")
_CALL = {"whitespace_after_func": _SPACE, "whitespace_before_args": _SPACE}
_ARG = {"whitespace_after_star": _SPACE, "whitespace_after_arg": _SPACE}
_SUBSCRIPT = {"lbracket": cst.LeftSquareBracket(), "rbracket": cst.RightSquareBracket(),
              "whitespace_after_value": _SPACE}
_LINE = {"trailing_whitespace": cst.TrailingWhitespace()}
_BLOCK = {"header": cst.TrailingWhitespace()}
_TARGET = {"whitespace_before_equal": cst.SimpleWhitespace(" "), "whitespace_after_equal": cst.SimpleWhitespace(" ")}
for _table in (_BINARY, _AUGMENTED, _UNARY, _COMPARE):
    _table.update({tp: make() for tp, make in _table.items()})  # ast operator type -> the libcst one

# layouts whose trees were built here: code_of() finds a node's text through them
BUILT_IN: "weakref.WeakSet[Any]" = weakref.WeakSet()


def text_of(node: Any) -> Optional[str]:
    """The source text of a node built here, or None for a node libcst parsed."""
    key = id(node)
    for layout in list(BUILT_IN):
        r = layout.ranges.get(key)
        if r is not None:
            return layout.range_text(r)
    return None


class Builder:
    """Builds the libcst nodes of one file's statements and records their ranges in ``ranges``.

    ``line_text(n)``: line n of the file (for columns on lines that are not ASCII)."""

    def __init__(self, ranges: Dict[int, Range], line_text: Callable[[int], str], ascii_only: bool):
        self.ranges = ranges  # the caller keeps the built tree alive, so that its ids stay its own
        self.line_text = line_text
        self.ascii_only = ascii_only
        self._columns: Dict[int, Optional[bytes]] = {}

    # --- positions -------------------------------------------------------------------------

    def column(self, line: int, offset: int) -> int:
        if self.ascii_only:
            return offset
        data = self._columns.get(line, b"")
        if data == b"":
            text = self.line_text(line)
            data = self._columns[line] = None if text.isascii() else text.encode("utf-8")
        if data is None:
            return offset
        return len(data[:offset].decode("utf-8", "replace"))

    def place(self, made: Any, node: Any) -> Any:
        """Record ``made`` at the range of the ast node ``node``."""
        end = getattr(node, "end_lineno", None)
        if end is not None:
            self.ranges[id(made)] = (node.lineno, self.column(node.lineno, node.col_offset),
                                     end, self.column(end, node.end_col_offset))
        return made

    def place_range(self, made: Any, r: Optional[Range]) -> Any:
        if r is not None:
            self.ranges[id(made)] = r
        return made

    # --- statements ------------------------------------------------------------------------

    def statement_line(self, nodes: List[ast.stmt]) -> Any:
        """One top-level statement (or one line of several simple statements)."""
        head = nodes[0]
        if len(nodes) == 1 and type(head) in _COMPOUND:
            return self.stmt(head)
        line = cst.SimpleStatementLine(body=tuple(self.small(n) for n in nodes), **_LINE)
        first, last = nodes[0], nodes[-1]
        self.ranges[id(line)] = (first.lineno, self.column(first.lineno, first.col_offset), last.end_lineno,
                                 self.column(last.end_lineno, last.end_col_offset))
        return line

    def block(self, body: List[ast.stmt]) -> cst.IndentedBlock:
        return cst.IndentedBlock(body=tuple(self.stmt(s) for s in body), **_BLOCK)

    def stmt(self, node: ast.stmt) -> Any:
        method = _COMPOUND.get(type(node))
        if method is None:
            return self.place(cst.SimpleStatementLine(body=(self.small(node),), **_LINE), node)
        return self.place(method(self, node), node)

    def small(self, node: ast.stmt) -> Any:
        method = _SMALL.get(type(node))
        if method is None:
            raise Unsupported(type(node).__name__)
        return self.place(method(self, node), node)

    def _if(self, node: ast.If) -> cst.If:
        orelse: Any = None
        if len(node.orelse) == 1 and type(node.orelse[0]) is ast.If and self._is_elif(node.orelse[0]):
            orelse = self.place(self._if(node.orelse[0]), node.orelse[0])
        elif node.orelse:
            orelse = cst.Else(body=self.block(node.orelse))
        return cst.If(test=self.expr(node.test), body=self.block(node.body), orelse=orelse)

    def _is_elif(self, node: ast.If) -> bool:
        text = self.line_text(node.lineno)
        return text[self.column(node.lineno, node.col_offset):].startswith("elif")

    def _else(self, body: List[ast.stmt]) -> Optional[cst.Else]:
        return cst.Else(body=self.block(body)) if body else None

    def _for(self, node: Any) -> cst.For:
        return cst.For(target=self.expr(node.target), iter=self.expr(node.iter), body=self.block(node.body),
                       orelse=self._else(node.orelse),
                       asynchronous=cst.Asynchronous() if type(node) is ast.AsyncFor else None)

    def _while(self, node: ast.While) -> cst.While:
        return cst.While(test=self.expr(node.test), body=self.block(node.body), orelse=self._else(node.orelse))

    def _try(self, node: ast.Try) -> cst.Try:
        handlers = []
        for h in node.handlers:
            name = cst.AsName(name=cst.Name(h.name)) if h.name else None
            handlers.append(self.place(cst.ExceptHandler(
                body=self.block(h.body), type=self.expr(h.type) if h.type is not None else None, name=name), h))
        return cst.Try(body=self.block(node.body), handlers=tuple(handlers), orelse=self._else(node.orelse),
                       finalbody=cst.Finally(body=self.block(node.finalbody)) if node.finalbody else None)

    def _with(self, node: Any) -> cst.With:
        items = []
        for item in node.items:
            asname = cst.AsName(name=self.expr(item.optional_vars)) if item.optional_vars is not None else None
            items.append(cst.WithItem(item=self.expr(item.context_expr), asname=asname))
        return cst.With(items=tuple(items), body=self.block(node.body),
                        asynchronous=cst.Asynchronous() if type(node) is ast.AsyncWith else None)

    def _function(self, node: Any) -> cst.FunctionDef:
        if getattr(node, "type_params", None):
            raise Unsupported("type parameters")
        return cst.FunctionDef(
            name=self.name_at(node.name, node, "def"), params=self.parameters(node.args),
            body=self.block(node.body), decorators=self.decorators(node.decorator_list),
            returns=cst.Annotation(self.expr(node.returns)) if node.returns is not None else None,
            asynchronous=cst.Asynchronous() if type(node) is ast.AsyncFunctionDef else None)

    def _class(self, node: ast.ClassDef, body: Optional[cst.IndentedBlock] = None) -> cst.ClassDef:
        if getattr(node, "type_params", None):
            raise Unsupported("type parameters")
        return cst.ClassDef(
            name=self.name_at(node.name, node, "class"),
            body=body if body is not None else self.block(node.body),
            bases=tuple(self.argument(b) for b in node.bases), keywords=tuple(self.keyword(k) for k in node.keywords),
            decorators=self.decorators(node.decorator_list))

    def class_header(self, node: ast.ClassDef) -> cst.ClassDef:
        """The class with its decorators, name and bases, and `pass` for a body."""
        body = cst.IndentedBlock(body=(cst.SimpleStatementLine(body=(cst.Pass(),)),))
        return self.place(self._class(node, body), node)

    def decorators(self, nodes: List[ast.expr]) -> List[cst.Decorator]:
        return tuple(cst.Decorator(decorator=self.expr(d)) for d in nodes)

    def name_at(self, name: str, node: Any, keyword: str) -> cst.Name:
        """The Name of a def or class, placed after its keyword when it is on the same line."""
        made = cst.Name(name)
        text = self.line_text(node.lineno)
        start = text.find(keyword + " ", self.column(node.lineno, node.col_offset))
        if start >= 0:
            at = text.find(name, start + len(keyword))
            if at >= 0:
                self.ranges[id(made)] = (node.lineno, at, node.lineno, at + len(name))
        return made

    def parameters(self, args: ast.arguments, annotated: bool = True) -> cst.Parameters:
        positional = list(args.posonlyargs) + list(args.args)
        defaults: List[Optional[ast.expr]] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        made = tuple(self.param(a, d, annotated) for a, d in zip(positional, defaults))
        posonly, params = made[:len(args.posonlyargs)], made[len(args.posonlyargs):]
        if args.vararg is not None:
            star_arg: Any = self.param(args.vararg, None, annotated, "*")
        elif args.kwonlyargs:
            star_arg = cst.ParamStar()
        else:
            star_arg = cst.MaybeSentinel.DEFAULT
        kwonly = tuple(self.param(a, d, annotated) for a, d in zip(args.kwonlyargs, args.kw_defaults))
        star_kwarg = self.param(args.kwarg, None, annotated, "**") if args.kwarg is not None else None
        return cst.Parameters(params=params, star_arg=star_arg, kwonly_params=kwonly, star_kwarg=star_kwarg,
                              posonly_params=posonly,
                              posonly_ind=cst.ParamSlash() if posonly else cst.MaybeSentinel.DEFAULT)

    def param(self, arg: ast.arg, default: Optional[ast.expr], annotated: bool, star: str = "") -> cst.Param:
        annotation = cst.Annotation(self.expr(arg.annotation)) if annotated and arg.annotation is not None \
            else None
        name = cst.Name(arg.arg)
        start = self.column(arg.lineno, arg.col_offset)
        where = (arg.lineno, start, arg.lineno, start + len(arg.arg))
        self.ranges[id(name)] = where
        if star and self.line_text(arg.lineno)[start - len(star):start] == star:
            where = (arg.lineno, start - len(star), arg.lineno, start + len(arg.arg))  # `*args`
        return self.place_range(cst.Param(name=name, annotation=annotation, star=star,
                                          default=self.expr(default) if default is not None else None), where)

    # simple statements
    def _expr_stmt(self, node: ast.Expr) -> cst.Expr:
        return cst.Expr(self.expr(node.value))

    def _assign(self, node: ast.Assign) -> cst.Assign:
        return cst.Assign(targets=tuple(cst.AssignTarget(self.expr(t), **_TARGET) for t in node.targets), value=self.expr(node.value))

    def _ann_assign(self, node: ast.AnnAssign) -> cst.AnnAssign:
        return cst.AnnAssign(target=self.expr(node.target), annotation=cst.Annotation(self.expr(node.annotation)),
                             value=self.expr(node.value) if node.value is not None else None)

    def _aug_assign(self, node: ast.AugAssign) -> cst.AugAssign:
        return cst.AugAssign(target=self.expr(node.target), operator=_AUGMENTED[type(node.op)],
                             value=self.expr(node.value))

    def _return(self, node: ast.Return) -> cst.Return:
        return cst.Return(self.expr(node.value) if node.value is not None else None)

    def _raise(self, node: ast.Raise) -> cst.Raise:
        return cst.Raise(exc=self.expr(node.exc) if node.exc is not None else None,
                         cause=cst.From(self.expr(node.cause)) if node.cause is not None else None)

    def _assert(self, node: ast.Assert) -> cst.Assert:
        return cst.Assert(test=self.expr(node.test), msg=self.expr(node.msg) if node.msg is not None else None)

    def _delete(self, node: ast.Delete) -> cst.Del:
        if len(node.targets) == 1:
            return cst.Del(self.expr(node.targets[0]))
        return cst.Del(cst.Tuple(tuple(cst.Element(self.expr(t)) for t in node.targets), lpar=(), rpar=()))

    def _global(self, node: Any) -> Any:
        names = tuple(cst.NameItem(cst.Name(n)) for n in node.names)
        return cst.Global(names) if type(node) is ast.Global else cst.Nonlocal(names)

    def _import(self, node: ast.Import) -> cst.Import:
        return cst.Import(names=tuple(self.alias(a) for a in node.names))

    def _import_from(self, node: ast.ImportFrom) -> cst.ImportFrom:
        names: Any = cst.ImportStar() if len(node.names) == 1 and node.names[0].name == "*" else \
            tuple(self.alias(a) for a in node.names)
        return cst.ImportFrom(module=self.dotted_name(node.module) if node.module else None, names=names,
                              relative=tuple(cst.Dot() for _ in range(node.level or 0)))

    def alias(self, node: ast.alias) -> cst.ImportAlias:
        asname = cst.AsName(name=cst.Name(node.asname)) if node.asname else None
        return self.place(cst.ImportAlias(name=self.dotted_name(node.name), asname=asname), node)

    @staticmethod
    def dotted_name(text: str) -> Any:
        parts = text.split(".")
        made: Any = cst.Name(parts[0])
        for part in parts[1:]:
            made = cst.Attribute(value=made, attr=cst.Name(part))
        return made

    # --- expressions -----------------------------------------------------------------------

    def expr(self, node: ast.expr) -> Any:
        method = _EXPRESSIONS.get(type(node))
        if method is None:
            raise Unsupported(type(node).__name__)
        made = method(self, node)
        end = node.end_lineno
        if end is not None:
            line = node.lineno
            if self.ascii_only:
                self.ranges[id(made)] = (line, node.col_offset, end, node.end_col_offset)
            else:
                self.ranges[id(made)] = (line, self.column(line, node.col_offset), end,
                                         self.column(end, node.end_col_offset))
            if type(node) in _PARENTHESIZED:
                self.unparenthesized(made, node)
        return made

    def _name(self, node: ast.Name) -> cst.Name:
        return cst.Name(node.id)

    def _constant(self, node: ast.Constant) -> Any:
        value = node.value
        tp = type(value)
        if tp is bool or value is None:
            return cst.Name(_NAMED_CONSTANTS[value])
        if tp is int:
            return cst.Integer(self.literal(node, str(value)))
        if tp is float:
            return cst.Float(self.literal(node, repr(value)))
        if tp is complex:
            return cst.Imaginary(self.literal(node, repr(value)))
        if tp is str or tp is bytes:
            return cst.SimpleString(repr(value))
        if value is Ellipsis:
            return cst.Ellipsis()
        raise Unsupported(f"constant {tp.__name__}")

    def literal(self, node: ast.expr, fallback: str) -> str:
        """A number as written (`0x20`, `1_000`), when it is on one line."""
        if node.lineno == node.end_lineno:
            text = self.line_text(node.lineno)
            start, end = self.column(node.lineno, node.col_offset), self.column(node.lineno, node.end_col_offset)
            written = text[start:end]
            if written[:1].isdigit() or written[:1] == ".":
                return written
        return fallback

    def _joined(self, node: ast.JoinedStr) -> cst.FormattedString:
        parts: List[Any] = []
        for v in node.values:
            if type(v) is ast.Constant and isinstance(v.value, str):
                parts.append(cst.FormattedStringText(v.value))  # the text itself, escapes undone
            elif type(v) is ast.FormattedValue:
                conversion = chr(v.conversion) if v.conversion and v.conversion > 0 else None
                spec = (cst.FormattedStringText(""),) if v.format_spec is not None else None
                parts.append(cst.FormattedStringExpression(expression=self.expr(v.value), conversion=conversion,
                                                           format_spec=spec))
            else:
                raise Unsupported("f-string part")
        return cst.FormattedString(parts=tuple(parts), start='f"', end='"')

    def _attribute(self, node: ast.Attribute) -> cst.Attribute:
        attr = cst.Name(node.attr)
        end = node.end_lineno
        if end is not None:
            stop = self.column(end, node.end_col_offset)
            self.ranges[id(attr)] = (end, stop - len(node.attr), end, stop)
        return cst.Attribute(value=self.expr(node.value), attr=attr)

    def _call(self, node: ast.Call) -> cst.Call:
        if len(node.args) == 1 and not node.keywords and type(node.args[0]) is ast.GeneratorExp:
            made = self.expr(node.args[0])  # `sum(x for x in y)`: the call's parentheses are its own
            arg = self.place_range(cst.Arg(made, **_ARG), self.ranges.get(id(made)))
            return cst.Call(func=self.expr(node.func), args=(arg,), **_CALL)
        args = [self.argument(a) for a in node.args]
        keywords = [self.keyword(k) for k in node.keywords]
        if args and keywords and _after(node.args[-1], node.keywords[0]):
            # `f(a=1, *rest)`: libcst keeps the order they are written in
            order = sorted(zip(list(node.args) + list(node.keywords), args + keywords),
                           key=lambda pair: (pair[0].lineno, pair[0].col_offset))
            return cst.Call(func=self.expr(node.func), args=tuple(made for _, made in order), **_CALL)
        return cst.Call(func=self.expr(node.func), args=tuple(args + keywords), **_CALL)

    def argument(self, node: ast.expr) -> cst.Arg:
        if type(node) is ast.Starred:
            return self.place(cst.Arg(self.expr(node.value), star="*", **_ARG), node)
        return self.around(cst.Arg(self.expr(node), **_ARG), node)

    def around(self, made: Any, node: ast.expr) -> Any:
        """An Arg, Element or Index: where its value is, parentheses included."""
        return self.place(made, node)

    def keyword(self, node: ast.keyword) -> cst.Arg:
        if node.arg is None:
            return self.place(cst.Arg(self.expr(node.value), star="**", **_ARG), node)
        keyword = cst.Name(node.arg)
        if getattr(node, "end_lineno", None) is not None:
            start = self.column(node.lineno, node.col_offset)
            self.ranges[id(keyword)] = (node.lineno, start, node.lineno, start + len(node.arg))
        return self.place(cst.Arg(self.expr(node.value), keyword=keyword, **_ARG), node)

    def _subscript(self, node: ast.Subscript) -> cst.Subscript:
        index = node.slice
        if type(index) is ast.Tuple and index.elts and self._bare_tuple(index):
            elements = [self.subscript_element(e) for e in index.elts]
        else:
            elements = [self.subscript_element(index)]
        return cst.Subscript(value=self.expr(node.value), slice=tuple(elements), **_SUBSCRIPT)

    @staticmethod
    def _bare_tuple(node: ast.Tuple) -> bool:
        """`x[a, b]` (two elements), not `x[(a, b)]` (one tuple)."""
        first = node.elts[0]
        return (first.lineno, first.col_offset) == (node.lineno, node.col_offset)

    def subscript_element(self, node: ast.expr) -> cst.SubscriptElement:
        if type(node) is ast.Slice:
            inner: Any = self.place(cst.Slice(
                lower=self.expr(node.lower) if node.lower is not None else None,
                upper=self.expr(node.upper) if node.upper is not None else None,
                step=self.expr(node.step) if node.step is not None else None,
                second_colon=cst.Colon() if node.step is not None else cst.MaybeSentinel.DEFAULT), node)
        elif type(node) is ast.Starred:
            inner = cst.Index(self.expr(node.value), star="*")
        else:
            inner = self.around(cst.Index(self.expr(node)), node)
        return self.place_range(cst.SubscriptElement(inner), self.ranges.get(id(inner)))

    def _binary(self, node: ast.BinOp) -> cst.BinaryOperation:
        return cst.BinaryOperation(left=self.expr(node.left), operator=_BINARY[type(node.op)],
                                   right=self.expr(node.right))

    def _boolean(self, node: ast.BoolOp) -> cst.BooleanOperation:
        op = cst.And if type(node.op) is ast.And else cst.Or
        made = self.expr(node.values[0])
        first = node.values[0]
        for i, value in enumerate(node.values[1:]):
            made = cst.BooleanOperation(left=made, operator=op(), right=self.expr(value))
            if i < len(node.values) - 2:  # the inner, left-nested operations
                self.ranges[id(made)] = (first.lineno, self.column(first.lineno, first.col_offset),
                                         value.end_lineno, self.column(value.end_lineno, value.end_col_offset))
        return made

    def _unary(self, node: ast.UnaryOp) -> cst.UnaryOperation:
        return cst.UnaryOperation(operator=_UNARY[type(node.op)], expression=self.expr(node.operand))

    def _compare(self, node: ast.Compare) -> cst.Comparison:
        return cst.Comparison(left=self.expr(node.left), comparisons=tuple([
            cst.ComparisonTarget(operator=_COMPARE[type(op)], comparator=self.expr(c))
            for op, c in zip(node.ops, node.comparators)]))

    def _if_exp(self, node: ast.IfExp) -> cst.IfExp:
        return cst.IfExp(test=self.expr(node.test), body=self.expr(node.body), orelse=self.expr(node.orelse))

    def _lambda(self, node: ast.Lambda) -> cst.Lambda:
        return cst.Lambda(params=self.parameters(node.args, annotated=False), body=self.expr(node.body))

    def elements(self, nodes: List[ast.expr]) -> List[Any]:
        out = []
        for n in nodes:
            if type(n) is ast.Starred:
                out.append(self.place(cst.StarredElement(self.expr(n.value)), n))
            else:
                out.append(self.around(cst.Element(self.expr(n)), n))
        return out

    def _tuple(self, node: ast.Tuple) -> cst.Tuple:
        return cst.Tuple(tuple(self.elements(node.elts)))

    def unparenthesized(self, made: Any, node: ast.expr) -> None:
        """ast places a tuple or a generator expression with its parentheses, libcst inside them."""
        r = self.ranges[id(made)]
        first = node.elts[0] if type(node) is ast.Tuple and node.elts else None
        if first is not None and (first.lineno, first.col_offset) == (node.lineno, node.col_offset):
            return  # `a, b`: no parentheses of its own
        if self.line_text(r[0])[r[1]:r[1] + 1] != "(" or self.line_text(r[2])[r[3] - 1:r[3]] != ")":
            return
        line, col, end, end_col = r[0], r[1] + 1, r[2], r[3] - 1
        text = self.line_text(line)
        while line < end and not text[col:].strip():  # `(` ends its line: from the next one on
            line, col = line + 1, 0
            text = self.line_text(line)
        col += len(text[col:]) - len(text[col:].lstrip())
        text = self.line_text(end)
        while end > line and not text[:end_col].strip():  # `)` starts its line
            end -= 1
            text = self.line_text(end).rstrip("\r\n")
            end_col = len(text)
        end_col = len(text[:end_col].rstrip())
        self.ranges[id(made)] = (line, col, end, end_col)

    def _list(self, node: ast.List) -> cst.List:
        return cst.List(tuple(self.elements(node.elts)))

    def _set(self, node: ast.Set) -> cst.Set:
        return cst.Set(tuple(self.elements(node.elts)))

    def _dict(self, node: ast.Dict) -> cst.Dict:
        elements: List[Any] = []
        for k, v in zip(node.keys, node.values):
            if k is None:
                elements.append(cst.StarredDictElement(self.expr(v)))
            else:
                elements.append(cst.DictElement(self.expr(k), self.expr(v)))
        return cst.Dict(tuple(elements))

    def comp_for(self, generators: List[ast.comprehension]) -> cst.CompFor:
        inner: Optional[cst.CompFor] = None
        for g in reversed(generators):
            inner = cst.CompFor(target=self.expr(g.target), iter=self.expr(g.iter),
                                ifs=tuple(cst.CompIf(self.expr(t)) for t in g.ifs), inner_for_in=inner,
                                asynchronous=cst.Asynchronous() if g.is_async else None)
        assert inner is not None
        return inner

    def _list_comp(self, node: ast.ListComp) -> cst.ListComp:
        return cst.ListComp(elt=self.expr(node.elt), for_in=self.comp_for(node.generators))

    def _set_comp(self, node: ast.SetComp) -> cst.SetComp:
        return cst.SetComp(elt=self.expr(node.elt), for_in=self.comp_for(node.generators))

    def _generator(self, node: ast.GeneratorExp) -> cst.GeneratorExp:
        return cst.GeneratorExp(elt=self.expr(node.elt), for_in=self.comp_for(node.generators))

    def _dict_comp(self, node: ast.DictComp) -> cst.DictComp:
        return cst.DictComp(key=self.expr(node.key), value=self.expr(node.value),
                            for_in=self.comp_for(node.generators))

    def _named(self, node: ast.NamedExpr) -> cst.NamedExpr:
        return cst.NamedExpr(target=self.expr(node.target), value=self.expr(node.value))

    def _await(self, node: ast.Await) -> cst.Await:
        return cst.Await(self.expr(node.value))

    def _yield(self, node: Any) -> cst.Yield:
        if type(node) is ast.YieldFrom:
            return cst.Yield(cst.From(self.expr(node.value)))
        return cst.Yield(self.expr(node.value) if node.value is not None else None)

    def _starred(self, node: ast.Starred) -> cst.StarredElement:
        return cst.StarredElement(self.expr(node.value))


_PARENTHESIZED = (ast.Tuple, ast.GeneratorExp)


def _after(a: ast.AST, b: ast.AST) -> bool:
    return (a.lineno, a.col_offset) > (b.lineno, b.col_offset)  # type: ignore[attr-defined]


_COMPOUND: Dict[type, Callable[[Builder, Any], Any]] = {
    ast.If: Builder._if, ast.For: Builder._for, ast.AsyncFor: Builder._for, ast.While: Builder._while,
    ast.Try: Builder._try, ast.With: Builder._with, ast.AsyncWith: Builder._with,
    ast.FunctionDef: Builder._function, ast.AsyncFunctionDef: Builder._function, ast.ClassDef: Builder._class,
}
_SMALL: Dict[type, Callable[[Builder, Any], Any]] = {
    ast.Expr: Builder._expr_stmt, ast.Assign: Builder._assign, ast.AnnAssign: Builder._ann_assign,
    ast.AugAssign: Builder._aug_assign, ast.Return: Builder._return, ast.Raise: Builder._raise,
    ast.Assert: Builder._assert, ast.Delete: Builder._delete, ast.Global: Builder._global,
    ast.Nonlocal: Builder._global, ast.Import: Builder._import, ast.ImportFrom: Builder._import_from,
    ast.Pass: lambda self, node: cst.Pass(), ast.Break: lambda self, node: cst.Break(),
    ast.Continue: lambda self, node: cst.Continue(),
}
_EXPRESSIONS: Dict[type, Callable[[Builder, Any], Any]] = {
    ast.Name: Builder._name, ast.Constant: Builder._constant, ast.JoinedStr: Builder._joined,
    ast.Attribute: Builder._attribute, ast.Call: Builder._call, ast.Subscript: Builder._subscript,
    ast.BinOp: Builder._binary, ast.BoolOp: Builder._boolean, ast.UnaryOp: Builder._unary,
    ast.Compare: Builder._compare, ast.IfExp: Builder._if_exp, ast.Lambda: Builder._lambda,
    ast.Tuple: Builder._tuple, ast.List: Builder._list, ast.Set: Builder._set, ast.Dict: Builder._dict,
    ast.ListComp: Builder._list_comp, ast.SetComp: Builder._set_comp, ast.GeneratorExp: Builder._generator,
    ast.DictComp: Builder._dict_comp, ast.NamedExpr: Builder._named, ast.Await: Builder._await,
    ast.Yield: Builder._yield, ast.YieldFrom: Builder._yield, ast.Starred: Builder._starred,
}
