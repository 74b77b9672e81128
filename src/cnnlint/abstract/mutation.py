"""Changing values in place: item assignment and deletion, list/dict mutators, augmented
assignment, copies; and marking a container incomplete when a change cannot be followed.
"""
from __future__ import annotations

from typing import List

import libcst as cst

from cnnlint import dims
from cnnlint.abstract.values import INCOMPLETE, INCOMPLETE_KEY, Layer, Obj, SizeTuple, SymbolicObj, Tensor, Unknown
from cnnlint.nodes import walk

_STAR_UNKNOWN = Unknown("*args of unknown length")


_KW_UNKNOWN = object()


MUTATORS = {"append", "extend", "insert", "add_module", "register_module", "update", "register_buffer",
            "register_parameter", "setdefault", "pop", "remove", "sort", "reverse", "clear", "popitem",
            "__setitem__", "__delitem__", "__iadd__", "__imul__"}


_ATTR_MUTATORS = {"register_buffer": "buffer", "register_parameter": "attr"}


def mutated_targets(stmt):
    """(kind, expression, attribute) for what a block mutates: ``x.append(..)`` -> ("items", x, None);
    ``self.a = ..`` -> ("attr", self, "a")."""
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


def deep_copy(value, memo=None):
    """copy.deepcopy of modules: a new module with copies of its submodules (new parameters)."""
    memo = {} if memo is None else memo
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, Layer):
        out = Layer(value.kind, dict(value.args), value.node, in_loop=value.in_loop, sites=value.sites)
        memo[id(value)] = out
        if getattr(value, "functional", None):
            out.functional = value.functional  # type: ignore[attr-defined]
        if getattr(value, "extra_params", None):
            out.extra_params = dict(value.extra_params)  # type: ignore[attr-defined]
        if getattr(value, "reparam", None):
            out.reparam = dict(value.reparam)  # type: ignore[attr-defined]
        out.children.update({k: deep_copy(v, memo) for k, v in value.children.items()})
        return out
    if isinstance(value, Obj):
        out = Obj(value.cls, {}, {}, list(value.params), value.node,
                  deep_copy(value.base_layer, memo) if value.base_layer is not None else None)
        memo[id(value)] = out
        out.attrs.update({k: deep_copy(v, memo) for k, v in value.attrs.items()})
        out.children.update({k: deep_copy(v, memo) for k, v in value.children.items()})
        return out
    if isinstance(value, list):
        return [deep_copy(v, memo) for v in value]
    if isinstance(value, dict):
        return {k: deep_copy(v, memo) for k, v in value.items()}
    if isinstance(value, tuple) and not isinstance(value, SizeTuple):
        return tuple(deep_copy(v, memo) for v in value)
    return value


def shallow_copy(value):
    if isinstance(value, Obj) and not value.cls.is_module:
        return Obj(value.cls, dict(value.attrs), dict(value.children), list(value.params), value.node)
    if isinstance(value, (Layer, Obj)):
        return Unknown("copy.copy of a module")
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, (tuple, str, int, float, bool, type(None), Tensor)):
        return value
    return Unknown("copy")
