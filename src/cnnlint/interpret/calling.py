"""The interpreter's calls: evaluating a call expression, binding arguments to parameters, running a
user function, and handing torch layers, builtins and library calls to their knowledge. A mixin of ``core.Interp``.
"""
from __future__ import annotations

from typing import Any

import libcst as cst

from cnnlint.abstract.findings import code_of
from cnnlint.abstract.mutation import MUTATORS, _KW_UNKNOWN, _STAR_UNKNOWN, mark_incomplete, spoil
from cnnlint.abstract.scope import Scope
from cnnlint.abstract.values import (Builtin, Function, Layer, Obj, Partial, Qual, SuperProxy, Tensor,
                                     Unknown, UserClass, _MISSING)
from cnnlint.interpret.imports import absolute
from cnnlint.interpret.instances import instantiate as _instantiate, make_super
from cnnlint.interpret.library import call_qual as _call_qual, get_attribute as _get_attribute
from cnnlint.interpret.limits import MAX_DEPTH
from cnnlint.interpret.modules import call_module as _call_module
from cnnlint.interpret.operators import join
from cnnlint.interpret.signals import BreakSignal, ContinueSignal, DeadPath, ReturnSignal
from cnnlint.interpret.unlisted import unlisted_arguments
from cnnlint.overlays.tensor_basics import METHODS


class Calls:
    def eval_Call(self, node, scope):
        if type(node.func) is cst.Name and node.func.value == "super" and scope.lookup("super") is _MISSING:
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
                    if any(not isinstance(k, str) for k in d):  # filled by code cnnlint cannot run
                        kwargs[_KW_UNKNOWN] = True
                else:
                    kwargs[_KW_UNKNOWN] = True
            elif a.keyword is not None:
                kwargs[a.keyword.value] = self.eval(a.value, scope)
                nodes[a.keyword.value] = a.value
            else:
                nodes[len(args)] = a.value
                args.append(self.eval(a.value, scope))
        return args, kwargs, nodes

    def call(self, func, args, kwargs, node, arg_nodes=None):
        self.tick()
        if _KW_UNKNOWN in kwargs or any(a is _STAR_UNKNOWN for a in args):
            if isinstance(func, Obj):
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
            name = absolute(func) if func.name.startswith(".") else func.name  # inside a library package
            return _call_qual(self, name, args, kwargs, node, arg_nodes or {})
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
        self.sites.append((node, fnode, func.bound is not None))
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
            self.sites.pop()
            self.depth -= 1

    def bind_params(self, params: cst.Parameters, args, kwargs, scope: Scope, func) -> bool:
        """Bind a call's arguments; on a mismatch, ``self.bind_error`` says what did not fit."""
        self.bind_error = ""
        positional = list(params.posonly_params) + list(params.params)
        args = list(args)
        kwargs = dict(kwargs)
        for i, p in enumerate(positional):
            if i < len(args):
                scope.vars[p.name.value] = args[i]
            elif not self._bind_named(p, kwargs, scope, func):
                return False
        extra = args[len(positional):]
        if type(params.star_arg) is cst.Param:
            scope.vars[params.star_arg.name.value] = tuple(extra)
        elif extra:
            self.bind_error = f"with {len(extra)} argument(s) too many"
            return False
        for p in params.kwonly_params:
            if not self._bind_named(p, kwargs, scope, func):
                return False
        if params.star_kwarg is not None:
            scope.vars[params.star_kwarg.name.value] = kwargs
        elif kwargs:
            self.bind_error = f"with unexpected argument(s) {', '.join(map(str, kwargs))}"
            return False
        return True


    def _bind_named(self, p, kwargs, scope: Scope, func) -> bool:
        """A parameter not given by position: by keyword, else its default, else a bind error."""
        name = p.name.value
        if name in kwargs:
            scope.vars[name] = kwargs.pop(name)
        elif p.default is not None:
            scope.vars[name] = self.eval(p.default, func.scope)
        else:
            self.bind_error = f"without its argument '{name}'"
            return False
        return True

    def instantiate(self, cls: UserClass, args, kwargs, node):
        return _instantiate(self, cls, args, kwargs, node)

    def call_module(self, module, args, kwargs, node):
        return _call_module(self, module, args, kwargs, node)


# An object with a method ``call(interp, node, scope, func, args, kwargs, result)``, told of every
# call expression evaluated (bench/coverage.py installs one); None, the default, costs one test.
RECORDER: Any = None
