"""Methods of the builtin containers and strings cnnlint keeps as Python values: dict, list, str,
and argparse parsers (``parser.add_argument`` / ``parse_args`` give their defaults).
"""
from __future__ import annotations

from cnnlint import dims
from cnnlint.abstract.mutation import mark_incomplete
from cnnlint.abstract.values import ArgParser, Builtin, INCOMPLETE_KEY, Namespace, Unknown
from cnnlint.overlays.builtins import _dict, _plain, it_star


def _argparse_method(parser: ArgParser, name: str):
    def add_argument(it, p, args, kwargs, node):
        flags = [a for a in args if isinstance(a, str)]
        longs = [f for f in flags if f.startswith("--")]
        dest = kwargs.get("dest") or (longs[0][2:] if longs else (flags[0].lstrip("-") if flags else None))
        if not isinstance(dest, str):
            return None
        if "default" in kwargs:
            value = kwargs["default"]
        elif kwargs.get("action") == "store_true":
            value = False
        elif kwargs.get("action") == "store_false":
            value = True
        elif flags and not flags[0].startswith("-"):
            value = Unknown(f"positional argument {dest}")  # given on the command line
        else:
            value = None
        p.defaults[dest.replace("-", "_")] = value
        return None

    def parse_args(it, p, args, kwargs, node):
        return Namespace(dict(p.defaults))

    def parse_known_args(it, p, args, kwargs, node):
        return (Namespace(dict(p.defaults)), [])

    table = {"add_argument": add_argument, "parse_args": parse_args, "parse_known_args": parse_known_args}
    fn = table.get(name)
    return Builtin(name, fn, bound=parser) if fn else Unknown(f"ArgumentParser.{name}")


def _dict_method(d: dict, name: str):
    def get(it, m, args, kwargs, node):
        if not args or isinstance(args[0], Unknown) or INCOMPLETE_KEY in m:
            return Unknown("dict.get")
        try:
            return m.get(args[0], args[1] if len(args) > 1 else None)
        except TypeError:
            return Unknown("dict.get")

    def items(it, m, a, k, n):
        return Unknown("items") if INCOMPLETE_KEY in m else list(m.items())

    def keys(it, m, a, k, n):
        return Unknown("keys") if INCOMPLETE_KEY in m else list(m.keys())

    def values(it, m, a, k, n):
        return Unknown("values") if INCOMPLETE_KEY in m else list(m.values())

    def update(it, m, a, k, n):
        it.touched(m)

        if a and isinstance(a[0], dict) and INCOMPLETE_KEY not in a[0]:
            m.update(a[0])
        elif a:
            pairs = _dict(it, [a[0]], {}, n)
            if not isinstance(pairs, dict):
                mark_incomplete(m, "items")
                return None
            m.update(pairs)
        m.update(k)
        return None

    def setdefault(it, m, a, k, n):
        it.touched(m)

        if a and not isinstance(a[0], Unknown) and INCOMPLETE_KEY not in m:
            try:
                return m.setdefault(a[0], a[1] if len(a) > 1 else None)
            except TypeError:
                pass
        mark_incomplete(m, "items")
        return Unknown("setdefault")

    def pop(it, m, a, k, n):
        it.touched(m)

        if a and not isinstance(a[0], Unknown) and INCOMPLETE_KEY not in m:
            try:
                return m.pop(a[0], a[1] if len(a) > 1 else None)
            except TypeError:
                pass
        if INCOMPLETE_KEY not in m:
            mark_incomplete(m, "items")
        return Unknown("pop")

    def copy(it, m, a, k, n):
        return dict(m)

    def clear(it, m, a, k, n):
        it.touched(m)
        m.clear()
        return None

    table = {"get": get, "items": items, "keys": keys, "values": values, "update": update,
             "setdefault": setdefault, "pop": pop, "copy": copy, "clear": clear}
    fn = table.get(name)
    return Builtin(name, fn, bound=d) if fn else Unknown(f"dict.{name}")


def _list_method(lst: list, name: str):
    """A list's methods. One cnnlint does not model leaves the list unknown (see eval_Call)."""
    def incomplete(m):
        return any(v is it_star() for v in m)

    def append(it, m, a, k, n):
        it.touched(m)
        m.append(a[0] if a else None)
        return None

    def extend(it, m, a, k, n):
        it.touched(m)
        items = it.iterate(a[0]) if a else []
        if isinstance(items, Unknown):
            mark_incomplete(m, "items")
        else:
            m.extend(items)
        return None

    def insert(it, m, a, k, n):
        it.touched(m)
        if len(a) == 2 and isinstance(a[0], int) and not isinstance(a[0], bool):
            m.insert(a[0], a[1])
        else:
            mark_incomplete(m, "items")
        return None

    def pop(it, m, a, k, n):
        it.touched(m)
        if incomplete(m):
            return Unknown("pop from a list of unknown length")
        if not m:
            return Unknown("pop from empty list")
        if a and not (isinstance(a[0], int) and not isinstance(a[0], bool)):
            mark_incomplete(m, "items")
            return Unknown("pop at an unknown index")
        try:
            return m.pop(a[0] if a else -1)
        except IndexError:
            return Unknown("pop index out of range")

    def index(it, m, a, k, n):
        if incomplete(m) or not a or not _plain(list(m) + [a[0]]):
            return Unknown("index")
        try:
            return m.index(a[0])
        except Exception:
            return Unknown("index")

    def count(it, m, a, k, n):
        if incomplete(m) or not a or not _plain(list(m) + [a[0]]):
            return Unknown("count")
        try:
            return m.count(a[0])
        except Exception:
            return Unknown("count")

    def copy(it, m, a, k, n):
        return list(m)

    def reverse(it, m, a, k, n):
        it.touched(m)
        m.reverse()
        return None

    def remove(it, m, a, k, n):
        it.touched(m)
        if incomplete(m):
            return None
        if a and _plain(list(m) + [a[0]]) and a[0] in m and all(
                isinstance(v, (int, float, str, bool, type(None), tuple)) for v in m + [a[0]]):
            m.remove(a[0])
        else:
            mark_incomplete(m, "items")
        return None

    def sort(it, m, a, k, n):
        it.touched(m)
        if incomplete(m):
            return None
        try:
            if k or a or not _plain(m) or any(dims.is_symbolic(v) for v in m):
                raise TypeError
            m.sort()
        except TypeError:
            mark_incomplete(m, "items")
        return None

    def clear(it, m, a, k, n):
        it.touched(m)
        m.clear()
        return None

    table = {"append": append, "extend": extend, "insert": insert, "pop": pop, "index": index, "copy": copy,
             "reverse": reverse, "remove": remove, "sort": sort, "clear": clear, "count": count}
    fn = table.get(name)
    return Builtin(name, fn, bound=lst) if fn else Unknown(f"list.{name}")


def _str_method(s: str, name: str):
    def run(it, m, a, k, n):
        if not _plain(a) or not _plain(list(k.values())):
            return Unknown(f"str.{name}")
        if name == "join":
            items = it.iterate(a[0]) if a else []
            if isinstance(items, Unknown) or not all(isinstance(v, str) for v in items):
                return Unknown("join")
            return m.join(items)
        try:
            return getattr(m, name)(*a, **k)
        except Exception:
            return Unknown(f"str.{name}")

    if name in ("format", "join", "lower", "upper", "startswith", "endswith", "split", "replace", "strip",
                "isdigit", "rstrip", "lstrip"):
        return Builtin(name, run, bound=s)
    return Unknown(f"str.{name}")
