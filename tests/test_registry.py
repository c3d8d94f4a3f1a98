"""Registries: lazy built-ins, entry-point plugins, unknown and broken plugins."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import EntryPoint
from typing import Any

import pytest

from briefpub import registry as registry_module
from briefpub.errors import PluginError, UnknownFormatError
from briefpub.readers import READERS
from briefpub.registry import PluginSpec, Registry
from briefpub.writers import WRITERS


def test_builtin_names() -> None:
    assert WRITERS.names()[:4] == ["pdf", "epub", "docx", "json"]
    assert "txt" in READERS.names()


def test_unknown_format_lists_available() -> None:
    with pytest.raises(UnknownFormatError, match="available: pdf, epub, docx, json"):
        WRITERS.get("odt")
    with pytest.raises(LookupError):
        WRITERS.get("odt")


class FakeWriter:
    name = "fake"
    extension = ".fake"
    media_type = "text/plain"

    def write(self, *args: Any) -> Any:
        raise NotImplementedError


FAKE = FakeWriter()


def _registry_with(monkeypatch: pytest.MonkeyPatch, *eps: EntryPoint) -> Registry[Any]:
    monkeypatch.setattr(registry_module, "entry_points", lambda group: [e for e in eps if e.group == group])
    return Registry("writer", "briefpub.writers", (PluginSpec("json", "briefpub.writers.json:WRITER", "tree"),))


def test_entry_point_plugins_are_found_and_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = _registry_with(monkeypatch, EntryPoint("fake", f"{__name__}:FAKE", "briefpub.writers"))
    assert reg.names() == ["json", "fake"]
    assert reg.get("fake") is FAKE
    assert not reg.specs()["fake"].builtin


def test_builtins_win_over_plugins_of_the_same_name(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = _registry_with(monkeypatch, EntryPoint("json", f"{__name__}:FAKE", "briefpub.writers"))
    assert reg.get("json") is not FAKE


def test_broken_plugin_is_reported_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = _registry_with(
        monkeypatch,
        EntryPoint("broken", "no_such_module_xyz:WRITER", "briefpub.writers"),
        EntryPoint("fake", f"{__name__}:FAKE", "briefpub.writers"),
    )
    with pytest.raises(PluginError, match="'broken' .* failed to load: ModuleNotFoundError"):
        reg.get("broken")
    assert reg.check("broken") is not None
    assert reg.check("fake") is None
    assert reg.get("fake") is FAKE


def test_formats_command_reports_broken_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from briefpub.cli import app

    monkeypatch.setattr(
        registry_module, "entry_points",
        lambda group: [EntryPoint("broken", "no_such_module_xyz:W", group)] if group == "briefpub.writers" else [],
    )
    monkeypatch.setattr(WRITERS, "_third_party", None)
    result = CliRunner().invoke(app, ["formats"])
    assert result.exit_code == 0
    assert "broken" in result.stdout and "[broken:" in result.stdout
    monkeypatch.setattr(WRITERS, "_third_party", None)


def test_help_and_formats_do_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from briefpub.cli import main\n"
        "for args in (['--help'], ['formats'], ['styles']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('reportlab', 'ebooklib', 'docx', 'lxml'))\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("HEAVY []")
