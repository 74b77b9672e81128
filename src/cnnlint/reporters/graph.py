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
from cnnlint.reporters.paths import position
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
    index = {id(row): i for i, row in enumerate(t.layers)}
    groups: Dict[str, Group] = {"": Group("root", t.model)}
    placed: List[Tuple[int, str, str]] = []  # (trace index, group name, node id)
    nodes: List[Node] = []
    owner: Dict[int, str] = {}  # trace index -> the node that stands for it
    stack: List[Tuple[int, str]] = []  # (depth, container name) of the open subgraphs
    for r in s.rows:
        if r.depth == 0:
            continue
        while stack and stack[-1][0] >= r.depth:
            stack.pop()
        parent = stack[-1][1] if stack else ""
        container = not r.leaf and not r.functional and not r.folded
        i = index.get(id(r.row)) if r.row is not None else None
        if container:
            if r.name not in groups:
                groups[r.name] = Group(f"s{len(groups)}", f"{r.name} ({r.type})")
                placed.append((i if i is not None else len(t.layers), parent, "group:" + r.name))
            stack.append((r.depth, r.name))
            continue
        node = Node(f"n{len(nodes) + 1}", r, r.row.input if r.row else None, r.output)
        nodes.append(node)
        placed.append((i if i is not None else len(t.layers), parent, node.id))
        if i is not None:
            owner[i] = node.id
            if r.folded:  # the layers inside a folded container are this node
                for j in range(i + 1, len(t.layers)):
                    if t.layers[j].depth <= t.layers[i].depth:
                        break
                    owner[j] = node.id
    # tensor operations (+, cat) that combine branches: nodes of their own
    for i, row in enumerate(t.layers):
        if not row.op or i in owner:
            continue
        parent = _enclosing(t, i, groups)
        node = Node(f"n{len(nodes) + 1}", _op_row(row), row.input, row.output)
        nodes.append(node)
        owner[i] = node.id
        placed.append((i, parent, node.id))
    placed.sort(key=lambda p: p[0])
    for _, parent, key in placed:
        if key.startswith("group:"):
            groups[parent].items.append(("group", key[6:]))
        else:
            groups[parent].items.append(("node", key))
    order = [key for _, _, key in placed if not key.startswith("group:")]
    by_id = {n.id: n for n in nodes}
    first_index = {}
    for i, key in owner.items():
        first_index.setdefault(key, i)
    edges = []
    seen = set()
    prev_id, prev_out = "input", t.input
    for key in order:
        node = by_id[key]
        i = first_index.get(key)
        row = t.layers[i] if i is not None else None
        sources = row.sources if row is not None else ()
        linked = False
        if sources and all(x >= -1 for x in sources):
            targets = []
            for src in sources:
                if src == -1:
                    targets.append(("input", t.input))
                elif src in owner:
                    targets.append((owner[src], t.layers[src].output))
            if len(targets) == len(sources):
                if len(targets) == 1 and node.input is not None:
                    targets = [(targets[0][0], node.input)]  # what it received, after any view
                for a, shape in targets:
                    if a != key and (a, key) not in seen:
                        seen.add((a, key))
                        edges.append((a, key, fmt_shape(shape) if shape is not None else "", True))
                linked = True
        if not linked:
            received = node.input if node.input is not None else prev_out
            direct = node.input is None or prev_out is None or tuple(prev_out) == tuple(node.input)
            if (prev_id, key) not in seen:
                seen.add((prev_id, key))
                edges.append((prev_id, key, fmt_shape(received) if received is not None else "", direct))
        prev_id, prev_out = key, node.output
    edges.append((prev_id, "output", fmt_shape(t.output) if t.output is not None else "", True))
    return Graph(t, nodes, groups, edges)


def _enclosing(t: ModelTrace, i: int, groups: Dict[str, Group]) -> str:
    """The open container (subgraph) a tensor operation ran inside."""
    depth = t.layers[i].depth
    for j in range(i - 1, -1, -1):
        row = t.layers[j]
        if row.depth < depth and not row.op and row.name in groups:
            return row.name
        if row.depth < depth:
            break
    return ""


def _op_row(row) -> SummaryRow:
    from cnnlint.summary import op_summary_row

    return op_summary_row(row)


def _node_lines(n: Node) -> List[str]:
    r = n.row
    lines = [r.name, r.type] if r.name != r.type else [r.type]
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
    out = [f"%% {t.model} ({position(t.path, t.line, cell=t.cell)})", "flowchart TD"]
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
    out = [f"// {t.model} ({position(t.path, t.line, cell=t.cell)})", f"digraph {_dq(t.model)} {{", "    rankdir=TB;",
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
