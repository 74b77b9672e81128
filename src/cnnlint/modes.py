"""Training and eval mode.

An nn.Module starts in training mode, and a model is trained before it is evaluated: an error on
a path under `if self.training:` (auxiliary heads) fails the first training step. So a model is
checked in training mode, and, when its code reads a module's `training` flag, once more in eval
mode. A finding of both runs is reported once; one of a single mode says which. The shapes table
is the eval-mode one: torchinfo's `summary` puts the model in eval mode unless told otherwise
(`mode="eval"` is its default in torchinfo 1.8).
"""
from __future__ import annotations


def _key(f):
    return (f.code, id(f.node), str(f.declared), str(f.inferred), f.message)


def merge_modes(train, evaluation, finding_chain):
    """One run of the two: the eval run, with the findings of the training run that it lacks
    (each marked "in training mode"), its own marked "in eval mode" when training lacks them,
    and the notes of both. ``finding_chain(run, finding)`` tells a finding's chain of shapes in
    its own run (analyze.finding_chain)."""
    if not evaluation.has_trace and train.has_trace and not evaluation.interp.findings:
        evaluation, train = train, evaluation  # the eval run gave up: keep what was learnt
    ti, ei = train.interp, evaluation.interp
    if evaluation.reused:  # built once: what building the model found holds in both modes
        built = list(ti.findings[:train.build_findings])
        for f in built:
            f.explain = finding_chain(train, f)
        ei.findings[0:0] = built
    in_train = {_key(f) for f in ti.findings}
    in_eval = {_key(f) for f in ei.findings}
    for f in ei.findings:
        if _key(f) not in in_train:
            f.message += " (in eval mode)" if ei.training is False else " (in training mode)"
    for f in ti.findings:
        if _key(f) not in in_eval:
            f.explain = finding_chain(train, f)  # the chain of shapes of its own run
            f.message += " (in training mode)" if ti.training else " (in eval mode)"
            list.append(ei.findings, f)  # not at a place in the other run's calls
    for node, message in ti.notes:
        if all(m != message for _, m in ei.notes):
            ei.notes.append((node, message))
            if id(node) in ti.near:
                ei.near[id(node)] = ti.near[id(node)]
    if getattr(ti, "internal_error", None) and not getattr(ei, "internal_error", None):
        ei.internal_error = ti.internal_error
    return evaluation
