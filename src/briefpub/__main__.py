"""``python -m briefpub``: the same as the ``briefpub`` command."""

from briefpub.cli import main

main()
