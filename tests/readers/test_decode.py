"""Character decoding shared by the readers (readers/common/decode.py): declared charsets that are not text."""

from __future__ import annotations

import codecs

import pytest

from briefpub.readers import read_bytes
from briefpub.readers.common.decode import decode_declared
from samples import outline

#: Codec names Python knows that are not web page encodings: bytes-to-bytes codecs, str-to-str
#: ones, codecs that cannot replace an undecodable byte, and text codecs no browser supports.
NOT_PAGE_ENCODINGS = ["hex", "base64", "rot13", "rot_13", "uu", "zlib", "bz2", "quopri", "idna", "punycode",
                      "undefined", "unicode_escape", "raw_unicode_escape", "utf-7", "charmap", "utf-32",
                      "utf_32_le"]


@pytest.mark.parametrize("label", NOT_PAGE_ENCODINGS)
def test_a_declared_codec_that_is_not_a_page_encoding_is_ignored(label: str) -> None:
    page = f'<html><head><meta charset="{label}"></head><body><article><p>Café “quoted” +AGEA- \\u0041</p>'
    result = read_bytes(page.encode("utf-8"), source="page.html", fmt="html")
    assert outline(result.document) == "P: Café “quoted” +AGEA- \\u0041"
    assert result.encoding == "utf-8"
    (note,) = [d for d in result.diagnostics if d.code == "reader.metadata"]
    assert note.message == f"declared charset {label!r} is not a web page encoding: encoding detected instead"


def test_unknown_labels_still_fall_back() -> None:
    result = decode_declared(b"<p>plain</p>", "p.html", "no-such-codec")
    assert result.encoding == "utf-8" and "unknown declared charset" in result.diagnostics[0].message


@pytest.mark.parametrize("label", ["windows-1252", "koi8-r", "shift_jis", "utf-8", "iso-8859-2"])
def test_real_page_encodings_are_still_used(label: str) -> None:
    encoding = codecs.lookup(label).name
    text = {"koi8-r": "Привет", "shift_jis": "日本語"}.get(encoding, "Plain text")
    result = decode_declared(f"<p>{text}</p>".encode(encoding), "p.html", label)
    assert result.encoding == encoding and text in result.text


def test_a_codec_failing_outright_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from briefpub.readers.common import decode as module

    monkeypatch.setattr(module, "_NOT_PAGE_ENCODINGS", frozenset())
    data = "<p>Café au lait, crème brûlée</p>".encode("cp1252")  # neither idna nor UTF-8
    result = decode_declared(data, "p.html", "idna")  # idna cannot replace a byte: it raises
    assert result.encoding == "cp1252" and "crème brûlée" in result.text
    assert result.diagnostics[0].message == "the page is not readable as its declared idna: encoding detected instead"
    result = decode_declared("<p>Café</p>".encode(), "p.html", "idna")  # valid UTF-8: read as such, reported
    assert result.encoding == "utf-8" and "Café" in result.text
    assert "valid UTF-8: read as UTF-8" in result.diagnostics[0].message


@pytest.mark.parametrize(("controls", "refused"), [(0, False), (20, False), (21, True)])
def test_control_characters_are_counted_as_characters_among_multibyte_text(controls: int, refused: bool) -> None:
    # 2,100 characters (6,300 UTF-8 bytes): up to 21 control characters pass, one more is binary data
    # (only ASCII controls count: the lead and continuation bytes of "€" are no control characters).
    from briefpub.errors import InputError
    from briefpub.readers.common.decode import decode

    text = "\u20ac" * (2079 - controls) + "\x01" * controls + "\u20ac\x7f\t\n\x0b\x0c\r" + "\u20ac" * 14
    assert len(text) == 2100
    data = text.encode()
    if refused:
        with pytest.raises(InputError, match=r"binary data: 22 control characters"):
            decode(data, "a.txt")
    else:
        assert decode(data, "a.txt").text == text.replace("\r", "\n")
