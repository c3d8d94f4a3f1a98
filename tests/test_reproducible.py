"""Byte-identical outputs across processes: same input + SOURCE_DATE_EPOCH, any hash seed.

Each format writes the same samples (Latin, right-to-left with shaping, many scripts, a pack)
in two fresh interpreters with different ``PYTHONHASHSEED`` values and different working
folders; the bytes must be identical. The build time comes from ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

SCRIPT = """
import hashlib, json, sys
sys.path.insert(0, {tests!r})
from briefpub.pipeline import build_time_from_env, style_fonts
from briefpub.styling import load_style
from briefpub.writers import WriteOptions, get_writer
import samples
cases = {{
    "rich": samples.single(samples.rich_document()),
    "arabic": samples.single(samples.arabic_document()),
    "scripts": samples.single(samples.scripts_document()),
    "pack": samples.pack([samples.rich_document(), samples.arabic_document(), samples.long_document(30)]),
}}
options = WriteOptions(build_time=build_time_from_env(), fonts=style_fonts(load_style()))
out = {{}}
for fmt in ("pdf", "epub", "docx"):
    for name, pub in cases.items():
        data = get_writer(fmt).write(pub, load_style(), options).data
        out[f"{{fmt}}:{{name}}"] = hashlib.sha256(data).hexdigest()
print(json.dumps(out))
"""


def _digests(seed: str, cwd: Path, epoch: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": epoch}
    proc = subprocess.run([sys.executable, "-c", SCRIPT.format(tests=str(TESTS))], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow
def test_identical_bytes_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _digests("1", tmp_path / "a", "1485129600")
    second = _digests("4242", tmp_path / "b", "1485129600")
    assert len(first) == 12
    differing = sorted(k for k in first if first[k] != second[k])
    assert not differing, differing
    # ...and the build time really is an input: another SOURCE_DATE_EPOCH changes the files.
    third = _digests("1", tmp_path / "a", "1700000000")
    assert all(third[k] != first[k] for k in first)
    assert hashlib.sha256(b"").hexdigest() not in first.values()
