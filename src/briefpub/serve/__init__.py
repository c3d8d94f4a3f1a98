"""``briefpub serve``: a web page and an HTTP API over warm worker processes (serve stage).

* :mod:`.workers`: the warm pool; conversions run there, on article *bytes* (never paths).
* :mod:`.storage`: drafts of briefing packs in SQLite (WAL), with their articles' bytes.
* :mod:`.app`: the Starlette application: the API, the page, security (token, CSRF, limits).
* :mod:`.openapi`: the API's OpenAPI 3.1 description.
* :mod:`.client`: what ``convert``/``pack`` use with ``--server URL`` (standard library only).

Starlette and uvicorn (the ``serve`` extra) are imported only by :func:`briefpub.serve.app.run`,
so the CLI's start-up never pays for them.
"""
