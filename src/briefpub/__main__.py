"""``python -m briefpub``: the same as the ``briefpub`` command."""

from briefpub._codecache import install

install()  # before typer and the pipeline are imported: their classes and regular expressions cost less
from briefpub.cli import main  # noqa: E402 - after the caches are installed

main()
