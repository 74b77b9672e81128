"""How fast the language server answers an edit: `cnnlint lsp` over stdio, a 500-line model
file opened, then edits that break and mend a Linear's in_features; for each, the time from
sending textDocument/didChange to receiving its textDocument/publishDiagnostics, then the time
each of a hover (on a tensor in the last block's forward: the first request after the edit, so
it also builds the position index) and an inlay-hint request over the whole file take to be
answered from that same analysis; and, on every other edit, a hover sent right behind the
didChange (the time from the edit to the hover's answer, the analysis included).

    python3 bench/lsp_latency.py              # 20 edits of the generated 500-line file
    python3 bench/lsp_latency.py --edits 50 --lines 1000

Speaks JSON-RPC itself (no client library). Needs pygls (pip install 'cnnlint[lsp]').
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

BLOCK = '''

class Block{i}(nn.Module):
    """A residual block with a squeeze-excitation gate, number {i}."""

    def __init__(self, channels: int = {c}, reduction: int = 4):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        gate = self.pool(out).flatten(1)
        gate = torch.sigmoid(self.fc2(self.relu(self.fc1(gate))))
        out = out * gate[:, :, None, None]
        return self.relu(out + x)
'''

HEAD = '''"""A generated model file for the language server benchmark."""
import torch
import torch.nn as nn
'''

MODEL = '''

class Net(nn.Module):
    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU())
        self.stages = nn.Sequential(
{stages}
        )
        self.head = nn.Sequential(nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 16 * 16, num_classes))

    def forward(self, x):
        return self.head(self.stages(self.stem(x)))


if __name__ == "__main__":
    net = Net()
    print(net(torch.randn(2, 3, 32, 32)).shape)
'''


def model_source(lines: int) -> str:
    blocks = []
    text = HEAD
    i = 0
    while text.count("\n") + MODEL.count("\n") + i + 2 < lines:
        text += BLOCK.format(i=i, c=64)
        blocks.append(i)
        i += 1
    stages = "\n".join(f"            Block{k}()," for k in blocks)
    return text + MODEL.format(stages=stages)


class Client:
    def __init__(self, cmd):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0

    def send(self, method, params, request=False):
        msg = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            msg["id"] = self.next_id
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return msg.get("id")

    def read(self):
        length = 0
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise EOFError("the server stopped")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.proc.stdout.read(length))

    def wait_for(self, pred):
        while True:
            msg = self.read()
            if pred(msg):
                return msg


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--lines", type=int, default=500)
    args = ap.parse_args(argv)
    source = model_source(args.lines)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "net.py")
        with open(path, "w") as fh:
            fh.write(source)
        uri = "file://" + path
        client = Client([sys.executable, "-m", "cnnlint", "lsp"])
        rid = client.send("initialize", {"processId": os.getpid(), "rootUri": "file://" + tmp,
                                         "capabilities": {}}, request=True)
        client.wait_for(lambda m: m.get("id") == rid)
        client.send("initialized", {})
        start = time.perf_counter()
        client.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                              "text": source}})
        first = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        opened = time.perf_counter() - start
        times, errors = [], []
        hovers, hints, behind, answers = [], [], [], []
        lines = source.splitlines()
        line = max(i for i, text in enumerate(lines) if "out = self.bn2(self.conv2(out))" in text)
        where = {"textDocument": {"uri": uri}, "position": {"line": line, "character": lines[line].index("out")}}
        whole = {"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0},
                                                         "end": {"line": len(lines), "character": 0}}}
        for version in range(2, args.edits + 2):
            # odd edits break the head's Linear (in_features one too many), even ones mend it
            text = source if version % 2 == 0 else source.replace("nn.Linear(64 * 16 * 16", "nn.Linear(64 * 16 * 16 + 1")
            start = time.perf_counter()
            client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                   "contentChanges": [{"text": text}]})
            rid = client.send("textDocument/hover", where, request=True) if version % 2 else None
            msg = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                  and m["params"].get("version") == version)
            times.append(time.perf_counter() - start)
            errors.append(sum(1 for d in msg["params"]["diagnostics"] if d.get("severity") == 1))
            if rid is not None:  # the hover sent right behind the edit
                client.wait_for(lambda m: m.get("id") == rid)
                behind.append(time.perf_counter() - start)
            for kind, params, out in (("textDocument/hover", where, hovers), ("textDocument/inlayHint", whole, hints)):
                begin = time.perf_counter()
                rid = client.send(kind, params, request=True)
                reply = client.wait_for(lambda m: m.get("id") == rid)
                out.append(time.perf_counter() - begin)
                answers.append(reply.get("result"))
        rid = client.send("shutdown", None, request=True)
        client.wait_for(lambda m: m.get("id") == rid)
        client.send("exit", None)
        client.proc.wait(timeout=10)
    lines = source.count("\n")
    ms = sorted(t * 1000 for t in times)
    print(f"language server, {lines}-line model file: open {opened * 1000:.0f} ms "
          f"({len(first['params']['diagnostics'])} diagnostics); {len(times)} edits: "
          f"median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms (goal: 100 ms)")
    print(f"errors after each edit: {errors[:6]}... (edits alternately mend (0) and break (1) a Linear)")

    def med(values):
        return f"median {statistics.median(values) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms"

    hover_text = (answers[0] or {}).get("contents", {}).get("value", "").replace("\n", " ")
    print(f"hover after the edit's diagnostics: {med(hovers)} ({hover_text!r})")
    print(f"inlay hints, whole file: {med(hints)} ({len(answers[1] or [])} hints; goal for both: 50 ms)")
    if behind:
        print(f"edit to hover answer, the hover sent right behind the didChange: {med(behind)}")
    ok = all(e == (1 if v % 2 else 0) for v, e in zip(range(2, args.edits + 2), errors))
    ok = ok and "out: [" in hover_text and bool(answers[1])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
