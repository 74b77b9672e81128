"""The interpreter's statements: blocks, if (both branches when the test is unknown), for/while,
match, assignment and deletion. A mixin of ``core.Interp``.
"""
from __future__ import annotations

from typing import Any, Dict, Tuple

import libcst as cst

from cnnlint import dims

from cnnlint.abstract.mutation import (assigned_names, del_item, in_place_op, mark_incomplete,
                                       mutated_targets, set_item)
from cnnlint.abstract.scope import Scope, dotted
from cnnlint.abstract.values import (INCOMPLETE, Function, UnknownPlain, Layer, Obj, Tensor, Unknown,
                                     UserClass, _MISSING, is_module)
from cnnlint.interpret.limits import MAX_LOOP
from cnnlint.interpret.module_methods import layer_attribute
from cnnlint.interpret.modulescope import bind_import
from cnnlint.interpret.operators import compare, join
from cnnlint.interpret.signals import BreakSignal, ContinueSignal, DeadPath, ReturnSignal
from cnnlint.nodes import walk


class Statements:
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
            elif isinstance(current, Layer) and current.is_container:
                # `self.layers += [...]`: ModuleList.__iadd__ extends it in place; a container
                # cnnlint does not follow this way is left incomplete, never silently unchanged
                result = current
                if op == "Add" and current.kind == "ModuleList":
                    self.call(self.getattr(current, "extend", small), [value], {}, small)
                else:
                    current.children[INCOMPLETE] = Unknown(f"{current.kind} {op}=")
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
            if isinstance(value, Unknown) and not isinstance(value, UnknownPlain) and obj.cls.is_module and \
                    name not in obj.children:
                # it may be a module cnnlint cannot build: its parameters are unknown
                if not any(n == name for n, _ in obj.params):
                    obj.params.append((name, None))
            if value is None and name in ("weight", "bias") and obj.base_layer is not None and \
                    name not in obj.attrs:
                # `self.bias = None` in a subclass of a torch layer: torch drops that parameter
                dropped = layer_attribute(self, obj.base_layer, name)
                if isinstance(dropped, Tensor) and dropped.param:
                    size = dims.prod(dropped.shape) if dropped.shape is not None else None
                    extra = dict(getattr(obj.base_layer, "extra_params", {}))
                    extra[f"-{name}"] = dims.mul(-1, size) if size is not None else None
                    obj.base_layer.extra_params = extra  # type: ignore[attr-defined]
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


_MODULE_WALKS = {"modules", "named_modules", "parameters", "named_parameters"}


_HARMLESS_CALLS = {"isinstance", "hasattr", "getattr", "len", "float", "int", "min", "max", "abs", "print",
                   "modules", "named_modules", "parameters", "named_parameters", "children", "named_children",
                   "dim", "size", "numel", "ndimension"}


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


_init_verdicts: Dict[int, Tuple[Any, bool]] = {}  # id(For node) -> (the node, verdict)
