"""PyTorch's verdict on fixed versions of one gathered model file (bench/fix_rate.py runs it).

    python3 bench/fix_oracle.py < job.json > verdicts.json

``job.json``: ``{"root": ROOT, "rel": REL, "items": [{"id": ID, "source": FILE, "models": [MODEL,
...]}]}`` where each MODEL is a record of ``torch.json`` (bench/field.py: name, args_expr,
input, device). The original module is imported from ROOT (as bench/field_oracle.py does it,
missing third-party modules stubbed), each item's source is run as a module beside it, and each
model built and run on its input. Prints ``{ID: {MODEL: "runs" | "fails" | "timeout"}}``.
"""
from __future__ import annotations

import json
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import field_oracle as fo  # noqa: E402


def main() -> None:
    job = json.load(sys.stdin)
    warnings.filterwarnings("ignore")
    fo.no_network()
    root = os.path.abspath(job["root"])
    path = os.path.join(root, job["rel"])
    sys.path[:0] = [root, os.path.dirname(path)]
    sys.argv = [path]
    import torch

    torch.set_num_threads(1)
    dotted = job["rel"][:-3].replace("/", ".")
    if dotted.endswith(".__init__"):
        dotted = dotted[: -len(".__init__")]
    out = {}
    try:
        sys.meta_path.append(fo.STUBS)
        fo.limit(120)
        base = fo.import_lenient(dotted, root)
        fo.signal.alarm(0)
    except BaseException as e:  # noqa: BLE001
        fo.signal.alarm(0)
        print(json.dumps({"error": "import: " + fo.first_line(e)}))
        return
    for item in job["items"]:
        with open(item["source"], encoding="utf-8") as fh:
            src = fh.read()
        verdicts = {}
        try:
            fo.limit(60)
            mod = fo.exec_as(compile(src, path, "exec"), base, "__fixed", path)
            fo.signal.alarm(0)
        except BaseException as e:  # noqa: BLE001
            fo.signal.alarm(0)
            out[item["id"]] = {m["name"]: "fails" for m in item["models"]} | {"__error__": fo.first_line(e)}
            continue
        for m in item["models"]:
            v = fo.label(mod, m, m.get("device", "meta"), 60)
            if v["status"] == "runs" and m.get("device", "meta") == "meta" and m.get("params", 0) < 60_000_000:
                cpu = fo.label(mod, m, "cpu", 60)  # the meta device skips some checks
                if cpu["status"] != "timeout":
                    v = cpu
            verdicts[m["name"]] = v["status"]
        out[item["id"]] = verdicts
    print(json.dumps(out))


if __name__ == "__main__":
    main()
