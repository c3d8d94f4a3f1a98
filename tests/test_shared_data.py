"""The shared-data rule (issue 11): a test that needs ``../shared`` skips without it, but fails under
``BRIEFPUB_REQUIRE_TOOLS=1`` (CI), whether it needs the file or leaves the case out."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_data import REFERENCE, require_shared, shared_or_none


def test_a_missing_file_skips_on_a_developers_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIEFPUB_REQUIRE_TOOLS", raising=False)
    missing = tmp_path / "seeds" / "absent.txt"
    assert shared_or_none(missing) is None
    with pytest.raises(pytest.skip.Exception, match="absent.txt is not here"):
        require_shared(missing)


def test_a_missing_file_fails_in_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFPUB_REQUIRE_TOOLS", "1")
    missing = tmp_path / "seeds" / "absent.txt"
    with pytest.raises(pytest.fail.Exception, match="absent.txt is not here"):
        require_shared(missing)
    with pytest.raises(pytest.fail.Exception, match="absent.txt is not here"):
        shared_or_none(missing)


def test_a_present_file_is_returned(tmp_path: Path) -> None:
    present = tmp_path / "present.txt"
    present.write_text("x", encoding="utf-8")
    assert require_shared(present) == present == shared_or_none(present)
    assert REFERENCE.name == "000_f2fc37828fe0a249.txt"  # the one path every test uses
