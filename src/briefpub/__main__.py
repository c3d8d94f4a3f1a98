"""``python -m briefpub`` and the ``briefpub`` console script (:func:`run`).

The start-up caches (compiled dataclass methods and regular-expression programs, see
:mod:`briefpub._codecache`) are installed before typer and the pipeline are imported, so their
classes and patterns cost less; a library user who imports :mod:`briefpub.cli` is left alone.
"""


def run() -> None:
    """Install the start-up caches, then run the CLI (:func:`briefpub.cli.main`)."""
    from briefpub._codecache import install

    install()
    from briefpub.cli import main

    main()


if __name__ == "__main__":
    run()
