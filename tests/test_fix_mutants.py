"""--fix on mutants: the mutants of tests/test_mutants.py (one integer literal of a layer or
view call nudged by one in a fixture that runs) are fixed with cnnlint's safe fixes, and
whenever --fix changes a mutant and the fixed file checks clean, PyTorch must run the fixed
model (an error cnnlint still reports, one without a safe fix, may still make it fail).

It prints the share of caught mutants (PyTorch raises and cnnlint reports an error) that --fix
mends (the fixed model runs and checks clean). Marked `slow`; run it with
`python -m pytest -q -s tests/test_fix_mutants.py`.
"""
import pytest

from oracle_util import fixture_specs, model_errors, torch_run
from test_mutants import MUTANTS, apply

from cnnlint.api import Settings, check_source
from cnnlint.apply_fixes import fix_source
from cnnlint.inputspec import parse_spec


def _settings(spec):
    return Settings(input_specs=(parse_spec(spec.text),))


def _errors(result, spec):
    return model_errors([d.to_json() for d in result.diagnostics], spec.name)


@pytest.mark.slow
def test_fixed_mutants_run_in_pytorch(tmp_path, capsys):
    pytest.importorskip("torch")
    from oracle_util import FIXTURES

    caught = mended = offered = 0
    unsafe_only = 0
    problems = []
    for i, m in enumerate(MUTANTS):
        src = apply((FIXTURES / m.fixture).read_text(encoding="utf-8"), m)
        target = tmp_path / f"m{i}_{m.fixture}"
        target.write_text(src, encoding="utf-8")
        specs = fixture_specs(target)
        # as test_mutants does, each input spec is checked on its own (and fixed in turn)
        fixed, applied, initial = src, [], []
        for s in specs:
            fixed, done, _, before = fix_source(fixed, str(target), _settings(s))
            applied += done
            initial.append((s, before))
        raises = any(torch_run(target, s)[2] is not None for s in specs)
        flagged = any(_errors(check_source(src, str(target), _settings(s)), s) for s in specs)
        is_caught = raises and flagged
        caught += is_caught
        if fixed == src:
            if is_caught and any(d.fix is not None for _, r in initial for d in r.diagnostics
                                 if d.severity == "error"):
                unsafe_only += 1
            continue
        offered += 1
        out = tmp_path / f"fixed{i}_{m.fixture}"
        out.write_text(fixed, encoding="utf-8")
        failures = [(s.text, exc) for s in specs for exc in [torch_run(out, s)[2]] if exc is not None]
        # an error cnnlint still reports (one it offers no safe fix for) may still make PyTorch
        # fail; a fixed file that checks clean must run
        left = [s.text for s in specs if _errors(check_source(fixed, str(out), _settings(s)), s)]
        if failures and not left:
            problems.append(f"{m.id}: after --fix ({'; '.join(d.fix.description for d in applied)}) PyTorch "
                            f"still raises: {failures[0][0]}: {str(failures[0][1]).splitlines()[0][:200]}")
        elif not failures and left:
            problems.append(f"{m.id}: after --fix the model runs but cnnlint still reports errors for {left}")
        elif is_caught and not failures:
            mended += 1
    with capsys.disabled():
        share = f"{mended}/{caught} = {mended / caught:.0%}" if caught else "0/0"
        print(f"\n--fix mends {share} of the caught mutants ({len(MUTANTS)} mutants, {offered} changed by "
              f"--fix, {unsafe_only} more caught ones with only an unsafe fix offered)")
    assert not problems, "\n".join(problems)
    assert offered > 0
