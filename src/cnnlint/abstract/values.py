"""The abstract values the interpreter computes with.

Python scalars, strings, tuples, lists and dicts stand for themselves; dimensions are
ints or sympy expressions. The classes here stand for what has no Python equivalent
without torch: tensors, layers, user module objects, functions, and ``Unknown``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple


@dataclass(frozen=True)
class Unknown:
    """Something the analysis cannot follow. It spreads quietly and never becomes an error."""

    reason: str = "unknown"

    def __bool__(self):  # pragma: no cover - guarded by the interpreter
        raise TypeError("truth value of Unknown")


@dataclass(frozen=True)
class UnknownPlain(Unknown):
    """An unknown value that is certainly neither a module nor an nn.Parameter: the result of a
    comparison, of arithmetic other than ``+``, of ``int()``/``str()``/``len()``. Stored on a
    module, it leaves the module's parameter count known."""


@dataclass(frozen=True)
class Tensor:
    """A tensor's shape. ``shape`` None: rank unknown. ``free``: the model's symbolic input,
    whose rank is fixed by the first layer that consumes it. ``last``: the size of the last
    dimension of a tensor of unknown rank (what a Linear makes of an input of unknown rank)."""

    shape: Optional[Tuple[Any, ...]]
    free: bool = False
    src: Optional[str] = None  # the module call that produced it, for messages
    flat: Optional[Tuple[Any, ...]] = None  # (factors, shape before, src before) after a flatten
    param: bool = False  # an nn.Parameter
    row: Optional[int] = None  # index of the call row that produced it (-1: the model input)
    values: Optional[Tuple[Any, ...]] = None  # the elements of a small 1-D tensor of known numbers
    last: Any = None  # with shape None: the last dimension's size, when known

    @property
    def rank(self) -> Optional[int]:
        return None if self.shape is None else len(self.shape)


class Record(tuple):
    """An instance of a ``collections.namedtuple`` class: a tuple whose fields have names."""

    fields: Tuple[str, ...] = ()


@dataclass(eq=False)
class ArgParser:
    """An ``argparse.ArgumentParser``: only the defaults of its arguments matter here."""

    defaults: Dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Namespace:
    """What ``parse_args()`` returns: the defaults, as a command line without options gives."""

    values: Dict[str, Any] = field(default_factory=dict)


class SizeTuple(tuple):
    """What ``x.size()`` / ``x.shape`` returns: a tuple of dims."""


@dataclass(frozen=True)
class Qual:
    """A dotted name imported from outside the file: ``torch.nn.Conv2d``, ``math.floor``.
    ``origin`` is the file whose import statement named it (to resolve project imports)."""

    name: str
    origin: Optional[str] = None


@dataclass(frozen=True)
class SymbolicObj:
    """An argument with no value (a constructor parameter without a default).

    Used as a size it becomes a sympy symbol of the same name; its attributes are
    symbolic objects too (``data.c``)."""

    name: str


@dataclass(frozen=True)
class SymFloat:
    """A Python float computed from symbolic sizes (``mlp_ratio * dim``, ``dim / 2``): never a size
    itself, as PyTorch takes no float for one; ``int()``, ``math.floor``/``ceil`` and ``round``
    make a size of it. ``expr`` is exact: a float written in the code enters as the decimal it
    shows (0.7 is 7/10)."""

    expr: Any


@dataclass(eq=False)
class Arg:
    """One argument of a layer constructor: its value and the expression written for it."""

    value: Any
    node: Any = field(default=None, repr=False)  # the libcst expression, None when the default applies
    keyword: bool = False


@dataclass(eq=False)
class Layer:
    """An instance of a torch.nn layer or container."""

    kind: str  # short class name: "Conv2d", "Sequential"
    args: Dict[str, Arg]
    node: Any = field(default=None, repr=False)  # the constructor call
    children: Dict[str, Any] = field(default_factory=dict)
    in_loop: bool = False  # built by a loop: several layers share this call
    # the calls of the file's functions it was built in, outermost first: (call, FunctionDef,
    # whether the function is a method), for the repair search (repair.py)
    sites: Tuple[Any, ...] = field(default=(), repr=False)

    def value(self, name: str, default: Any = None) -> Any:
        a = self.args.get(name)
        return default if a is None else a.value

    @property
    def is_container(self) -> bool:
        return self.kind in ("Sequential", "ModuleList", "ModuleDict")


class Deferred:
    """A top-level definition whose libcst node is parsed when first asked for (toplevel.py)."""

    def resolve(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def header(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def size(self) -> int:  # pragma: no cover - overridden
        """How many lines it spans."""
        raise NotImplementedError

    def literal(self) -> Any:
        """A list or tuple of plain constants, read cheaply; None when it is something else."""
        return None


def _resolved(value: Any) -> Any:
    """``value.source`` parsed (once) if it was deferred."""
    n = value.source
    if isinstance(n, Deferred):
        n = value.source = n.resolve()
    return n


@dataclass(eq=False)
class UserClass:
    name: str
    source: Any = field(repr=False)  # libcst ClassDef, or a Deferred one
    scope: Any = field(repr=False)  # the module scope it was defined in
    bases: Tuple[Any, ...] = ()
    attrs: Dict[str, Any] = field(default_factory=dict)
    is_module: bool = False
    mro: Optional[List[Any]] = field(default=None, repr=False)  # its user classes in MRO order, once known

    @property
    def node(self) -> Any:
        """The libcst ClassDef."""
        return _resolved(self)

    @property
    def header(self) -> Any:
        """A ClassDef with the class's decorators, name and bases (its body may be left out)."""
        n = self.source
        return n.header() if isinstance(n, Deferred) else n


@dataclass(eq=False)
class Obj:
    """An instance of a user class (an nn.Module subclass or a plain helper)."""

    cls: UserClass
    attrs: Dict[str, Any] = field(default_factory=dict)
    children: Dict[str, Any] = field(default_factory=dict)  # registered submodules, in order
    params: List[Any] = field(default_factory=list)  # element counts of nn.Parameter attributes
    node: Any = field(default=None, repr=False)  # where it was built
    base_layer: Any = None  # the torch.nn layer a user class derives from (class LayerNorm2d(nn.LayerNorm))
    unsure: bool = False  # a submodule was registered on a path that may not run: children() unknown


@dataclass(eq=False)
class Function:
    """A user function or lambda, with the scope it closes over."""

    name: str
    source: Any = field(repr=False)  # libcst FunctionDef or Lambda, or a Deferred FunctionDef
    scope: Any = field(repr=False)
    bound: Any = None  # ``self`` for a bound method
    owner: Optional[UserClass] = None  # class that defined it (for super())

    @property
    def node(self) -> Any:
        return _resolved(self)


@dataclass(eq=False)
class Builtin:
    """A Python-implemented callable: builtins, torch functions, tensor methods."""

    name: str
    fn: Any
    bound: Any = None


@dataclass(frozen=True)
class NameListing:
    """``dir(module)`` of a module cnnlint does not import: it can answer ``name in`` it for
    the names it knows the module has (overlays/torch_names.py), nothing else."""

    module: str


@dataclass(frozen=True, eq=False)
class EnumMember:
    """A member of an Enum class that is not a str or int Enum (classes.enum_kind): one object
    per member, compared by identity; ``.value`` is what the class body assigns."""

    cls: Any
    name: str
    value: Any


@dataclass(eq=False)
class Partial:
    func: Any
    args: Tuple[Any, ...]
    kwargs: Dict[str, Any]


@dataclass(eq=False)
class SuperProxy:
    obj: Any
    after: Optional[UserClass]


INCOMPLETE = "?"  # key of a container child that stands for modules cnnlint could not list
INCOMPLETE_KEY = Unknown("dict filled by code cnnlint cannot run")  # the same for a plain dict


def is_module(value: Any) -> bool:
    return isinstance(value, Layer) or (isinstance(value, Obj) and value.cls.is_module)


_MISSING = object()
