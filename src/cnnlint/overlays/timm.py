"""timm, read from its installed source, with the two places where its source is not enough:

- ``timm.create_model(name, **kwargs)`` looks the name up in a registry that ``@register_model``
  decorators fill when timm is imported. cnnlint never imports it: the registry is an index of
  ``def`` lines under ``@register_model`` in ``timm/models/*.py``, built once per timm version.
  The entry function is then run from source like any other.
- ``build_model_with_cfg(cls, variant, pretrained, **kwargs)`` gives the model class defaults
  from the variant's pretrained config (``num_classes``, ``in_chans``, ``global_pool``, and
  ``img_size`` where the input size is fixed). The config is the module's
  ``default_cfgs = generate_default_cfgs({...})`` entry, read from the ast: the default tag is
  chosen as timm chooses it, and each ``_cfg(...)`` call is its function's literal defaults
  updated by the call's literal keywords.

``features_only=True`` (a feature extractor wrapper) and a model from the Hugging Face hub stay
unknown, with a note.
"""
from __future__ import annotations

import ast
import os
import re
from typing import Any, Dict, List, Optional, Tuple

from cnnlint.abstract.values import Namespace, Unknown
from cnnlint.environment import store

_CREATE = ("timm.create_model", "timm.models.create_model", "timm.models._factory.create_model")
_BUILD = ("timm.models.build_model_with_cfg", "timm.models._builder.build_model_with_cfg")
_RESOLVE = ("timm.models.resolve_pretrained_cfg", "timm.models._builder.resolve_pretrained_cfg")
ANSWERS = frozenset(_CREATE + _BUILD + _RESOLVE)
_REGISTERED = re.compile(r"^@register_model(?:\(\s*\))?[ \t]*\r?\n(?:@.*\r?\n)*def[ \t]+(\w+)", re.M)
_CFG_DEFAULTS = {"num_classes": 1000, "input_size": (3, 224, 224), "fixed_input_size": False}
_BUILD_OPTIONS = ("pretrained_cfg", "pretrained_cfg_overlay", "model_cfg", "feature_cfg", "pretrained_strict",
                  "pretrained_filter_fn", "cache_dir", "kwargs_filter", "pretrained_model_args")

_indexes: Dict[str, Dict[str, str]] = {}  # timm/models folder -> {model name: module name}
_configs: Dict[str, Optional[Dict[str, Dict[str, Any]]]] = {}  # module file -> {"arch": cfg of its default tag, "arch.tag": cfg}


def registry(models_folder: str) -> Dict[str, str]:
    """Model name -> module (``convnext_tiny`` -> ``timm.models.convnext``), from the source;
    once per process, and kept on disk while timm's model files are unchanged."""
    index = _indexes.get(models_folder)
    if index is None:
        try:
            names = sorted(n for n in os.listdir(models_folder) if n.endswith(".py"))
        except OSError:
            names = []
        files = [os.path.join(models_folder, n) for n in names]
        index = store.remembered("timm-index", files, lambda: _read_index(files))
        _indexes[models_folder] = index
    return index


def _read_index(files: List[str]) -> Dict[str, str]:
    index: Dict[str, str] = {}
    for path in files:
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError):
            continue
        for m in _REGISTERED.finditer(text):
            index.setdefault(m.group(1), f"timm.models.{os.path.basename(path)[:-3]}")
    return index


class _Unreadable:
    """A value the source gives by code, not as a literal (one object, kept so by pickle)."""

    def __reduce__(self):
        return "_UNREADABLE"


def _literal(node) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _UNREADABLE


_UNREADABLE = _Unreadable()


def _cfg_functions(tree: ast.Module) -> Dict[str, Dict[str, Any]]:
    """``def _cfg(url='', **kwargs): return {'num_classes': 1000, ..., **kwargs}``: its literal defaults."""
    out: Dict[str, Dict[str, Any]] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        ret = next((n for n in node.body if isinstance(n, ast.Return)), None)
        if ret is None or not isinstance(ret.value, ast.Dict):
            continue
        values: Dict[str, Any] = {}
        for key, value in zip(ret.value.keys, ret.value.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                v = _literal(value)
                if v is not _UNREADABLE:
                    values[key.value] = v
        for arg, default in zip(node.args.args[len(node.args.args) - len(node.args.defaults):], node.args.defaults):
            v = _literal(default)
            if v is not _UNREADABLE and arg.arg in values:
                values[arg.arg] = v
        out[node.name] = values
    return out


def _entry(value, functions) -> Dict[str, Any]:
    """One ``default_cfgs`` value: ``_cfg(hf_hub_id='timm/', num_classes=11821)`` or a dict literal."""
    cfg: Dict[str, Any] = {}
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        cfg.update(functions.get(value.func.id, {}))
        if value.args:
            v = _literal(value.args[0])
            if v is not _UNREADABLE:
                cfg["url"] = v
        for kw in value.keywords:
            if kw.arg is not None:
                v = _literal(kw.value)
                cfg[kw.arg] = v if v is not _UNREADABLE else _UNREADABLE
    elif isinstance(value, ast.Dict):
        for key, v in zip(value.keys, value.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                cfg[key.value] = _literal(v)
    return cfg


def _has_weights(cfg: Dict[str, Any]) -> bool:
    return any(cfg.get(k) not in (None, "", _UNREADABLE) or cfg.get(k) is _UNREADABLE
               for k in ("url", "file", "hf_hub_id"))


def module_configs(path: str) -> Optional[Dict[str, Dict[str, Any]]]:
    """The pretrained configs a timm model module declares: by ``arch.tag``, and by ``arch`` for
    the default tag, chosen as ``generate_default_cfgs`` chooses it. None: they are computed."""
    if path not in _configs:
        _configs[path] = store.remembered("timm-configs", [path], lambda: _read_configs(path))
    return _configs[path]


def _read_configs(path: str) -> Optional[Dict[str, Dict[str, Any]]]:
    found: Dict[str, Dict[str, Any]] = {}
    try:
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), path)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return found
    functions = _cfg_functions(tree)
    table = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "default_cfgs"
                                                for t in node.targets):
            value = node.value
            if isinstance(value, ast.Call) and value.args:
                value = value.args[0]
            table = value
    if table is not None and not (isinstance(table, ast.Dict) and
                                  all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in table.keys)):
        return None  # built by code (a comprehension): the configs are unknown
    tags: Dict[str, List[str]] = {}
    chosen: Dict[str, bool] = {}
    for key, value in zip(table.keys if table else (), table.values if table else ()):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            continue
        arch, _, tag = key.value.partition(".")
        cfg = _entry(value, functions)
        weights = _has_weights(cfg)
        order = tags.setdefault(arch, [])
        priority = (weights and not tag) or (tag.endswith("*") and not chosen.get(arch))
        tag = tag.strip("*")
        if priority:
            order.insert(0, tag)
            chosen[arch] = True
        elif weights and not chosen.get(f"{arch} pretrained"):
            order.insert(0, tag)
        else:
            order.append(tag)
        if weights:
            chosen[f"{arch} pretrained"] = True
        found[f"{arch}.{tag}" if tag else arch] = dict(cfg, tag=tag or None)
    for arch, order in tags.items():
        default = f"{arch}.{order[0]}" if order and order[0] else arch
        found[arch] = dict(found.get(default, {}), tag=order[0] if order and order[0] else None)
    return found


def _pretrained_cfg(it, variant: str, tag: Optional[str]) -> Optional[Dict[str, Any]]:
    folder = _models_folder(it)
    module = registry(folder).get(variant) if folder else None
    if module is None:
        return dict(_CFG_DEFAULTS)
    configs = module_configs(os.path.join(folder, module.rsplit(".", 1)[1] + ".py"))
    if configs is None:
        return None
    cfg = configs.get(f"{variant}.{tag}" if tag else variant)
    if cfg is None:
        return None if tag else dict(_CFG_DEFAULTS)  # a tag timm does not know: timm raises
    out = dict(_CFG_DEFAULTS)
    out.update(cfg)
    return out


def _models_folder(it) -> Optional[str]:
    root = it.package_folder("timm")
    return os.path.join(root, "timm", "models") if root else None


def _unknown(it, node, why: str) -> Unknown:
    it.note(node, f"timm: {why}; the model is unknown")
    return Unknown(why)


def create_model(it, args, kwargs, node):
    name = args[0] if args else kwargs.get("model_name")
    kwargs = {k: v for k, v in kwargs.items() if k != "model_name"}
    if not isinstance(name, str):
        return _unknown(it, node, "create_model with a model name cnnlint cannot read")
    if ":" in name:
        return _unknown(it, node, f"{name!r} is read from outside the environment")
    pretrained = args[1] if len(args) > 1 else kwargs.pop("pretrained", False)
    named = dict(zip(("pretrained_cfg", "pretrained_cfg_overlay", "checkpoint_path", "cache_dir", "scriptable",
                      "exportable", "no_jit"), args[2:]))
    named.update({k: kwargs.pop(k) for k in list(kwargs) if k in ("pretrained_cfg", "pretrained_cfg_overlay",
                                                                  "checkpoint_path", "cache_dir", "scriptable",
                                                                  "exportable", "no_jit")})
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    arch, _, tag = name.partition(".")
    folder = _models_folder(it)
    module = registry(folder).get(arch) if folder else None
    if module is None:
        return _unknown(it, node, f"no model named {arch!r} in timm's registry")
    pretrained_cfg = named.get("pretrained_cfg") or (tag or None)
    fn = it.resolve_name(f"{module}.{arch}")
    if fn is None:
        return _unknown(it, node, f"cannot read {module}.{arch}")
    return it.call(fn, [], dict(pretrained=pretrained, pretrained_cfg=pretrained_cfg,
                                pretrained_cfg_overlay=named.get("pretrained_cfg_overlay"),
                                cache_dir=named.get("cache_dir"), **kwargs), node)


def build_model_with_cfg(it, args, kwargs, node):
    names = ("model_cls", "variant", "pretrained")
    given = dict(zip(names, args))
    given.update({k: kwargs.pop(k) for k in names if k in kwargs})
    options = {k: kwargs.pop(k) for k in list(kwargs) if k in _BUILD_OPTIONS}
    cls, variant = given.get("model_cls"), given.get("variant")
    if not isinstance(variant, str) or cls is None:
        return _unknown(it, node, "build_model_with_cfg of a model cnnlint cannot read")
    if kwargs.pop("pruned", False):
        return _unknown(it, node, "a pruned model's channels come from a file")
    if kwargs.get("features_only"):
        return _unknown(it, node, "features_only=True builds a feature extractor cnnlint does not model")
    kwargs.pop("features_only", None)
    given = options.get("pretrained_cfg")
    if isinstance(given, Namespace):  # from resolve_pretrained_cfg below
        cfg = {k: _UNREADABLE if isinstance(v, Unknown) else v for k, v in given.values.items()}
    else:
        tag = given if isinstance(given, str) else None
        if given is not None and tag is None:
            return _unknown(it, node, "a pretrained_cfg given as a value")
        cfg = _pretrained_cfg(it, variant, tag)
        if cfg is None:
            return _unknown(it, node, f"the pretrained config of {variant}{'.' + tag if tag else ''} is computed "
                                      "or not there")
    overlay = options.get("pretrained_cfg_overlay")
    if isinstance(overlay, dict):
        cfg.update(overlay)
    defaults: List[Tuple[str, Any]] = []
    size = cfg.get("input_size")
    classes = cfg.get("num_classes")
    if isinstance(classes, int) and classes >= 0:
        defaults.append(("num_classes", classes))
    if cfg.get("global_pool") not in (None, _UNREADABLE):
        defaults.append(("global_pool", cfg["global_pool"]))
    if isinstance(size, tuple) and len(size) == 3:
        defaults.append(("in_chans", size[0]))
        if cfg.get("fixed_input_size") is True:
            defaults.append(("img_size", size[-2:]))
    for key, value in defaults:
        if any(v is _UNREADABLE for v in (value if isinstance(value, tuple) else (value,))):
            return _unknown(it, node, f"the {key} of {variant}'s pretrained config")
        kwargs.setdefault(key, value)
    for key in options.get("kwargs_filter") or ():
        kwargs.pop(key, None)
    model_cfg = options.get("model_cfg")
    if model_cfg is not None:
        kwargs = dict(cfg=model_cfg, **kwargs)
    return it.call(cls, [], kwargs, node)


def resolve_pretrained_cfg(it, args, kwargs, node):
    """The variant's pretrained config, as an object with its fields as attributes (``.tag``)."""
    variant = args[0] if args else kwargs.get("variant")
    given = args[1] if len(args) > 1 else kwargs.get("pretrained_cfg")
    overlay = args[2] if len(args) > 2 else kwargs.get("pretrained_cfg_overlay")
    if not isinstance(variant, str) or not (given is None or isinstance(given, str)):
        return _unknown(it, node, "resolve_pretrained_cfg of a config cnnlint cannot read")
    cfg = _pretrained_cfg(it, variant, given or None)
    if cfg is None:
        return _unknown(it, node, f"no pretrained config {variant}.{given}")
    if isinstance(overlay, dict):
        cfg.update(overlay)
    cfg.setdefault("tag", None)
    return Namespace({k: Unknown(f"pretrained config {k}") if v is _UNREADABLE else v for k, v in cfg.items()})


def call(it, name: str, args, kwargs, node, arg_nodes) -> Optional[Any]:
    if name in _CREATE:
        return create_model(it, list(args), dict(kwargs), node)
    if name in _BUILD:
        return build_model_with_cfg(it, list(args), dict(kwargs), node)
    if name in _RESOLVE:
        return resolve_pretrained_cfg(it, list(args), dict(kwargs), node)
    return None

