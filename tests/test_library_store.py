"""What is read from a library's files is kept on disk between runs (environment/store.py): timm's
model index and its pretrained configs. Computed once, read back while the files are unchanged,
computed again when one changes, and never a different answer."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap

import pytest

from cnnlint.environment import store
from cnnlint.overlays import timm


@pytest.fixture
def kept(tmp_path):
    store.configure(str(tmp_path / "cache"))
    yield tmp_path / "cache"
    store.configure(None)


def _counting(calls, value):
    def compute():
        calls.append(1)
        return value
    return compute


def test_computed_once_then_read_from_disk(kept, tmp_path):
    f = tmp_path / "a.py"
    f.write_text("x = 1\n")
    calls = []
    assert store.remembered("kind", [str(f)], _counting(calls, {"a": 1})) == {"a": 1}
    assert store.remembered("kind", [str(f)], _counting(calls, {"a": 2})) == {"a": 1}
    assert len(calls) == 1
    assert (kept / ".gitignore").read_text().endswith("*\n") and (kept / "CACHEDIR.TAG").exists()


def test_a_changed_file_or_another_argument_is_computed_again(kept, tmp_path):
    f = tmp_path / "a.py"
    f.write_text("x = 1\n")
    calls = []
    store.remembered("kind", [str(f)], _counting(calls, 1))
    f.write_text("x = 22\n")
    assert store.remembered("kind", [str(f)], _counting(calls, 2)) == 2
    assert store.remembered("kind", [str(f)], _counting(calls, 3), argument="other") == 3
    assert store.remembered("other kind", [str(f)], _counting(calls, 4)) == 4
    assert len(calls) == 4


def test_nothing_is_kept_without_a_cache_folder(tmp_path):
    store.configure(None)
    calls = []
    store.remembered("kind", [], _counting(calls, 1))
    store.remembered("kind", [], _counting(calls, 1))
    assert len(calls) == 2


def test_a_broken_entry_or_an_unwritable_folder_is_computed(kept, tmp_path):
    calls = []
    store.remembered("kind", [], _counting(calls, 1))
    entries = [os.path.join(d, n) for d, _, names in os.walk(kept / "library") for n in names]
    assert len(entries) == 1
    with open(entries[0], "wb") as fh:
        fh.write(b"\x80garbage")
    assert store.remembered("kind", [], _counting(calls, 5)) == 5
    blocker = tmp_path / "file"
    blocker.write_text("")
    store.configure(str(blocker))  # a file where the folder should be
    assert store.remembered("kind", [], _counting(calls, 6)) == 6
    assert len(calls) == 3


MODULE = textwrap.dedent('''
    def _cfg(url='', **kwargs):
        return {'url': url, 'num_classes': 1000, 'input_size': (3, 224, 224), **kwargs}

    default_cfgs = generate_default_cfgs({
        'tiny_net.a1_in1k': _cfg(hf_hub_id='timm/'),
        'tiny_net.plain': _cfg(num_classes=11, input_size=(3, 96, 96), mean=IMAGENET_MEAN),
    })

    @register_model
    def tiny_net(pretrained=False, **kwargs):
        return _create('tiny_net', pretrained, **kwargs)
''')


def test_timm_index_and_configs_are_the_same_read_back(kept, tmp_path):
    models = tmp_path / "timm" / "models"
    models.mkdir(parents=True)
    (models / "tiny.py").write_text(MODULE)
    path = str(models / "tiny.py")
    first_index, first_cfgs = timm.registry(str(models)), timm.module_configs(path)
    timm._indexes.clear()
    timm._configs.clear()
    assert timm.registry(str(models)) == first_index == {"tiny_net": "timm.models.tiny"}
    again = timm.module_configs(path)
    assert again == first_cfgs and again is not first_cfgs  # read back from disk
    assert again["tiny_net"]["tag"] == "a1_in1k"
    assert again["tiny_net.plain"]["mean"] is timm._UNREADABLE  # a name, not a literal: still the one marker
    assert pickle.loads(pickle.dumps(timm._UNREADABLE)) is timm._UNREADABLE
    timm._indexes.clear()
    (models / "more.py").write_text("@register_model\ndef other_net(pretrained=False):\n    pass\n")
    assert timm.registry(str(models)) == {"tiny_net": "timm.models.tiny", "other_net": "timm.models.more"}
    timm._indexes.clear()
    timm._configs.clear()


def test_no_cache_keeps_nothing(tmp_path):
    model = tmp_path / "m.py"
    model.write_text("import torch.nn as nn\nnet = nn.Linear(2, 3)\n")
    cache = tmp_path / "c"
    run = [sys.executable, "-m", "cnnlint", "shapes", str(model), "--no-cache"]
    subprocess.run(run, cwd=tmp_path, capture_output=True, env=dict(os.environ, CNNLINT_CACHE_DIR=str(cache)))
    assert not cache.exists()
