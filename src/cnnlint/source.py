"""A parsed file: its libcst tree, positions (computed only when something is reported),
its module scope, the models it defines, and the hints it gives about their inputs."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from cnnlint.diagnostics import Span
from cnnlint.interpret.scope import ModuleScope, dotted
from cnnlint.interpret.values import Qual, UserClass

INPUT_COMMENT = re.compile(r"#\s*cnnlint:\s*input-shape\s*=\s*([^\s#]+)")
TENSOR_MAKERS = {"randn", "rand", "zeros", "ones", "empty", "randint", "full"}


@dataclass(frozen=True)
class ModelDef:
    name: str
    kind: str  # "class" | "function"
    node: cst.CSTNode


class FileContext:
    def __init__(self, path: str, source: str):
        self.path = path
        self.source = source
        self.module = cst.parse_module(source)
        self._positions = None
        from cnnlint.interpret.core import Interp

        self.scope = ModuleScope(self.module, lambda: Interp(self))

    # positions ----------------------------------------------------------------------------
    def span(self, node: Optional[cst.CSTNode]) -> Span:
        if node is None:
            return Span(1, 1, 1, 1)
        if self._positions is None:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._positions = wrapper.resolve(PositionProvider)
        pos = self._positions.get(node)
        if pos is None:
            return Span(1, 1, 1, 1)
        return Span(pos.start.line, pos.start.column + 1, pos.end.line, pos.end.column + 1)

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    # models -------------------------------------------------------------------------------
    def models(self, interp) -> List[ModelDef]:
        from cnnlint.interpret.classes import torch_base

        found: List[ModelDef] = []
        for stmt in self.module.body:
            if isinstance(stmt, cst.ClassDef):
                cls = self.scope.classes.get(stmt.name.value)
                if cls is None:
                    continue
                base = torch_base(interp, cls)
                if base is not None or (_defines(stmt, "forward") and _external_base(interp, cls)):
                    found.append(ModelDef(cls.name, "class", stmt))
            elif isinstance(stmt, cst.FunctionDef) and self._returns_module(interp, stmt):
                found.append(ModelDef(stmt.name.value, "function", stmt))
        return found

    def _returns_module(self, interp, fn: cst.FunctionDef) -> bool:
        from cnnlint.interpret.classes import torch_base

        built: Dict[str, bool] = {}

        def makes_module(expr) -> bool:
            if isinstance(expr, cst.Call):
                name = dotted(expr.func)
                if name is None:
                    return False
                head = name.split(".")[0]
                value = self.scope.get_local(head) if head in self.scope.vars or head in self.scope.lazy else None
                if isinstance(value, Qual):
                    full = value.name + name[len(head):]
                    return full.startswith("torch.nn.") and full.rsplit(".", 1)[1][:1].isupper()
                if isinstance(value, UserClass) and "." not in name:
                    return torch_base(interp, value) is not None
                return False
            if isinstance(expr, cst.Name):
                return built.get(expr.value, False)
            return False

        result = False

        class V(cst.CSTVisitor):
            def visit_FunctionDef(self, node):
                return node is fn

            def visit_ClassDef(self, node):
                return False

            def visit_Assign(self, node):
                for t in node.targets:
                    if isinstance(t.target, cst.Name) and makes_module(node.value):
                        built[t.target.value] = True

            def visit_Return(self, node):
                nonlocal result
                if node.value is not None and makes_module(node.value):
                    result = True

        fn.visit(V())
        return result

    def references(self) -> Dict[str, int]:
        """How often each top-level class name is used inside other definitions (not in tests or
        the __main__ block): a class used by another model is a component, not a root."""
        counts: Dict[str, int] = {}
        for stmt in self.module.body:
            if isinstance(stmt, (cst.ClassDef, cst.FunctionDef)):
                if isinstance(stmt, cst.FunctionDef) and _is_test_name(stmt.name.value):
                    continue
                own = stmt.name.value

                class V(cst.CSTVisitor):
                    def visit_Name(self, node):
                        if node.value != own:
                            counts[node.value] = counts.get(node.value, 0) + 1

                stmt.visit(V())
            elif isinstance(stmt, cst.SimpleStatementLine):
                class W(cst.CSTVisitor):
                    def visit_Name(self, node):
                        counts[node.value] = counts.get(node.value, 0) + 1

                for small in stmt.body:
                    if isinstance(small, cst.Assign) and isinstance(small.value, (cst.Dict, cst.List, cst.Tuple)):
                        small.value.visit(W())
        return counts

    # hints about inputs --------------------------------------------------------------------
    def comment_input(self, model: ModelDef) -> Optional[str]:
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
        tensor: Optional[cst.Call] = None
        for block in self._usage_blocks():
            models: Dict[str, cst.Call] = {}
            tensors: Dict[str, cst.Call] = {}
            calls: List[Tuple[str, str]] = []

            class V(cst.CSTVisitor):
                def visit_Assign(self, node):
                    if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                        target = node.targets[0].target.value
                        value = node.value
                        if isinstance(value, cst.Call):
                            fname = dotted(value.func) or ""
                            if fname == model_name or fname.endswith("." + model_name):
                                models[target] = value
                            elif fname.split(".")[-1] in TENSOR_MAKERS and fname.startswith("torch"):
                                tensors[target] = value

                def visit_Call(self, node):
                    if isinstance(node.func, cst.Name) and node.args and isinstance(node.args[0].value, cst.Name):
                        calls.append((node.func.value, node.args[0].value.value))
                    if isinstance(node.func, cst.Call) and (dotted(node.func.func) or "") == model_name:
                        models.setdefault("<inline>", node.func)
                        if node.args and isinstance(node.args[0].value, cst.Name):
                            calls.append(("<inline>", node.args[0].value.value))

            for stmt in block:
                stmt.visit(V())
            if not models:
                continue
            for fn_name, arg in calls:
                if fn_name in models and arg in tensors:
                    return models[fn_name], tensors[arg]
            if ctor is None:
                ctor = next(iter(models.values()))
                if len(tensors) == 1 and tensor is None:
                    tensor = next(iter(tensors.values()))
        return ctor, tensor

    def _usage_blocks(self):
        for stmt in self.module.body:
            if isinstance(stmt, cst.If) and "__name__" in self.code(stmt.test):
                yield list(stmt.body.body)
            elif isinstance(stmt, cst.FunctionDef) and _is_test_name(stmt.name.value):
                yield list(stmt.body.body)
        yield [s for s in self.module.body if isinstance(s, cst.SimpleStatementLine)]


def _is_test_name(name: str) -> bool:
    n = name.lower()
    return n.startswith("test") or n in ("main", "demo", "run", "example", "_test")


def _defines(cls: cst.ClassDef, name: str) -> bool:
    return any(isinstance(s, cst.FunctionDef) and s.name.value == name for s in cls.body.body)


def _external_base(interp, cls: UserClass) -> bool:
    from cnnlint.interpret.classes import bases

    for b in bases(interp, cls):
        if isinstance(b, Qual) and not b.name.startswith(("torch", "typing", "abc", "object")):
            return True
        if isinstance(b, UserClass) and _external_base(interp, b):
            return True
    return False
