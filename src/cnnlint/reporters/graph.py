"""`cnnlint shapes --format mermaid|dot`: the model as a graph of layers with the shapes on
the edges.

Nodes are the layers of the folded table (leaves, functional calls, and containers folded at
--depth); unfolded containers are drawn as subgraphs around their layers. Edges follow the
call order: each edge carries the shape the next layer received. The trace is a list of
calls, not a data-flow graph, so a residual branch or a concatenation is drawn as the
sequence of its calls; an edge is dashed where the next layer did not receive the previous
layer's output unchanged (a view/flatten in between, or a branch).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from cnnlint.diagnostics import ModelTrace
from cnnlint.summary import SummaryRow, fmt_kernel, fmt_shape, summarize


@dataclass
class Node:
    id: str
    row: SummaryRow
    input: Optional[tuple]
    output: Optional[tuple]


@dataclass
class Group:
    id: str
    title: str
    items: List[Tuple[str, str]] = field(default_factory=list)  # ("node", id) | ("group", name), call order


@dataclass
class Graph:
    trace: ModelTrace
    nodes: List[Node]
    groups: Dict[str, Group]  # by container name; "" is the model itself
    edges: List[Tuple[str, str, str, bool]]  # (from, to, shape label, direct hand-off)


def build(t: ModelTrace, depth: Optional[int] = None) -> Graph:
    s = summarize(t, depth)
    groups: Dict[str, Group] = {"": Group("root", t.model)}
    nodes: List[Node] = []
    stack: List[Tuple[int, str]] = []  # (depth, container name) of the open subgraphs
    for r in s.rows:
        if r.depth == 0:
            continue
        while stack and stack[-1][0] >= r.depth:
            stack.pop()
        parent = stack[-1][1] if stack else ""
        container = not r.leaf and not r.functional and not r.folded
        if container:
            if r.name not in groups:
                groups[r.name] = Group(f"s{len(groups)}", f"{r.name} ({r.type})")
                groups[parent].items.append(("group", r.name))
            stack.append((r.depth, r.name))
            continue
        node = Node(f"n{len(nodes) + 1}", r, r.row.input if r.row else None, r.output)
        nodes.append(node)
        groups[parent].items.append(("node", node.id))
    edges = []
    prev_id, prev_out = "input", t.input
    for node in nodes:
        received = node.input if node.input is not None else prev_out
        direct = node.input is None or prev_out is None or tuple(prev_out) == tuple(node.input)
        edges.append((prev_id, node.id, fmt_shape(received) if received is not None else "", direct))
        prev_id, prev_out = node.id, node.output
    edges.append((prev_id, "output", fmt_shape(t.output) if t.output is not None else "", True))
    return Graph(t, nodes, groups, edges)


def _node_lines(n: Node) -> List[str]:
    r = n.row
    lines = [r.name, r.type]
    details = []
    if r.kernel is not None:
        details.append(f"k={fmt_kernel(r.kernel)}")
    if r.params_text not in ("--",):
        details.append(r.params_text if r.recursive else f"{r.params_text} params")
    if details:
        lines.append(" ".join(details))
    if r.finding:
        lines.append(r.finding)
    return lines


# --- mermaid ---------------------------------------------------------------------------------

def _mm(text: str) -> str:
    return text.replace('"', "#quot;")


def mermaid_model(t: ModelTrace, depth: Optional[int] = None) -> str:
    g = build(t, depth)
    by_id = {n.id: n for n in g.nodes}
    out = [f"%% {t.model} ({t.path}:{t.line})", "flowchart TD"]
    out.append(f'    input(["{_mm(("input " + fmt_shape(t.input)) if t.input else "input")}"])')

    def emit(name: str, indent: str) -> None:
        for kind, key in g.groups[name].items:
            if kind == "node":
                out.append(f'{indent}{key}["{_mm("<br/>".join(_node_lines(by_id[key])))}"]')
                continue
            sub = g.groups[key]
            out.append(f'{indent}subgraph {sub.id}["{_mm(sub.title)}"]')
            emit(key, indent + "    ")
            out.append(f"{indent}end")

    emit("", "    ")
    out.append(f'    output(["{_mm(("output " + fmt_shape(t.output)) if t.output is not None else "output")}"])')
    for a, b, label, direct in g.edges:
        arrow = "-->" if direct else "-.->"
        out.append(f'    {a} {arrow}|"{_mm(label)}"| {b}' if label else f"    {a} {arrow} {b}")
    marked = [n.id for n in g.nodes if n.row.finding]
    if marked:
        out.append("    classDef finding fill:#fdd,stroke:#c00,color:#900")
        out.append(f"    class {','.join(marked)} finding")
    return "\n".join(out) + "\n"


def mermaid(traces: Sequence[ModelTrace], depth: Optional[int] = None) -> str:
    if not traces:
        return "%% No models found.\n"
    return "\n".join(mermaid_model(t, depth) for t in traces)


# --- graphviz dot ----------------------------------------------------------------------------

def _dq(*lines: str) -> str:
    """A quoted DOT string; several lines are joined with DOT's \\n line break."""
    return '"' + "\\n".join(t.replace("\\", "\\\\").replace('"', '\\"') for t in lines) + '"'


def dot_model(t: ModelTrace, depth: Optional[int] = None) -> str:
    g = build(t, depth)
    by_id = {n.id: n for n in g.nodes}
    out = [f"// {t.model} ({t.path}:{t.line})", f"digraph {_dq(t.model)} {{", "    rankdir=TB;",
           '    node [shape=box, style=rounded, fontname="Helvetica"];',
           '    edge [fontname="Helvetica", fontsize=10];',
           f'    input [shape=oval, label={_dq(("input " + fmt_shape(t.input)) if t.input else "input")}];']

    def emit(name: str, indent: str) -> None:
        for kind, key in g.groups[name].items:
            if kind == "node":
                n = by_id[key]
                attrs = f"label={_dq(*_node_lines(n))}"
                if n.row.finding:
                    attrs += ", color=red, fontcolor=red"
                out.append(f"{indent}{key} [{attrs}];")
                continue
            sub = g.groups[key]
            out.append(f"{indent}subgraph cluster_{sub.id} {{")
            out.append(f"{indent}    label={_dq(sub.title)}; style=dashed;")
            emit(key, indent + "    ")
            out.append(f"{indent}}}")

    emit("", "    ")
    out.append(f'    output [shape=oval, label={_dq(("output " + fmt_shape(t.output)) if t.output is not None else "output")}];')
    for a, b, label, direct in g.edges:
        attrs = [f"label={_dq(label)}"] if label else []
        if not direct:
            attrs.append("style=dashed")
        out.append(f"    {a} -> {b}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    return "\n".join(out) + "\n"


def dot(traces: Sequence[ModelTrace], depth: Optional[int] = None) -> str:
    if not traces:
        return "// No models found.\n"
    return "\n".join(dot_model(t, depth) for t in traces)
