"""The abstract interpreter: evaluates model code over shapes instead of data.

One interpreter runs ``__init__`` (building layers, containers and submodules) and
``forward`` (moving a tensor's shape through them). What it cannot follow becomes
``Unknown`` and is noted at info level; it never turns into an error.
"""
from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, Tuple

from cnnlint import dims
from cnnlint.abstract.findings import CallRow, Finding
from cnnlint.abstract.values import Qual, Tensor, Unknown
from cnnlint.interpret import imports, limits, recording
from cnnlint.interpret.calling import Calls
from cnnlint.interpret.expressions import Expressions
from cnnlint.interpret.signals import GiveUp
from cnnlint.interpret.statements import Statements
from cnnlint.rules import RULES


class Interp(Statements, Expressions, Calls):
    def __init__(self, file_ctx, model_name: Optional[str] = None):
        self.file = file_ctx
        self.model_name = model_name
        self.findings: List[Finding] = []
        self.notes: List[Tuple[Any, str]] = []
        self.running: List[Any] = []  # the FunctionDef nodes being run, innermost last
        self.sites: List[Tuple[Any, Any, bool]] = []  # their calls: (call, FunctionDef, a method's)
        self.near: Dict[int, Any] = {}  # id of a noted node -> the FunctionDef it was noted in
        self.rows: List[CallRow] = []
        self.names: Dict[int, str] = {}
        self.constraints: List[Tuple[Any, str]] = []
        # mismatches that only a degenerate input size avoids: (finding, size name, those sizes,
        # message if no such size is accepted), settled once forward has run (analyze.py)
        self.degenerate: List[Tuple[Any, str, Tuple[int, ...], str]] = []
        self.symbols: Dict[str, Any] = {}
        self.steps = 0
        self.max_steps = limits.MAX_STEPS
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
        if recording.RECORDER is not None and model_name is not None:  # the language server's hover
            recording.RECORDER.attach(self)

    # --- bookkeeping -------------------------------------------------------------------

    def tick(self):
        self.steps += 1
        if self.steps >= self.next_check:
            self.check_budget()

    def check_budget(self):
        """Every 2048 steps, and at the step budget: give up when either budget is spent."""
        if self.steps > self.max_steps or time.monotonic() - self.started > limits.MAX_SECONDS:
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

    # what knowledge modules may ask of the interpreter (overlays/ never import it) -----------
    def package_folder(self, name: str) -> Optional[str]:
        """The folder on the environment's search path that holds the top-level package ``name``."""
        return imports.installed(name, self.file.path)

    def resolve_name(self, dotted: str) -> Any:
        """The value of a fully qualified name, read from the environment's source; None if unknown."""
        return imports.resolve(self, Qual(dotted, self.file.path))

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

    # --- expressions -------------------------------------------------------------------

    # --- values ------------------------------------------------------------------------

    # --- calls -------------------------------------------------------------------------

    # --- classes and modules -------------------------------------------------------------

def _rule_error(code: str) -> bool:
    return code not in RULES or RULES[code].severity == "error"


