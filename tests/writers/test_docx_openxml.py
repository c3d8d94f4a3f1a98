"""DOCX against the Open XML SDK's schema validation: 0 errors on every kind of input.

The validator (``@ooxml-tools/validate``, the Open XML SDK in WebAssembly; see
``tests/ooxml_validator.py``) checks every part against the ECMA-376 schemas
and Office's semantic rules, as Word's own tooling does. The corpus: the
reference article, every article fixture, the writer samples (rich, long,
hostile, scripts, Arabic, figures), the images-and-links Markdown article, a
32-article pack, a duplex pack, a right-to-left pack and the hostile cases.
Before the writer moved onto the shared layer (main at the time) the same
corpus also gave 0 errors; this keeps it there.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from articles import ARTICLES_AND_REFERENCE
from briefpub.pipeline import prepare_article, style_fonts
from briefpub.styling import load_style, with_overrides
from briefpub.tree import Publication
from briefpub.writers import WriteOptions
from briefpub.writers.docx import WRITER
from ooxml_validator import require_validator, validate_docx
from samples import (
    arabic_document,
    briefing_pack,
    figure_resources,
    figures_document,
    hostile_document,
    long_document,
    rich_document,
    rtl_pack,
    scripts_document,
    single,
)
from shared_data import REFERENCE, ROOT, require_shared

BRIEFING = load_style("briefing")
DUPLEX = with_overrides(BRIEFING, [("page.duplex", "true"), ("page.gutter", "10mm")])
BUILD = datetime(2024, 3, 5, tzinfo=UTC)


def _write(pub: Publication, resources: dict[str, bytes] | None = None, style: object = BRIEFING) -> bytes:
    options = WriteOptions(build_time=BUILD, resources=resources or {}, fonts=style_fonts(style))  # type: ignore[arg-type]
    return WRITER.write(pub, style, options).data  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    require_validator()
    require_shared(REFERENCE)
    folder = tmp_path_factory.mktemp("openxml")
    files: dict[str, bytes] = {}
    for path in ARTICLES_AND_REFERENCE:
        article = prepare_article(str(path))
        files[f"{path.parent.name}-{path.name}"] = _write(Publication((article.document,)), dict(article.resources))
    images = ROOT / "tests" / "writers" / "data" / "images-and-links.md"
    article = prepare_article(str(images))
    files["images-and-links"] = _write(Publication((article.document,)), dict(article.resources))
    samples = {"rich": rich_document(), "long": long_document(), "hostile": hostile_document(),
               "scripts": scripts_document(), "arabic": arabic_document(), "figures": figures_document()}  # fmt: skip
    for name, doc in samples.items():
        files[f"sample-{name}"] = _write(single(doc), figure_resources())
    files["pack-32"] = _write(briefing_pack(32), figure_resources())
    files["pack-duplex-gutter"] = _write(briefing_pack(12), figure_resources(), DUPLEX)
    files["pack-rtl"] = _write(rtl_pack())
    out = {}
    for name, data in files.items():
        out[name] = folder / f"{name}.docx"
        out[name].write_bytes(data)
    return out


def test_every_docx_has_no_schema_error(corpus: dict[str, Path], tmp_path: Path) -> None:
    results = validate_docx(sorted(corpus.values()), tmp_path)
    assert len(results) == len(corpus) >= 28
    errors = {path.name: [str(e) for e in found[:5]] for path, found in results.items() if found}
    assert not errors, errors


def test_the_validator_finds_errors_where_there_are_some(corpus: dict[str, Path], tmp_path: Path) -> None:
    """A control: the same file with a paragraph property out of schema order and an unknown element."""
    source = corpus["sample-rich"].read_bytes()
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(broken, "w") as dst:
        for name in src.namelist():
            content = src.read(name)
            if name == "word/document.xml":
                text = content.decode()
                text = text.replace('<w:pPr><w:pStyle w:val="Heading1"/>',
                                    '<w:pPr><w:jc w:val="center"/><w:pStyle w:val="Heading1"/>', 1)  # fmt: skip
                text = text.replace("<w:body>", "<w:body><w:p><w:bogus/></w:p>", 1)
                content = text.encode()
            dst.writestr(name, content)
    path = tmp_path / "broken.docx"
    path.write_bytes(broken.getvalue())
    (errors,) = validate_docx([path], tmp_path).values()
    assert len(errors) == 2
    assert {e.part for e in errors} == {"/word/document.xml"}
