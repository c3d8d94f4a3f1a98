"""The OpenAPI 3.1 description of ``briefpub serve``'s HTTP API (serve stage).

Written by hand next to the routes of :mod:`briefpub.serve.app`; a test checks that every route
is described and every described path is served.
"""

from __future__ import annotations

from typing import Any

__all__ = ["spec"]

_ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*statuses: int) -> dict[str, Any]:
    words = {400: "malformed request or option", 401: "missing or wrong token", 403: "CSRF check failed",
             404: "no such draft, article or build", 409: "the draft changed meanwhile (stale version)",
             413: "too large, or too many articles or files", 415: "wrong media type (an article or image)",
             422: "the article cannot be read, or (needs-images, with ?ask_images) the images only the client can "
                  "read: 'images' lists them per article index",
             428: "the draft version is missing", 500: "a failure of the server (writer bug, worker crash)",
             503: "busy (queue full) or timed out; retry later"}
    return {str(s): {"description": words[s], "content": {"application/json": {"schema": _ERROR}}}
            for s in statuses}


_ARTICLE = {
    "type": "object",
    "properties": {
        "text": {"type": "string", "description": "the article as text (UTF-8)"},
        "data": {"type": "string", "contentEncoding": "base64", "description": "the article's bytes, base64"},
        "filename": {"type": "string", "description": "its name: the extension chooses the reader"},
        "from": {"type": "string", "enum": ["txt", "md", "html"], "description": "reader, overriding detection"},
        "set": {"type": "object", "additionalProperties": {"type": "string"},
                "description": "metadata overrides (title, author, date, marking...), as --set"},
        "images": {"$ref": "#/components/schemas/ImagesFound"},
    },
}
_IMAGE_PART: dict[str, Any] = {"type": "array", "items": {"type": "string", "format": "binary"},
               "description": "image files the article names, each with its path relative to the article's folder "
                              "as file name (pics/chart.png; '..', absolute paths, drive letters, backslashes and "
                              "control characters are refused); png, jpeg, gif, webp or svg; 20 MiB and 200 files "
                              "at most"}
_STYLE_SHEETS: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "string"},
                 "description": "when 'style' names a sheet file: that sheet and the files of its 'extends' chain, "
                                "name (as 'style' and 'extends' give it) -> TOML text; resolved as the CLI resolves "
                                "--style FILE (only built-in sheets are read on the server)"}
_ASK = [{"name": "ask_images", "in": "query", "required": False, "schema": {"enum": ["folder", "all"]},
         "description": "answer 422 needs-images with the references only the client can read (its folder; 'all': "
                        "http(s) images too) that 'images' says nothing about, instead of reporting them missing"}]
_UNREADABLE = {
    "type": "object", "required": ["source", "error"],
    "properties": {
        "source": {"type": "string", "description": "the input's name"},
        "error": {"type": "string", "description": "why the client could not read it (one line): the pack fails "
                                                   "with it, or with skip_bad_inputs leaves it out and reports it"},
    },
}
_RESULT = {
    "type": "object",
    "properties": {
        "schema": {"type": "string"},
        "ok": {"type": "boolean"},
        "outputs": {"type": "array", "items": {"type": "object", "properties": {
            "format": {"type": "string"}, "filename": {"type": "string"}, "sha256": {"type": "string"},
            "size": {"type": "integer"}, "data": {"type": "string", "contentEncoding": "base64"}}}},
        "failures": {"type": "array", "items": {"type": "object"}},
        "diagnostics": {"type": "array", "items": {"$ref": "#/components/schemas/Diagnostic"}},
        "images": {"type": "object", "description": "per article: each image reference and what reading it "
                   "found (a content key, or the diagnostic); a client's build cache keeps it"},
    },
}
_FILES = {
    "description": "one format: the file itself; several: a zip of them. With 'Accept: application/json': "
                   "a report with every file base64-encoded",
    "content": {"application/pdf": {}, "application/epub+zip": {},
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
                "application/zip": {}, "application/json": {"schema": _RESULT}},
}
_DRAFT_OK = {"description": "the draft", "content": {"application/json": {"schema": {
    "$ref": "#/components/schemas/Draft"}}}}
_VERSION = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
            "description": "the draft version the change is based on (or 'version' in the body)"}


def _op(summary: str, responses: dict[str, Any], body: dict[str, Any] | None = None,
        params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if body is not None:
        op["requestBody"] = {"required": True, "content": body}
    if params:
        op["parameters"] = params
    return op


def _path(*names: str) -> list[dict[str, Any]]:
    return [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names]


def spec(version: str) -> dict[str, Any]:
    """The OpenAPI document."""
    ok_json = {"description": "OK", "content": {"application/json": {}}}
    convert_body = {
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary"},
            "format": {"type": "string", "description": "pdf, epub, docx or json; repeatable (default pdf)"},
            "from": {"type": "string"}, "style": {"type": "string"},
            "set": {"type": "string", "description": "KEY=VALUE; repeatable"},
            "source": {"type": "string", "description": "the name messages give the article"},
            "epoch": {"type": "integer", "description": "the build time (seconds since 1970)"},
            "image": _IMAGE_PART,
            "images": {"type": "string", "description": "JSON: the object ImagesFound"},
            "style_sheets": {"type": "string", "description": "JSON: " + _STYLE_SHEETS["description"]}}}},
        "application/json": {"schema": {"allOf": [_ARTICLE, {"type": "object", "properties": {
            "format": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
            "style": {"type": "string"}, "style_sheets": _STYLE_SHEETS, "source": {"type": "string"},
            "epoch": {"type": "integer"}}}]}},
    }
    pack_schema = {"type": "object", "required": ["pack", "articles"], "properties": {
        "pack": {"type": "object", "properties": {k: {"type": "string"} for k in (
            "title", "subtitle", "date", "compiled_by", "reference", "version", "marking")} | {
            "summary_page": {"type": "boolean"}, "duplex": {"type": "boolean"}}},
        "articles": {"type": "array", "items": {"anyOf": [_ARTICLE, _UNREADABLE]}},
        "formats": {"type": "array", "items": {"type": "string"}}, "style": {"type": "string"},
        "style_sheets": _STYLE_SHEETS,
        "name": {"type": "string"}, "set": {"type": "object"}, "epoch": {"type": "integer"},
        "skip_bad_inputs": {"type": "boolean", "description": "leave out (and report) articles that cannot "
                            "be read, as a manifest's skip_bad_inputs"}}}
    paths: dict[str, Any] = {
        "/healthz": {"get": _op("Liveness: status, version, live workers", {"200": ok_json})},
        "/openapi.json": {"get": _op("This description", {"200": ok_json})},
        "/api/session": {
            "get": _op("Whether a token is needed and this browser session is signed in", {"200": ok_json}),
            "post": _op("Sign the page's session in with the token", {"200": ok_json, **_errors(400, 401, 403)},
                        {"application/json": {"schema": {"type": "object", "properties": {
                            "token": {"type": "string"}}}}}),
        },
        "/api/formats": {"get": _op("Input and output formats", {"200": ok_json})},
        "/api/styles": {"get": _op("Built-in style sheets", {"200": ok_json})},
        "/api/convert": {"post": _op("Convert one article", {"200": _FILES,
                                                             **_errors(400, 401, 403, 413, 415, 422, 500, 503)},
                                     convert_body, _ASK)},
        "/api/inspect": {"post": _op("The recovered structure of one article, and what was removed",
                                     {"200": ok_json, **_errors(400, 401, 403, 413, 415, 422, 503)}, convert_body)},
        "/api/pack": {"post": _op("Build a briefing pack", {"200": _FILES,
                                                            **_errors(400, 401, 403, 413, 415, 422, 500, 503)},
                                  {"application/json": {"schema": pack_schema},
                                   "multipart/form-data": {"schema": {"type": "object", "required": ["request"],
                                                                      "properties": {
                                       "request": {"type": "string", "format": "binary",
                                                   "description": "the JSON body (a file part)"},
                                       "image": {**_IMAGE_PART, "description": "image files, shared by the "
                                                 "articles: " + str(_IMAGE_PART["description"])}}}}}, _ASK)},
        "/api/drafts": {
            "get": _op("Every draft", {"200": ok_json}),
            "post": _op("A new draft", {"201": _DRAFT_OK, **_errors(400, 403)},
                        {"application/json": {"schema": {"type": "object"}}}),
        },
        "/api/drafts/{draft}": {
            "get": _op("A draft", {"200": _DRAFT_OK, **_errors(404)}, params=_path("draft")),
            "patch": _op("Change a draft's pack settings", {"200": _DRAFT_OK, **_errors(400, 403, 404, 409, 428)},
                         {"application/json": {"schema": {"type": "object", "properties": {
                             "version": {"type": "integer"}, "settings": {"type": "object"}}}}},
                         [*_path("draft"), _VERSION]),
            "delete": _op("Delete a draft", {"204": {"description": "deleted"}, **_errors(403, 404)},
                          params=_path("draft")),
        },
        "/api/drafts/{draft}/articles": {"post": _op(
            "Add articles (multipart 'file' fields, or one JSON article); every file is read first",
            {"201": _DRAFT_OK, **_errors(400, 403, 404, 413, 415, 422, 503)},
            {"multipart/form-data": {"schema": {"type": "object", "properties": {
                "file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
             "application/json": {"schema": _ARTICLE}}, _path("draft"))},
        "/api/drafts/{draft}/articles/{article}": {
            "patch": _op("Set an article's metadata (title, author, date, marking)",
                         {"200": _DRAFT_OK, **_errors(400, 403, 404, 409, 428)},
                         {"application/json": {"schema": {"type": "object"}}}, [*_path("draft", "article"), _VERSION]),
            "delete": _op("Remove an article", {"200": _DRAFT_OK, **_errors(403, 404, 409, 428)},
                          {"application/json": {"schema": {"type": "object"}}}, [*_path("draft", "article"), _VERSION]),
        },
        "/api/drafts/{draft}/order": {"put": _op(
            "Reorder the articles", {"200": _DRAFT_OK, **_errors(400, 403, 404, 409, 428)},
            {"application/json": {"schema": {"type": "object", "properties": {
                "order": {"type": "array", "items": {"type": "string"}}, "version": {"type": "integer"}}}}},
            [*_path("draft"), _VERSION])},
        "/api/drafts/{draft}/builds": {"post": _op(
            "Build the draft's pack (PDF, EPUB, DOCX, a zip, preview images) in the background",
            {"202": ok_json, **_errors(400, 403, 404, 503)}, params=_path("draft"))},
        "/api/builds/{build}": {"get": _op("A build's status, progress, result and files", {"200": ok_json,
                                                                                          **_errors(404)},
                                           params=_path("build"))},
        "/api/builds/{build}/files/{name}": {"get": _op("One file of a build", {"200": {"description": "the file"},
                                                                               **_errors(404)},
                                                        params=_path("build", "name"))},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "briefpub serve", "version": version,
                 "description": "Convert articles and build briefing packs on warm workers. Errors are JSON; "
                                "'code' names the CLI's error category and 'exit_code' the CLI's exit code."},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "required when the server was started with a token"}},
            "schemas": {
                "Error": {"type": "object", "properties": {
                    "error": {"type": "object", "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"},
                        "exit_code": {"type": "integer"}, "status": {"type": "integer"}}},
                    "diagnostics": {"type": "array", "items": {"$ref": "#/components/schemas/Diagnostic"}}}},
                "Diagnostic": {"type": "object", "properties": {
                    "code": {"type": "string", "description": "a stable code of docs/diagnostics.md"},
                    "message": {"type": "string"}, "severity": {"type": "string"}, "text": {"type": "string"},
                    "source": {"type": "string"}, "line": {"type": "integer"}}},
                "ImagesFound": {"type": "object", "additionalProperties": {"type": "string"},
                                "description": "what the client's reading found for each image reference: the "
                                               "name of an image file sent, or '!code: message' (the diagnostic "
                                               "its local run gives); a reference not listed is looked up by its "
                                               "own name among the files sent"},
                "Draft": {"type": "object", "properties": {
                    "id": {"type": "string"}, "version": {"type": "integer"}, "settings": {"type": "object"},
                    "articles": {"type": "array", "items": {"type": "object"}}}},
            },
        },
        "security": [{}, {"bearer": []}],
    }
