"""Plugin registries: readers and writers found by name, imported lazily.

Built-in plugins are declared here by name and ``module:attribute``, with the
facts needed to list them (extension, description) so that ``briefpub --help``,
``briefpub formats`` and format detection never import reportlab, ebooklib or
python-docx. Third-party plugins come from the entry-point groups
``briefpub.readers`` and ``briefpub.writers``; a plugin that fails to load is
reported (:class:`~briefpub.errors.PluginError`, or a note in ``formats``), never
fatal to the rest of the CLI.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from briefpub.errors import PluginError, UnknownFormatError

T = TypeVar("T")


def entry_points(group: str) -> Any:
    """The installed entry points of ``group`` (importlib.metadata is imported only when needed)."""
    from importlib.metadata import entry_points as _entry_points

    return _entry_points(group=group)


@dataclass(frozen=True, slots=True)
class PluginSpec:
    """How to find one plugin without importing it."""

    name: str
    target: str  # "package.module:attribute"
    description: str
    extensions: tuple[str, ...] = ()
    builtin: bool = True


class Registry(Generic[T]):
    """Name -> plugin, with built-ins declared statically and entry points discovered once."""

    def __init__(self, kind: str, group: str, builtins: tuple[PluginSpec, ...]) -> None:
        self.kind = kind
        self.group = group
        self._builtins = {spec.name: spec for spec in builtins}
        self._third_party: dict[str, PluginSpec] | None = None
        self._loaded: dict[str, T] = {}

    def _discover(self) -> dict[str, PluginSpec]:
        if self._third_party is None:
            found: dict[str, PluginSpec] = {}
            for ep in entry_points(self.group):
                if ep.name not in self._builtins:
                    found[ep.name] = PluginSpec(
                        name=ep.name,
                        target=ep.value,
                        description=f"third-party {self.kind} from {ep.value}",
                        builtin=False,
                    )
            self._third_party = found
        return self._third_party

    def specs(self) -> dict[str, PluginSpec]:
        """Every known plugin by name (built-ins first, then entry points), unloaded."""
        return {**self._builtins, **dict(sorted(self._discover().items()))}

    def names(self) -> list[str]:
        """Names of every known plugin, built-ins first."""
        return list(self.specs())

    def knows(self, name: str) -> bool:
        """True when ``name`` is registered; entry points are scanned only for non-built-in names."""
        return name in self._builtins or name in self._discover()

    def by_extension(self, suffix: str) -> str | None:
        """The plugin declaring a file extension (built-ins first; entry points only if needed)."""
        for spec in self._builtins.values():
            if suffix in spec.extensions:
                return spec.name
        for spec in self._discover().values():
            if suffix in spec.extensions:
                return spec.name
        return None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.knows(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.specs())

    def get(self, name: str) -> T:
        """Load (once) and return the plugin called ``name``."""
        if name in self._loaded:
            return self._loaded[name]
        spec = self._builtins.get(name) or self.specs().get(name)
        if spec is None:
            raise UnknownFormatError(
                f"unknown {self.kind} format {name!r} (available: {', '.join(self.names())})"
            )
        module_name, _, attr = spec.target.partition(":")
        try:
            module = importlib.import_module(module_name)
            plugin: T = getattr(module, attr) if attr else module  # type: ignore[assignment]
        except Exception as exc:  # a broken plugin must not take the CLI down
            raise PluginError(
                f"{self.kind} {name!r} ({spec.target}) failed to load: {type(exc).__name__}: {exc}"
            ) from exc
        self._loaded[name] = plugin
        return plugin

    def check(self, name: str) -> str | None:
        """Load ``name`` and return None, or the one-line reason it cannot load."""
        try:
            self.get(name)
        except PluginError as exc:
            return str(exc)
        return None
