"""The abstract interpreter: evaluates model code over shapes instead of data.

One interpreter runs ``__init__`` (building layers, containers and submodules) and
``forward`` (moving a tensor's shape through them). What it cannot follow becomes
``Unknown`` and is noted at info level; it never turns into an error.
"""
from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from cnnlint import dims
from cnnlint.interpret.scope import Scope, bind_import, dotted, _MISSING
from cnnlint.interpret.values import (INCOMPLETE, INCOMPLETE_KEY, Builtin, NameListing, Function, Layer, Obj, Partial, Qual, SizeTuple, SuperProxy,
                                      SymbolicObj, SymFloat, Tensor, Unknown, UserClass, is_module)


class ReturnSignal(Exception):
    def __init__(self, value):
        self.value = value


class BreakSignal(Exception):
    pass


class ContinueSignal(Exception):
    pass


class DeadPath(Exception):
    """A `raise` statement: this path does not continue."""


class GiveUp(Exception):
    """The step or time budget ran out."""


MAX_STEPS = 400_000  # the budget that decides: steps, so results do not depend on the machine's load
MAX_SECONDS = 20.0  # a safety net only
MAX_DEPTH = 60
MAX_LOOP = 5000


class Finding:
    __slots__ = ("code", "message", "node", "declared", "inferred", "arg_node", "severity", "options",
                 "fix_text", "factors", "explain", "model", "site")

    def __init__(self, code, message, node, declared=None, inferred=None, arg_node=None, severity=None,
                 options=(), fix_text=None, factors=None, explain=(), model=None):
        self.code, self.message, self.node = code, message, node
        self.declared, self.inferred, self.arg_node = declared, inferred, arg_node
        self.severity, self.options, self.fix_text = severity, options, fix_text
        self.factors, self.explain, self.model = factors, explain, model
        self.site = None


class CallRow:
    """A module or functional call, filled in as the call completes."""

    __slots__ = ("module", "name", "type", "node", "depth", "output", "explain", "finding", "input", "sources",
                 "op", "last")

    def __init__(self, module, name, type_, node, depth, input_=None, sources=(), op=False):
        self.module, self.name, self.type, self.node, self.depth = module, name, type_, node, depth
        self.sources = tuple(sources)
        self.op = op
        self.output: Any = None
        self.last: Any = None  # output's last size when its rank is unknown
        self.explain: List[str] = []
        self.finding = ""
        self.input = input_


def _bind_late() -> None:
    """Functions of the modules that import this one, bound as globals when the first
    interpreter is made (an import inside a method costs more than the method, at these rates)."""
    global _resolve, _BUILTINS, _tensor_binop, _subscript, _iterate, _get_attribute, _call_qual, \
        _instantiate, _call_module, _LATE_BOUND
    from cnnlint.interpret.classes import instantiate as _instantiate
    from cnnlint.interpret.imports import resolve as _resolve
    from cnnlint.interpret.library import BUILTINS as _BUILTINS, call_qual as _call_qual, \
        get_attribute as _get_attribute, iterate as _iterate, subscript as _subscript, tensor_binop as _tensor_binop
    from cnnlint.interpret.modules import call_module as _call_module

    _LATE_BOUND = True


_LATE_BOUND = False

# An object with a method ``call(interp, node, scope, func, args, kwargs, result)``, told of every
# call expression evaluated (bench/coverage.py installs one); None, the default, costs one test.
RECORDER: Any = None


class Interp:
    def __init__(self, file_ctx, model_name: Optional[str] = None):
        if not _LATE_BOUND:
            _bind_late()
        self.file = file_ctx
        self.model_name = model_name
        self.findings: List[Finding] = []
        self.notes: List[Tuple[Any, str]] = []
        self.running: List[Any] = []  # the FunctionDef nodes being run, innermost last
        self.near: Dict[int, Any] = {}  # id of a noted node -> the FunctionDef it was noted in
        self.rows: List[CallRow] = []
        self.names: Dict[int, str] = {}
        self.constraints: List[Tuple[Any, str]] = []
        # mismatches that only a degenerate input size avoids: (finding, size name, those sizes,
        # message if no such size is accepted), settled once forward has run (analyze.py)
        self.degenerate: List[Tuple[Any, str, Tuple[int, ...], str]] = []
        self.symbols: Dict[str, Any] = {}
        self.steps = 0
        self.max_steps = MAX_STEPS
        self.next_check = 2048  # the step at which tick() next looks at the budgets
        self.read_blocks: Dict[int, Any] = {}  # see forget_assigned (the statement is kept, so its id stays its own)
        self.started = time.monotonic()
        self.depth = 0
        self.uncertain = 0
        self.touched_objects: List[Any] = []  # containers changed while ``uncertain`` (see exec_both)
        self.loop_depth = 0
        self.module_depth = 0
        self.tracing = False
        self.current_row: Optional[CallRow] = None
        self.frames: List[List[Any]] = []
        self.module_stack: List[Any] = [file_ctx.scope if file_ctx is not None else None]
        self.main_sites: List[Any] = []
        self.free_input = False
        self.defaults_of: Optional[str] = None  # a block run alone with its own defaults (analyze)
        self.rank_assumed = False  # a layer gave the symbolic input a rank it could not be sure of
        self.unbatched = False  # that rank without the batch dimension (see analyze.run_model)
        self.unused: Any = None  # the expression of the statement being run whose value is not used
        self.training: Optional[bool] = True  # a module starts in training mode; None: not known
        self.read_training = False  # whether the run read a module's `training`

    # --- bookkeeping -------------------------------------------------------------------

    def tick(self):
        self.steps += 1
        if self.steps >= self.next_check:
            self.check_budget()

    def check_budget(self):
        """Every 2048 steps, and at the step budget: give up when either budget is spent."""
        if self.steps > self.max_steps or time.monotonic() - self.started > MAX_SECONDS:
            raise GiveUp()
        self.next_check = min(self.steps + 2048, self.max_steps + 1)

    def read_mode(self):
        """A module's `training` flag: the mode this run checks the model in."""
        self.read_training = True
        return Unknown("self.training") if self.training is None else self.training

    def symbol(self, name: str):
        if name not in self.symbols:
            self.symbols[name] = dims.symbol(name)
        return self.symbols[name]

    def op_row(self, kind: str, node, inputs, result):
        """Record a tensor operation that combines tensors (``+``, ``torch.cat``) for the graph."""
        if not isinstance(result, Tensor):
            return result
        sources = [t.row if t.row is not None else -2 for t in inputs if isinstance(t, Tensor)]
        row = CallRow(None, "", kind, node, self.module_depth, inputs[0].shape if inputs and isinstance(
            inputs[0], Tensor) else None, sources, op=True)
        row.output = result.shape
        self.rows.append(row)
        return Tensor(result.shape, src=result.src, flat=result.flat, row=len(self.rows) - 1)

    def note(self, node, message: str):
        if all(m != message for _, m in self.notes):
            self.notes.append((node, message))
            if self.running:  # the function it is in: where to look first for its position
                self.near[id(node)] = self.running[-1]

    def report(self, finding: Finding):
        if self.free_input and finding.code == "CNN107" and finding.severity in (None, "error"):
            # the rank of a symbolic input is a guess from its first layer: not proof of an error
            finding.severity = "warning"
            finding.message += " (the input's rank was assumed; give --input-shape to be sure)"
        if self.defaults_of and finding.severity in (None, "error") and _rule_error(finding.code):
            finding.severity = "warning"
            finding.message += (f" (with {self.defaults_of}'s own default arguments; the models of this file that "
                                "build it pass their own, and are checked with them)")
        if self.uncertain and finding.severity in (None, "error"):
            finding.severity = "warning"
            finding.message += " (on a path that runs only under a condition cnnlint cannot decide)"
        if self.current_row is not None and not self.current_row.finding:
            self.current_row.finding = finding.code
        finding.model = self.model_name
        finding.site = self.main_sites[0] if self.main_sites else None
        self.findings.append(finding)

    # --- statements --------------------------------------------------------------------

    def exec_block(self, body, scope: Scope):
        stmts = body.body if type(body) in (cst.IndentedBlock, cst.SimpleStatementSuite) else body
        for stmt in stmts:
            self.exec_stmt(stmt, scope)

    def exec_stmt(self, stmt, scope: Scope):
        self.tick()
        if type(stmt) is cst.SimpleStatementLine:
            for small in stmt.body:
                self.exec_small(small, scope)
        elif type(stmt) is cst.If:
            self.exec_if(stmt, scope)
        elif type(stmt) is cst.For:
            self.exec_for(stmt, scope)
        elif type(stmt) is cst.While:
            self.exec_while(stmt, scope)
        elif type(stmt) is cst.Match:
            self.exec_match(stmt, scope)
        elif type(stmt) is cst.With:
            for item in stmt.items:
                if item.asname is not None:
                    self.assign(item.asname.name, Unknown("a with-statement target"), scope)
            self.exec_block(stmt.body, scope)
        elif type(stmt) is cst.Try:
            # an error the handlers might catch is not certain to surface
            self.uncertain += 1 if stmt.handlers else 0
            try:
                self.exec_block(stmt.body, scope)
            except DeadPath:
                pass
            finally:
                self.uncertain -= 1 if stmt.handlers else 0
            if stmt.orelse is not None:
                self.exec_block(stmt.orelse.body, scope)
            if stmt.finalbody is not None:
                self.exec_block(stmt.finalbody.body, scope)
        elif type(stmt) is cst.FunctionDef:
            scope.set(stmt.name.value, Function(stmt.name.value, stmt, scope))
        elif type(stmt) is cst.ClassDef:
            scope.set(stmt.name.value, UserClass(stmt.name.value, stmt, scope))
        else:
            # match statements and anything newer: what they assign becomes unknown
            self.forget_assigned(stmt, scope, type(stmt).__name__)

    def exec_small(self, small, scope: Scope):
        if type(small) is cst.Expr:
            if type(small.value) in (cst.SimpleString, cst.ConcatenatedString):
                return  # a docstring
            # a statement whose value is not used (`self.fc.bias.data.copy_(...)`, `init(self)`):
            # evaluated for its checks; a call in it that cannot be followed rebinds nothing
            unused, self.unused = self.unused, small.value
            try:
                self.eval(small.value, scope)
            finally:
                self.unused = unused
        elif type(small) is cst.Assign:
            value = self.eval(small.value, scope)
            for target in small.targets:
                self.assign(target.target, value, scope)
        elif type(small) is cst.AnnAssign:
            if small.value is not None:
                self.assign(small.target, self.eval(small.value, scope), scope)
        elif type(small) is cst.AugAssign:
            current = self.eval(small.target, scope)
            value = self.eval(small.value, scope)
            op = type(small.operator).__name__.replace("Assign", "")
            if isinstance(current, (list, dict)):
                # `x += [...]` changes the list itself: every other name for it sees the change
                result = in_place_op(self, op, current, value)
            else:
                result = self.binop(op, current, value, small)
            self.assign(small.target, result, scope)
        elif type(small) is cst.Return:
            raise ReturnSignal(None if small.value is None else self.eval(small.value, scope))
        elif type(small) is cst.Raise:
            raise DeadPath()
        elif type(small) is cst.Break:
            raise BreakSignal()
        elif type(small) is cst.Continue:
            raise ContinueSignal()
        elif type(small) in (cst.Import, cst.ImportFrom):
            bind_import(small, scope)
        elif type(small) is cst.Del:
            self.delete(small.target, scope)

    def exec_if(self, stmt: cst.If, scope: Scope):
        cond = self.truth(self.eval(stmt.test, scope))
        orelse = stmt.orelse
        if cond is True:
            self.exec_block(stmt.body, scope)
        elif cond is False:
            if type(orelse) is cst.If:
                self.exec_if(orelse, scope)
            elif type(orelse) is cst.Else:
                self.exec_block(orelse.body, scope)
        else:
            self.exec_both(stmt, scope)

    def touched(self, obj) -> None:
        """``obj`` (a list, dict, container or module) was changed on a path that may not run."""
        if self.uncertain and len(self.touched_objects) < 10_000:
            self.touched_objects.append(obj)

    def exec_both(self, stmt: cst.If, scope: Scope):
        """An undecidable condition: run both branches and keep what they agree on. A list, dict
        or container that existed before and was changed in a branch becomes unknown; a module
        that got a new submodule there lists its children as unknown."""
        outcomes = []
        touched_before = len(self.touched_objects)
        for branch in ("body", "orelse"):
            local = Scope.__new__(type(scope))
            local.__dict__.update(scope.__dict__)
            local.vars = dict(scope.vars)
            self.uncertain += 1
            try:
                if branch == "body":
                    self.exec_block(stmt.body, local)
                elif type(stmt.orelse) is cst.If:
                    self.exec_if(stmt.orelse, local)
                elif type(stmt.orelse) is cst.Else:
                    self.exec_block(stmt.orelse.body, local)
                outcomes.append(local.vars)
            except ReturnSignal as ret:
                if self.frames:
                    self.frames[-1].append(ret.value)
            except DeadPath:
                pass
            except (BreakSignal, ContinueSignal):
                outcomes.append(local.vars)
            finally:
                self.uncertain -= 1
        if not outcomes:
            raise DeadPath()
        merged = dict(outcomes[0])
        for other in outcomes[1:]:
            for key in set(merged) | set(other):
                a, b = merged.get(key, _MISSING), other.get(key, _MISSING)
                merged[key] = join(a, b, stmt)
        if len(self.touched_objects) > touched_before:
            self.spoil_touched(scope, touched_before)
        scope.vars.clear()
        scope.vars.update({k: v for k, v in merged.items() if v is not _MISSING})

    def spoil_touched(self, scope: Scope, start: int) -> None:
        """After both branches of an undecidable condition: what they changed of the values that
        existed before (names of this scope, one attribute deep) is no longer known."""
        touched = self.touched_objects[start:]
        del self.touched_objects[start:]
        if self.uncertain:  # an outer condition decides again
            self.touched_objects.extend(touched)
        known = {}
        for v in list(scope.vars.values()) + ([] if scope.parent is None else []):
            known[id(v)] = v
            if isinstance(v, (Obj, Layer)):
                for w in list(v.children.values()) + (list(v.attrs.values()) if isinstance(v, Obj) else []):
                    known[id(w)] = w
        for obj in touched:
            if id(obj) not in known:
                continue  # made in the branch itself
            if isinstance(obj, Obj):
                obj.unsure = True
            elif not (isinstance(obj, Layer) and not obj.is_container):
                mark_incomplete(obj, "items")

    def exec_for(self, stmt: cst.For, scope: Scope):
        if _only_initialises(stmt):
            # `for m in self.modules(): nn.init.kaiming_normal_(m.weight)`: weights change in
            # place, shapes do not; running it would visit every module of the model once more
            self.forget_assigned(stmt, scope, "a loop that initialises weights")
            return
        items = self.iterate(self.eval(stmt.iter, scope))
        if isinstance(items, Unknown) or len(items) > MAX_LOOP:
            self.forget_assigned(stmt, scope, "a loop over values cnnlint cannot list")
            self.note(stmt, "cannot list what a for loop iterates over; names it assigns become unknown")
            return
        self.loop_depth += 1
        try:
            for item in items:
                self.assign(stmt.target, item, scope)
                if not self.loop_body(stmt, scope):
                    return
            if stmt.orelse is not None:
                self.exec_block(stmt.orelse.body, scope)
        finally:
            self.loop_depth -= 1

    def loop_body(self, stmt, scope: Scope) -> bool:
        """One pass of a loop's body; False when it breaks out."""
        try:
            self.exec_block(stmt.body, scope)
        except ContinueSignal:
            pass
        except BreakSignal:
            return False
        return True

    def exec_match(self, stmt, scope: Scope):
        """``match`` on literal patterns (``case "vgg":``, ``case 1 | 2:``, ``case _:``); any other
        pattern, or a subject cnnlint cannot compare, makes what the statement assigns unknown."""
        subject = self.eval(stmt.subject, scope)
        for case in stmt.cases:
            hit = self.match_pattern(case.pattern, subject, scope)
            if hit is True and case.guard is not None:
                hit = self.truth(self.eval(case.guard, scope))
            if hit is False:
                continue
            if hit is True:
                self.exec_block(case.body, scope)
                return
            break
        else:
            return
        self.forget_assigned(stmt, scope, "a match statement")
        self.note(stmt, "cannot tell which case of a match statement runs; names it assigns become unknown")

    def match_pattern(self, pattern, subject, scope):
        tp = type(pattern)
        if tp is cst.MatchValue:
            return compare("Equal", subject, self.eval(pattern.value, scope))
        if tp is cst.MatchSingleton:
            return compare("Is", subject, self.eval(pattern.value, scope))
        if tp is cst.MatchAs and pattern.pattern is None:
            if pattern.name is not None:
                scope.set(pattern.name.value, subject)
            return True
        if tp is cst.MatchOr:
            results = [self.match_pattern(p.pattern, subject, scope) for p in pattern.patterns]
            if any(r is True for r in results):
                return True
            return False if all(r is False for r in results) else Unknown("pattern")
        return Unknown("pattern")

    def exec_while(self, stmt: cst.While, scope: Scope):
        """Run a while loop while its condition is known (``while csize > 4: ... csize //= 2``)."""
        self.loop_depth += 1
        try:
            for _ in range(MAX_LOOP):
                cond = self.truth(self.eval(stmt.test, scope))
                if cond is False:
                    if stmt.orelse is not None:
                        self.exec_block(stmt.orelse.body, scope)
                    return
                if cond is not True:
                    break
                if not self.loop_body(stmt, scope):
                    return
        finally:
            self.loop_depth -= 1
        self.forget_assigned(stmt, scope, "a while loop")
        self.note(stmt, "cannot tell when a while loop ends; names it assigns become unknown")

    def forget_assigned(self, stmt, scope: Scope, why: str):
        """A block cnnlint cannot run: what it assigns becomes unknown, and every container or
        object it mutates (``layers.append``, ``self.x = ...``) becomes incomplete."""
        found = self.read_blocks.get(id(stmt))  # what the block's text says, read once per run
        if found is None:
            found = self.read_blocks[id(stmt)] = (stmt, assigned_names(stmt), list(mutated_targets(stmt)))
        _, names, targets = found
        objects = []
        for kind, target, attr in targets:  # what the names hold before the block
            try:
                objects.append((self.eval(target, scope), kind, attr))
            except (ReturnSignal, BreakSignal, ContinueSignal, DeadPath):
                continue
        for name in names:
            scope.set(name, Unknown(f"assigned in {why}"))
        for obj, kind, attr in objects:
            mark_incomplete(obj, kind, attr)

    def assign(self, target, value, scope: Scope):
        if type(target) is cst.Name:
            scope.set(target.value, value)
        elif type(target) is cst.Attribute:
            obj = self.eval(target.value, scope)
            self.setattr(obj, target.attr.value, value)
        elif type(target) in (cst.Tuple, cst.List):
            elements = target.elements
            items = self.iterate(value)
            star = [i for i, e in enumerate(elements) if type(e) is cst.StarredElement]
            if isinstance(items, Unknown) or (not star and len(items) != len(elements)):
                for el in elements:
                    self.assign(el.value, Unknown("unpacking"), scope)
                return
            if star:
                i = star[0]
                tail = len(elements) - i - 1
                parts = items[:i] + [list(items[i:len(items) - tail])] + items[len(items) - tail:]
            else:
                parts = items
            for el, item in zip(elements, parts):
                self.assign(el.value, item, scope)
        elif type(target) is cst.Subscript:
            container = self.eval(target.value, scope)
            if not isinstance(container, (list, dict, Layer, Obj)):
                return  # a tensor's elements (its shape stays), or something unknown
            key = self.subscript_key(target, scope)
            if not set_item(self, container, key, value):
                mark_incomplete(container, "items")
        elif type(target) is cst.StarredElement:
            self.assign(target.value, value, scope)

    def subscript_key(self, target: cst.Subscript, scope: Scope):
        """The key of ``x[key]`` as a target: a value, a slice, or Unknown."""
        if len(target.slice) != 1:
            return Unknown("a key of several parts")
        s = target.slice[0].slice
        if type(s) is cst.Index:
            return self.eval(s.value, scope)
        parts = [None if p is None else self.eval(p, scope) for p in (s.lower, s.upper, s.step)]
        if not all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts):
            return Unknown("slice bound")
        return slice(*parts)

    def delete(self, target, scope: Scope):
        """``del x``, ``del x[i]``, ``del x[a:b]``, ``del d[k]``, ``del self.m``."""
        tp = type(target)
        if tp in (cst.Tuple, cst.List):
            for el in target.elements:
                self.delete(el.value, scope)
        elif tp is cst.Name:
            scope.set(target.value, Unknown(f"'{target.value}' was deleted"))
        elif tp is cst.Attribute:
            obj = self.eval(target.value, scope)
            if isinstance(obj, Obj):
                name = target.attr.value
                obj.children.pop(name, None)
                obj.attrs.pop(name, None)
                obj.params[:] = [(n, t) for n, t in obj.params if n != name]
        elif tp is cst.Subscript:
            container = self.eval(target.value, scope)
            if isinstance(container, (list, dict, Layer, Obj)):
                self.touched(container)
                if not del_item(container, self.subscript_key(target, scope)):
                    mark_incomplete(container, "items")

    def setattr(self, obj, name: str, value):
        if isinstance(obj, Obj):
            if isinstance(value, Unknown) and obj.cls.is_module and name not in obj.children:
                # it may be a module cnnlint cannot build: its parameters are unknown
                if not any(n == name for n, _ in obj.params):
                    obj.params.append((name, None))
            if is_module(value):
                obj.attrs.pop(name, None)
                if name not in obj.children:
                    self.touched(obj)
                obj.children[name] = value
            elif value is None and name in obj.children:
                obj.children[name] = None
            else:
                if isinstance(value, Tensor) and value.param:
                    obj.params.append((name, value))
                obj.attrs[name] = value
        elif isinstance(obj, Layer) and is_module(value):
            obj.children[name] = value

    # --- expressions -------------------------------------------------------------------

    def eval(self, node, scope: Scope):
        self.steps += 1  # self.tick(), inline: this runs for every expression
        if self.steps >= self.next_check:
            self.check_budget()
        method = _EVAL.get(type(node))
        if method is None:
            method = _EVAL[type(node)] = getattr(Interp, "eval_" + type(node).__name__, _eval_unknown)
        return method(self, node, scope)

    def eval_Name(self, node, scope):
        name = node.value
        value = scope.vars.get(name, _MISSING)  # a local name, the common case
        if value is _MISSING:
            if name in _CONSTANTS:
                return _CONSTANTS[name]
            value = scope.lookup(name)
        if value is not _MISSING:
            if isinstance(value, Qual) and value.origin:
                found = _resolve(self, value)
                if found is not None:
                    return found
            return value
        if name in _BUILTINS:
            return _BUILTINS[name]
        return Unknown(f"name '{name}' is not defined in this file")

    def eval_Integer(self, node, scope):
        return int(node.value.replace("_", ""), 0) if not node.value.startswith("0") or node.value == "0" or \
            node.value[:2].lower() in ("0x", "0o", "0b") else int(node.value.replace("_", ""))

    def eval_Float(self, node, scope):
        return float(node.value.replace("_", ""))

    def eval_Imaginary(self, node, scope):
        return Unknown("complex number")

    def eval_SimpleString(self, node, scope):
        text = node.value
        if "\\" not in text and "\r" not in text and text[:1] in "'\"":  # no prefix, escape or CR: as written
            quote = 3 if text[:3] in ('"""', "\'\'\'") else 1
            return text[quote:-quote]
        try:
            value = node.evaluated_value
        except Exception:
            return Unknown("string")
        return value if isinstance(value, str) else Unknown("bytes")

    def eval_ConcatenatedString(self, node, scope):
        left, right = self.eval(node.left, scope), self.eval(node.right, scope)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return Unknown("string")

    def eval_FormattedString(self, node, scope):
        parts = []
        for part in node.parts:
            if type(part) is cst.FormattedStringText:
                parts.append(part.value)
                continue
            value = self.eval(part.expression, scope)
            if isinstance(value, SymbolicObj) or isinstance(value, (Unknown, Tensor)) or \
                    not isinstance(value, (int, float, str, bool)) or part.format_spec is not None:
                return Unknown("f-string")
            parts.append(str(value))
        return "".join(parts)

    def eval_Ellipsis(self, node, scope):
        return Ellipsis

    def eval_Tuple(self, node, scope):
        items = self.eval_elements(node.elements, scope)
        return items if isinstance(items, Unknown) else tuple(items)

    def eval_List(self, node, scope):
        items = self.eval_elements(node.elements, scope)
        return items if isinstance(items, Unknown) else list(items)

    def eval_Set(self, node, scope):
        return _BUILTINS["set"].fn(self, [self.eval_elements(node.elements, scope)], {}, node)

    def eval_elements(self, elements, scope):
        out = []
        for el in elements:
            if type(el) is cst.StarredElement:
                items = self.iterate(self.eval(el.value, scope))
                if isinstance(items, Unknown):
                    return [_STAR_UNKNOWN]  # length unknown
                out.extend(items)
            else:
                out.append(self.eval(el.value, scope))
        return out

    def eval_Dict(self, node, scope):
        out = {}
        for el in node.elements:
            if type(el) is cst.StarredDictElement:
                other = self.eval(el.value, scope)
                if not isinstance(other, dict):
                    return Unknown("dict unpacks entries cnnlint cannot list")
                out.update(other)
                continue
            key = self.eval(el.key, scope)
            if isinstance(key, Unknown):
                return Unknown("dict with an unknown key")
            try:
                out[key] = self.eval(el.value, scope)
            except TypeError:
                return Unknown("dict key")
        return out

    def eval_Comparison(self, node, scope):
        left = self.eval(node.left, scope)
        result: Any = True
        for target in node.comparisons:
            right = self.eval(target.comparator, scope)
            if (isinstance(left, Tensor) or isinstance(right, Tensor)) and len(node.comparisons) == 1:
                from cnnlint.overlays.tensor_methods import compare_tensors

                found = compare_tensors(self, type(target.operator).__name__, left, right, node)
                if found is not None:
                    return found
            r = compare(type(target.operator).__name__, left, right)
            if r is False:
                return False
            if isinstance(r, Unknown):
                result = r
            left = right
        return result

    def eval_BooleanOperation(self, node, scope):
        left = self.eval(node.left, scope)
        t = self.truth(left)
        if type(node.operator) is cst.And:
            if t is False:
                return left
            right = self.eval(node.right, scope)
            return right if t is True else (Unknown("condition") if self.truth(right) is not False else False)
        if t is True:
            return left
        right = self.eval(node.right, scope)
        return right if t is False else (Unknown("condition") if self.truth(right) is not True else True)

    def eval_UnaryOperation(self, node, scope):
        value = self.eval(node.expression, scope)
        op = type(node.operator).__name__
        if op == "Not":
            t = self.truth(value)
            return Unknown("condition") if isinstance(t, Unknown) else not t
        if isinstance(value, Tensor):
            return value
        if isinstance(value, SymFloat):
            return SymFloat(-value.expr) if op == "Minus" else value if op == "Plus" else Unknown("unary operation")
        if op == "Minus" and (dims.is_dim(value) or isinstance(value, float)):
            return dims.norm(-value)
        if op == "Plus":
            return value
        if op == "BitInvert" and isinstance(value, int):
            return ~value
        return Unknown("unary operation")

    def eval_BinaryOperation(self, node, scope):
        left = self.eval(node.left, scope)
        right = self.eval(node.right, scope)
        return self.binop(type(node.operator).__name__, left, right, node)

    def binop(self, op: str, left, right, node):
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            return _tensor_binop(self, op, left, right, node)
        if isinstance(left, SymbolicObj):
            left = self.symbol(left.name)
        if isinstance(right, SymbolicObj):
            right = self.symbol(right.name)
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return Unknown("arithmetic on an unknown value")
        if left is None or right is None:
            return Unknown("arithmetic on None")
        if type(left) is SymFloat or type(right) is SymFloat or (
                (dims.is_symbolic(left) or dims.is_symbolic(right)) and
                (op in ("Divide", "Power") or type(left) is float or type(right) is float)):
            return _float_binop(op, left, right)
        try:
            if op == "Add":
                return dims.norm(left + right)
            if op == "Subtract":
                return dims.norm(left - right)
            if op == "Multiply":
                if isinstance(left, (list, tuple, str)) and not isinstance(right, int):
                    return Unknown("sequence repeat")
                if isinstance(right, (list, tuple, str)) and not isinstance(left, int):
                    return Unknown("sequence repeat")
                out = left * right
                return SizeTuple(out) if isinstance(left, SizeTuple) else dims.norm(out)
            if op == "Divide":
                if dims.is_symbolic(left) or dims.is_symbolic(right):
                    return dims.norm(left / right)
                return left / right
            if op == "FloorDivide":
                if dims.is_symbolic(left) or dims.is_symbolic(right):
                    return dims.floordiv(left, right)
                return left // right
            if op == "Modulo":
                if isinstance(left, str):
                    values = right if isinstance(right, tuple) else (right,)
                    if all(isinstance(v, (int, float, str)) for v in values):
                        return left % right
                    return Unknown("string formatting")
                if dims.is_symbolic(left) or dims.is_symbolic(right):
                    return Unknown("symbolic remainder")
                return left % right
            if op == "Power":
                if isinstance(right, int) and abs(right) > 64:
                    return Unknown("large power")
                return dims.norm(left ** right)
            if op in ("BitOr", "BitAnd", "BitXor", "LeftShift", "RightShift") and isinstance(left, int) \
                    and isinstance(right, int):
                return {"BitOr": left | right, "BitAnd": left & right, "BitXor": left ^ right,
                        "LeftShift": left << min(right, 64), "RightShift": left >> right}[op]
        except Exception:
            return Unknown("arithmetic")
        return Unknown(f"operator {op}")

    def eval_IfExp(self, node, scope):
        t = self.truth(self.eval(node.test, scope))
        if t is True:
            return self.eval(node.body, scope)
        if t is False:
            return self.eval(node.orelse, scope)
        a, b = self.eval(node.body, scope), self.eval(node.orelse, scope)
        return join(a, b, node)

    def eval_Lambda(self, node, scope):
        return Function("<lambda>", node, scope)

    def eval_Attribute(self, node, scope):
        obj = self.eval(node.value, scope)
        name = node.attr.value
        if type(obj) is Obj:  # `self.conv1`: a submodule or attribute, the common case
            found = obj.children.get(name, _MISSING)
            if found is not _MISSING:
                return found
        return _get_attribute(self, obj, name, node)

    def eval_Subscript(self, node, scope):
        subscript = _subscript
        value = self.eval(node.value, scope)
        keys = []
        for el in node.slice:
            s = el.slice
            if type(s) is cst.Index:
                keys.append(self.eval(s.value, scope))
            else:
                parts = [None if p is None else self.eval(p, scope) for p in (s.lower, s.upper, s.step)]
                if any(isinstance(p, Unknown) for p in parts):
                    keys.append(Unknown("slice bound"))
                else:
                    try:
                        keys.append(slice(*parts))
                    except TypeError:
                        keys.append(Unknown("slice"))
        key = keys[0] if len(keys) == 1 else tuple(keys)
        return subscript(self, value, key, node)

    def eval_ListComp(self, node, scope):
        return self.comprehension(node, scope, list)

    def eval_GeneratorExp(self, node, scope):
        return self.comprehension(node, scope, list)

    def eval_SetComp(self, node, scope):
        out = self.comprehension(node, scope, list)
        return _BUILTINS["set"].fn(self, [out], {}, node) if isinstance(out, list) else out

    def eval_DictComp(self, node, scope):
        out = self.comprehension(node, scope, list, pairs=True)
        return dict(out) if isinstance(out, list) else out

    def comprehension(self, node, scope, kind, pairs=False):
        local = Scope(scope)
        results = []

        def run(for_in, depth):
            items = self.iterate(self.eval(for_in.iter, local))
            if isinstance(items, Unknown) or len(items) > MAX_LOOP:
                raise _CompUnknown()
            for item in items:
                self.assign(for_in.target, item, local)
                ok = True
                for cond in for_in.ifs:
                    t = self.truth(self.eval(cond.test, local))
                    if isinstance(t, Unknown):
                        raise _CompUnknown()
                    if not t:
                        ok = False
                        break
                if not ok:
                    continue
                if for_in.inner_for_in is not None:
                    run(for_in.inner_for_in, depth + 1)
                elif pairs:
                    key = self.eval(node.key, local)
                    if isinstance(key, Unknown):
                        raise _CompUnknown()
                    results.append((key, self.eval(node.value, local)))
                else:
                    results.append(self.eval(node.elt, local))

        try:
            run(node.for_in, 0)
        except _CompUnknown:
            return Unknown("a comprehension over values cnnlint cannot list")
        return kind(results)

    def eval_NamedExpr(self, node, scope):
        value = self.eval(node.value, scope)
        self.assign(node.target, value, scope)
        return value

    def eval_Await(self, node, scope):
        return Unknown("await")

    def eval_Yield(self, node, scope):
        return Unknown("yield")

    def eval_Call(self, node, scope):
        if type(node.func) is cst.Name and node.func.value == "super" and scope.lookup("super") is _MISSING:
            from cnnlint.interpret.classes import make_super

            args, _, _ = self.eval_args(node.args, scope)
            return make_super(self, scope, args)
        receiver = _MISSING
        if type(node.func) is cst.Attribute:
            receiver = self.eval(node.func.value, scope)
            self.steps += 1
            found = receiver.children.get(node.func.attr.value, _MISSING) if type(receiver) is Obj else _MISSING
            func = found if found is not _MISSING else _get_attribute(self, receiver, node.func.attr.value, node.func)
            if isinstance(func, Unknown) and (isinstance(receiver, (list, dict)) or isinstance(receiver, Layer) and
                                              receiver.is_container and node.func.attr.value in MUTATORS):
                mark_incomplete(receiver, "items")  # `layers.sort(...)`: a method cnnlint does not model
        else:
            func = self.eval(node.func, scope)
        args, kwargs, arg_nodes = self.eval_args(node.args, scope)
        if type(node.func) is cst.Attribute and node.func.attr.value.endswith("_") and \
                not node.func.attr.value.startswith("_") and type(node.func.value) is cst.Name:
            receiver = scope.lookup(node.func.value.value)
            if isinstance(receiver, Tensor):
                return self.inplace(receiver, node.func.attr.value, args, kwargs, node, scope)
        if self.module_stack[-1] is not self.file.scope:
            result = self.call(func, args, kwargs, node, arg_nodes)
        else:
            self.main_sites.append(node)
            try:
                result = self.call(func, args, kwargs, node, arg_nodes)
            finally:
                self.main_sites.pop()
        if RECORDER is not None:
            RECORDER.call(self, node, scope, func, args, kwargs, result)
        return result

    def inplace(self, x: Tensor, method: str, args, kwargs, node, scope):
        """``x.unsqueeze_(1)``: the shape of ``x`` itself changes."""
        from cnnlint.interpret.tensors import METHODS

        base = method[:-1]
        if base not in ("unsqueeze", "squeeze", "transpose", "t", "swapaxes", "swapdims", "resize", "resize_as",
                        "as_strided", "set"):
            return x  # elementwise in place: the shape stays
        fn = METHODS.get(base)
        result = fn(self, x, args, kwargs, node) if fn is not None else Tensor(None)
        if not isinstance(result, Tensor):
            result = Tensor(None)
        self.assign(node.func.value, result, scope)
        return result

    def eval_args(self, arg_nodes, scope):
        args, kwargs, nodes = [], {}, {}
        for a in arg_nodes:
            if a.star == "*":
                items = self.iterate(self.eval(a.value, scope))
                if isinstance(items, Unknown):
                    args.append(_STAR_UNKNOWN)
                else:
                    args.extend(items)
            elif a.star == "**":
                d = self.eval(a.value, scope)
                if isinstance(d, dict):
                    kwargs.update({k: v for k, v in d.items() if isinstance(k, str)})
                else:
                    kwargs[_KW_UNKNOWN] = True
            elif a.keyword is not None:
                kwargs[a.keyword.value] = self.eval(a.value, scope)
                nodes[a.keyword.value] = a.value
            else:
                nodes[len(args)] = a.value
                args.append(self.eval(a.value, scope))
        return args, kwargs, nodes

    # --- values ------------------------------------------------------------------------

    def truth(self, value):
        if isinstance(value, (Unknown, Tensor, SymbolicObj)):
            return Unknown("condition")
        if type(value) is SymFloat:
            value = value.expr
        if dims.is_symbolic(value):
            try:
                return bool(value)
            except TypeError:
                return Unknown("condition on a symbolic size")
        if isinstance(value, Layer) and value.is_container:
            return Unknown("condition") if INCOMPLETE in value.children else bool(value.children)
        if isinstance(value, (Layer, Obj, Function, Builtin, UserClass, Qual, Partial)):
            return True
        if isinstance(value, (list, tuple)) and any(v is _STAR_UNKNOWN for v in value):
            return Unknown("condition")
        try:
            return bool(value)
        except Exception:
            return Unknown("condition")

    def iterate(self, value):
        return _iterate(self, value)

    def getattr(self, obj, name: str, node=None):
        return _get_attribute(self, obj, name, node)

    # --- calls -------------------------------------------------------------------------

    def call(self, func, args, kwargs, node, arg_nodes=None):
        self.tick()
        if _KW_UNKNOWN in kwargs or any(a is _STAR_UNKNOWN for a in args):
            if isinstance(func, Obj):
                from cnnlint.interpret.unlisted import unlisted_arguments

                args, kwargs = unlisted_arguments(self, func, args, kwargs, _STAR_UNKNOWN, _KW_UNKNOWN)
            elif isinstance(func, Builtin) and getattr(func.fn, "takes_unlisted", False):
                # nn.Sequential.__init__(*layers) of a subclass: the modules it holds are not known
                return func.fn(self, [a if a is not _STAR_UNKNOWN else Unknown("*args") for a in args],
                               {(k if k is not _KW_UNKNOWN else "**unlisted"): v for k, v in kwargs.items()}, node)
            elif isinstance(func, (Layer, Obj)):
                args = [a for a in args if a is not _STAR_UNKNOWN]
                kwargs = {k: v for k, v in kwargs.items() if k is not _KW_UNKNOWN}
            else:
                spoil(list(args) + list(kwargs.values()))
                return self.unknown_call(func, args, node, "arguments cnnlint cannot list")
        if isinstance(func, Function):
            return self.call_function(func, args, kwargs, node)
        if isinstance(func, UserClass):
            return self.instantiate(func, args, kwargs, node)
        if isinstance(func, (Layer, Obj)):
            return self.call_module(func, args, kwargs, node)
        if isinstance(func, Builtin):
            if func.bound is not None:
                return func.fn(self, func.bound, args, kwargs, node)
            return func.fn(self, args, kwargs, node)
        if isinstance(func, Qual):
            return _call_qual(self, func.name, args, kwargs, node, arg_nodes or {})
        if isinstance(func, Partial):
            merged = dict(func.kwargs)
            merged.update(kwargs)
            return self.call(func.func, list(func.args) + list(args), merged, node)
        if isinstance(func, SuperProxy):
            return Unknown("super object call")
        spoil(list(args) + list(kwargs.values()))  # code cnnlint cannot see may change a list it is given
        return self.unknown_call(func, args, node, "a call cnnlint cannot follow")

    def unknown_call(self, func, args, node, why):
        if any(isinstance(a, Tensor) for a in args):
            desc = func.reason if isinstance(func, Unknown) else why
            after = "its value is not used, so the shapes go on" if node is self.unused and node is not None \
                else "shapes after it are unknown"
            self.note(node, f"cannot follow {code_of(node.func) if hasattr(node, 'func') else 'a call'}(...) "
                            f"({desc}); {after}")
        return Unknown(why)

    def call_function(self, func: Function, args, kwargs, node, self_obj=_MISSING):
        if self.depth > MAX_DEPTH:
            spoil(list(args) + list(kwargs.values()))
            return Unknown("recursion too deep")
        fnode = func.node
        scope = Scope(func.scope)
        params = fnode.params
        if func.bound is not None:
            args = [func.bound] + list(args)
        ok = self.bind_params(params, args, kwargs, scope, func)
        if not ok:
            owner = func.owner.name if func.owner is not None and func.name == "__init__" else func.name
            if node is not None and self.module_stack[-1] is self.file.scope:
                self.note(node, f"{owner}(...) is called {self.bind_error}; Python would raise TypeError, "
                                "and what it builds is unknown")
            return Unknown(f"call to {owner}() with arguments that do not fit")
        scope.vars["__class__"] = func.owner
        if type(fnode) is cst.Lambda:
            self.depth += 1
            try:
                return self.eval(fnode.body, scope)
            finally:
                self.depth -= 1
        self.depth += 1
        self.frames.append([])
        self.running.append(fnode)
        self.module_stack.append(func.scope.module())
        try:
            try:
                self.exec_block(fnode.body, scope)
                result = None
            except ReturnSignal as ret:
                result = ret.value
            pending = self.frames[-1]
            for other in pending:
                result = join(result, other, fnode)
            return result
        except DeadPath:
            pending = self.frames[-1]
            if pending:
                result = pending[0]
                for other in pending[1:]:
                    result = join(result, other, fnode)
                return result
            return Unknown(f"{func.name}() raises")
        except (BreakSignal, ContinueSignal):
            return None
        finally:
            self.module_stack.pop()
            self.frames.pop()
            self.running.pop()
            self.depth -= 1

    def bind_params(self, params: cst.Parameters, args, kwargs, scope: Scope, func) -> bool:
        """Bind a call's arguments; on a mismatch, ``self.bind_error`` says what did not fit."""
        self.bind_error = ""
        positional = list(params.posonly_params) + list(params.params)
        args = list(args)
        kwargs = dict(kwargs)
        for i, p in enumerate(positional):
            name = p.name.value
            if i < len(args):
                scope.vars[name] = args[i]
            elif name in kwargs:
                scope.vars[name] = kwargs.pop(name)
            elif p.default is not None:
                scope.vars[name] = self.eval(p.default, func.scope)
            else:
                self.bind_error = f"without its argument '{name}'"
                return False
        extra = args[len(positional):]
        if type(params.star_arg) is cst.Param:
            scope.vars[params.star_arg.name.value] = tuple(extra)
        elif extra:
            self.bind_error = f"with {len(extra)} argument(s) too many"
            return False
        for p in params.kwonly_params:
            name = p.name.value
            if name in kwargs:
                scope.vars[name] = kwargs.pop(name)
            elif p.default is not None:
                scope.vars[name] = self.eval(p.default, func.scope)
            else:
                self.bind_error = f"without its argument '{name}'"
                return False
        if params.star_kwarg is not None:
            scope.vars[params.star_kwarg.name.value] = kwargs
        elif kwargs:
            self.bind_error = f"with unexpected argument(s) {', '.join(map(str, kwargs))}"
            return False
        return True

    # --- classes and modules -------------------------------------------------------------

    def instantiate(self, cls: UserClass, args, kwargs, node):
        return _instantiate(self, cls, args, kwargs, node)

    def call_module(self, module, args, kwargs, node):
        return _call_module(self, module, args, kwargs, node)


def _float_binop(op: str, left, right):
    """Arithmetic where Python gives a float and a size is symbolic (``4.0 * dim``, ``dim / 2``):
    a SymFloat, exact; a concrete result is a plain float."""
    floats = type(left) is SymFloat or type(right) is SymFloat or type(left) is float or type(right) is float
    a = left.expr if type(left) is SymFloat else left
    b = right.expr if type(right) is SymFloat else right
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) or dims.is_symbolic(v) for v in (a, b)):
        return Unknown(f"operator {op}")
    a, b = dims.exact(a), dims.exact(b)
    if a is None or b is None:
        return Unknown("arithmetic")
    try:
        if op == "Add":
            out = a + b
        elif op == "Subtract":
            out = a - b
        elif op == "Multiply":
            out = a * b
        elif op == "Divide":
            floats = True
            out = a / b
        elif op == "Power":
            if not floats and dims.as_int(b) is not None and dims.as_int(b) >= 0:
                return dims.norm(a ** b)  # an int to a whole power: an int
            floats = True
            out = a ** b
        elif op == "FloorDivide":
            q = dims.floordiv(a, b) if b != 0 else None
            if q is None:
                return Unknown("floor division")
            out = q
        else:
            return Unknown(f"operator {op} on a float")
    except Exception:
        return Unknown("arithmetic")
    if dims.is_symbolic(out) and out.has(dims.sympy().zoo, dims.sympy().nan):
        return Unknown("arithmetic")
    if not dims.is_symbolic(out) or out.is_Number:
        value = dims.norm(out) if not dims.is_symbolic(out) else out
        try:
            return float(value) if floats else dims.norm(value)
        except (TypeError, ValueError):
            return Unknown("arithmetic")
    return SymFloat(out) if floats else dims.norm(out)


def _rule_error(code: str) -> bool:
    from cnnlint.rules import RULES

    return code not in RULES or RULES[code].severity == "error"


_CONSTANTS = {"None": None, "True": True, "False": False}


_EVAL: Dict[type, Any] = {}


def _eval_unknown(interp, node, scope):
    return Unknown(f"{type(node).__name__} expression")


class _CompUnknown(Exception):
    pass


_STAR_UNKNOWN = Unknown("*args of unknown length")
_KW_UNKNOWN = object()


_MODULE_WALKS = {"modules", "named_modules", "parameters", "named_parameters"}
_HARMLESS_CALLS = {"isinstance", "hasattr", "getattr", "len", "float", "int", "min", "max", "abs", "print",
                   "modules", "named_modules", "parameters", "named_parameters", "children", "named_children",
                   "dim", "size", "numel", "ndimension"}
_init_verdicts: Dict[int, Tuple[Any, bool]] = {}  # id(For node) -> (the node, verdict)


def _only_initialises(stmt: cst.For) -> bool:
    """Whether a loop walks a model's modules or parameters and only initialises weights in place:
    its calls are `nn.init.*`, in-place tensor methods (`m.weight.data.normal_(...)`) and
    harmless queries (`isinstance`, `m.weight.size(1)`, `math.sqrt`); it assigns only plain
    names and never returns, raises or breaks out."""
    seen = _init_verdicts.get(id(stmt))
    if seen is not None and seen[0] is stmt:
        return seen[1]
    verdict = _judge_init_loop(stmt)
    if len(_init_verdicts) > 10_000:
        _init_verdicts.clear()
    _init_verdicts[id(stmt)] = (stmt, verdict)
    return verdict


def _judge_init_loop(stmt: cst.For) -> bool:
    from cnnlint.source import walk

    it = stmt.iter
    if stmt.orelse is not None or stmt.asynchronous is not None or type(it) is not cst.Call or \
            type(it.func) is not cst.Attribute or it.func.attr.value not in _MODULE_WALKS:
        return False
    for node in walk(stmt.body):
        tp = type(node)
        if tp in (cst.Return, cst.Raise, cst.Yield, cst.Break, cst.Global, cst.Nonlocal, cst.Del, cst.Import,
                  cst.ImportFrom, cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.While, cst.With, cst.Await,
                  cst.NamedExpr, cst.Try):
            return False
        if tp is cst.AssignTarget and type(node.target) is not cst.Name:
            return False
        if tp in (cst.AugAssign, cst.AnnAssign) and type(node.target) is not cst.Name:
            return False
        if tp is cst.Call:
            name = dotted(node.func)
            if name is None:
                return False
            receiver, _, last = name.rpartition(".")
            in_place = last.endswith("_") and not last.startswith("_") and (
                receiver.endswith((".weight", ".bias", ".data")) or (receiver and "." not in receiver))
            query = last in _HARMLESS_CALLS and (not receiver or last not in ("isinstance", "hasattr", "getattr",
                                                                              "len", "print"))
            if not (in_place or query or name.startswith(("nn.init.", "init.", "torch.nn.init.", "math."))):
                return False
    return True


def code_of(node) -> str:
    from cnnlint.fromast import text_of

    text = text_of(node)  # the file's own text, for a node built from the ast
    if text is not None:
        return text
    try:
        return cst.Module([]).code_for_node(node)
    except Exception:
        return "call"


def join(a, b, node):
    """The value a name has after two paths that may set it differently."""
    if a is b:
        return a
    if a is _MISSING or b is _MISSING:
        return Unknown("set on one path only")
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        if a.shape is not None and b.shape is not None and len(a.shape) == len(b.shape):
            shape = tuple(x if dims.same(x, y) else None for x, y in zip(a.shape, b.shape))
            return Tensor(shape)
        return Tensor(None)
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return Tensor(None)
    try:
        if type(a) is type(b) and not isinstance(a, (Layer, Obj)) and a == b:
            return a
    except Exception:
        pass
    if dims.is_dim(a) and dims.is_dim(b) and dims.same(a, b):
        return a
    return Unknown("differs between the branches of a condition")


def _same_torch_class(left, right):
    """For two names of torch.nn classes (`torch.nn.ReLU`, `torch.nn.modules.activation.ReLU`):
    whether they name the same class; None for anything else."""
    if isinstance(left, Qual) and isinstance(right, Qual) and left.name.startswith("torch.nn.") and \
            right.name.startswith("torch.nn.") and not left.name.startswith("torch.nn.functional.") and \
            not right.name.startswith("torch.nn.functional."):
        return left.name.rsplit(".", 1)[1] == right.name.rsplit(".", 1)[1]
    return None


def compare(op: str, left, right):
    if type(left) is SymFloat:
        left = left.expr
    if type(right) is SymFloat:
        right = right.expr
    same_class = _same_torch_class(left, right)
    if same_class is not None and op in ("Is", "IsNot", "Equal", "NotEqual"):
        return same_class if op in ("Is", "Equal") else not same_class  # `type(m) is nn.ReLU`
    if op in ("Is", "IsNot"):
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return Unknown("identity test")
        r = left is right or (left is None and right is None)
        if isinstance(left, (int, str, bool)) and isinstance(right, (int, str, bool)):
            r = left == right and type(left) is type(right)
        return r if op == "Is" else not r
    if op in ("In", "NotIn"):
        if isinstance(right, (set, frozenset)) and (isinstance(left, (Unknown, SymbolicObj, Tensor)) or
                                                    dims.is_symbolic(left)):
            return Unknown("membership")
        if isinstance(right, (list, tuple, dict, str, set, frozenset)) and not isinstance(left, Unknown):
            try:
                if isinstance(right, (list, tuple)) and any(isinstance(v, Unknown) for v in right):
                    return Unknown("membership")
                if isinstance(right, dict) and INCOMPLETE_KEY in right:
                    return Unknown("membership")
                r = left in right
            except Exception:
                return Unknown("membership")
            return r if op == "In" else not r
        if isinstance(right, Layer) and isinstance(left, str):
            r = left in right.children
            return r if op == "In" else not r
        if isinstance(right, NameListing) and isinstance(left, str):
            from cnnlint.overlays.torch_names import has_name

            if has_name(right.module, left):  # `"silu" in dir(F)`: known names only, never False
                return op == "In"
        return Unknown("membership")
    if isinstance(left, (Unknown, Tensor, SymbolicObj)) or isinstance(right, (Unknown, Tensor, SymbolicObj)):
        return Unknown("comparison")
    try:
        if op == "Equal":
            if dims.is_symbolic(left) or dims.is_symbolic(right):
                return True if dims.same(left, right) else Unknown("symbolic comparison")
            return left == right
        if op == "NotEqual":
            if dims.is_symbolic(left) or dims.is_symbolic(right):
                return False if dims.same(left, right) else Unknown("symbolic comparison")
            return left != right
        fn = {"LessThan": lambda a, b: a < b, "GreaterThan": lambda a, b: a > b,
              "LessThanEqual": lambda a, b: a <= b, "GreaterThanEqual": lambda a, b: a >= b}[op]
        r = fn(left, right)
        if dims.is_symbolic(r) or not isinstance(r, bool):
            try:
                return bool(r)
            except TypeError:
                return Unknown("symbolic comparison")
        return r
    except Exception:
        return Unknown("comparison")


MUTATORS = {"append", "extend", "insert", "add_module", "register_module", "update", "register_buffer",
            "register_parameter", "setdefault", "pop", "remove", "sort", "reverse", "clear", "popitem",
            "__setitem__", "__delitem__", "__iadd__", "__imul__"}


_ATTR_MUTATORS = {"register_buffer": "buffer", "register_parameter": "attr"}


def mutated_targets(stmt):
    """(kind, expression, attribute) for what a block mutates: ``x.append(..)`` -> ("items", x, None);
    ``self.a = ..`` -> ("attr", self, "a")."""
    from cnnlint.source import walk

    found = []

    def target(t):
        tp = type(t)
        if tp is cst.Attribute:
            found.append(("attr", t.value, t.attr.value))
        elif tp is cst.Subscript:
            found.append(("items", t.value, None))
        elif tp is cst.Tuple or tp is cst.List:
            for e in t.elements:
                target(e.value)

    for node in walk(stmt):
        tp = type(node)
        if tp is cst.Call:
            if type(node.func) is cst.Attribute and node.func.attr.value in _ATTR_MUTATORS:
                # a buffer is neither a submodule nor a parameter; a parameter adds to the count
                found.append((_ATTR_MUTATORS[node.func.attr.value], node.func.value, None))
            elif type(node.func) is cst.Attribute and node.func.attr.value in MUTATORS:
                found.append(("items", node.func.value, None))
            elif type(node.func) is cst.Name and node.func.value == "setattr" and node.args:
                found.append(("attr", node.args[0].value, None))
        elif tp is cst.AssignTarget:
            target(node.target)
        elif tp is cst.AugAssign:
            target(node.target)
            if type(node.target) is cst.Name:  # `x += [...]` changes the list x names
                found.append(("items", node.target, None))
        elif tp is cst.Del:
            dels = node.target.elements if type(node.target) in (cst.Tuple, cst.List) else [node.target]
            for d in dels:
                d = getattr(d, "value", d)
                if type(d) is cst.Subscript:
                    found.append(("items", d.value, None))
                elif type(d) is cst.Attribute:
                    found.append(("attr", d.value, d.attr.value))
    return found


def mark_incomplete(obj, kind, attr=None):
    """``obj`` was changed in a way cnnlint cannot follow: a list's length and items become
    unknown, a dict's keys and values; a module's submodules or an attribute."""
    lost = Unknown("changed by code cnnlint cannot run")
    if kind == "buffer":  # a buffer changes neither the submodules nor the parameter count
        return
    if isinstance(obj, list):
        if not any(v is _STAR_UNKNOWN for v in obj):
            obj[:] = [_STAR_UNKNOWN]  # no item is known any more, nor how many there are
    elif isinstance(obj, dict):
        for key in obj:
            obj[key] = lost
        obj[INCOMPLETE_KEY] = lost
    elif isinstance(obj, Layer):
        obj.children[INCOMPLETE] = lost
    elif isinstance(obj, Obj):
        if kind == "items":
            obj.children[INCOMPLETE] = lost
        elif attr is not None:
            obj.children.pop(attr, None)
            obj.attrs[attr] = lost
            obj.params.append((attr, None))
        else:
            obj.params.append(("?", None))


def spoil(values) -> None:
    """Lists and dicts handed to code cnnlint does not run may come back changed."""
    for v in values:
        if type(v) is list or type(v) is dict:
            mark_incomplete(v, "items")


def _incomplete(obj) -> bool:
    if isinstance(obj, list):
        return any(v is _STAR_UNKNOWN for v in obj)
    if isinstance(obj, dict):
        return INCOMPLETE_KEY in obj
    return INCOMPLETE in obj.children


def _plain_index(key) -> bool:
    return isinstance(key, int) and not isinstance(key, bool)


def set_item(interp, container, key, value) -> bool:
    """``container[key] = value`` as Python (and torch's containers) do it; False when cnnlint
    cannot tell what it does."""
    interp.touched(container)
    if isinstance(key, Unknown) or isinstance(key, SymbolicObj) or dims.is_symbolic(key):
        return False
    if isinstance(container, list):
        if _incomplete(container):
            return True  # stays unknown
        if _plain_index(key):
            if -len(container) <= key < len(container):
                container[key] = value
                return True
            return False  # IndexError in Python
        if isinstance(key, slice):
            items = interp.iterate(value)
            if isinstance(items, Unknown):
                return False
            try:
                container[key] = list(items)
            except (ValueError, TypeError):
                return False
            return True
        return False
    if isinstance(container, dict):
        try:
            container[key] = value
        except TypeError:
            return False
        return True
    if isinstance(container, Layer) and container.is_container and INCOMPLETE not in container.children:
        keys = list(container.children)
        if container.kind == "ModuleDict" and isinstance(key, str):
            container.children[key] = value
            return True
        if container.kind != "ModuleDict" and _plain_index(key) and -len(keys) <= key < len(keys):
            container.children[keys[key]] = value  # the name at that position keeps its place
            return True
    return False


def del_item(container, key) -> bool:
    """``del container[key]``; False when cnnlint cannot tell what it does."""
    if isinstance(key, Unknown) or isinstance(key, SymbolicObj) or dims.is_symbolic(key):
        return False
    if isinstance(container, list):
        if _incomplete(container):
            return True
        if _plain_index(key) or isinstance(key, slice):
            try:
                del container[key]
            except (IndexError, TypeError, ValueError):
                return False
            return True
        return False
    if isinstance(container, dict):
        if INCOMPLETE_KEY in container:
            return True
        try:
            del container[key]
        except (KeyError, TypeError):
            return False
        return True
    if isinstance(container, Layer) and container.is_container and INCOMPLETE not in container.children:
        keys = list(container.children)
        if container.kind == "ModuleDict" and isinstance(key, str) and key in container.children:
            del container.children[key]
            return True
        if container.kind != "ModuleDict" and (_plain_index(key) or isinstance(key, slice)):
            try:
                gone = keys[key] if isinstance(key, slice) else [keys[key]]
            except IndexError:
                return False
            kept = [v for k, v in container.children.items() if k not in gone]
            container.children.clear()
            if container.kind == "ModuleList" or all(k.isdigit() for k in keys):
                container.children.update({str(i): v for i, v in enumerate(kept)})  # renumbered, as torch does
            else:
                container.children.update({k: v for k, v in zip([k for k in keys if k not in gone], kept)})
            return True
    return False


def in_place_op(interp, op: str, current, value):
    """``x += y`` / ``x *= n`` / ``d |= e`` on a list or dict: the object itself changes."""
    interp.touched(current)
    if isinstance(current, list):
        if _incomplete(current):
            return current
        if op == "Add":
            items = interp.iterate(value)
            if isinstance(items, Unknown) or isinstance(value, (str,)) and False:
                mark_incomplete(current, "items")
            else:
                current.extend(items)
            return current
        if op == "Multiply" and _plain_index(value):
            current[:] = current * value
            return current
    if isinstance(current, dict) and op == "BitOr" and isinstance(value, dict) and INCOMPLETE_KEY not in value:
        current.update(value)
        return current
    mark_incomplete(current, "items")
    return current


def assigned_names(stmt) -> List[str]:
    from cnnlint.source import walk

    names: List[str] = []
    for node in walk(stmt):
        tp = type(node)
        if tp is cst.AssignTarget:
            names.extend(_target_names(node.target))
        elif tp is cst.AugAssign or tp is cst.AnnAssign or tp is cst.For:
            names.extend(_target_names(node.target))
    return names


def _target_names(t):
    if type(t) is cst.Name:
        return [t.value]
    if type(t) in (cst.Tuple, cst.List):
        out = []
        for e in t.elements:
            out.extend(_target_names(e.value))
        return out
    return []
