"""Pack assembly's limits (pipeline/pack.py): the pack's title and its articles' blocks in all."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefpub.errors import InputError
from briefpub.pipeline import pack as pack_module
from briefpub.pipeline.pack import assemble_pack
from briefpub.readers.common.limits import MAX_TITLE_CHARS
from briefpub.tree import PackMeta
from clirun import run


def articles(tmp_path: Path, count: int, paragraphs: int) -> list[str]:
    paths = []
    for n in range(count):
        path = tmp_path / f"a{n}.md"
        path.write_text(f"# Article {n}\n\n" + "".join(f"Paragraph {i}.\n\n" for i in range(paragraphs)))
        paths.append(str(path))
    return paths


def test_a_pack_over_the_block_limit_names_the_article_that_crosses_it(tmp_path, monkeypatch):
    monkeypatch.setattr(pack_module, "MAX_PACK_BLOCKS", 25)
    paths = articles(tmp_path, 3, 10)
    assert len(assemble_pack(paths[:2], PackMeta("P")).publication.documents) == 2  # 20 blocks
    with pytest.raises(InputError, match=rf"^{paths[2]}: the pack reaches 30 blocks with this article "
                                         r"\(the limit for a pack is 25\)"):
        assemble_pack(paths, PackMeta("P"), skip_bad_inputs=True)  # not a bad article: refused anyway


def test_an_overlong_pack_title_is_one_clear_line(tmp_path, capsys):
    paths = articles(tmp_path, 1, 2)
    code, _out, err = run(["pack", "-q", "--title", "t" * (MAX_TITLE_CHARS + 1), "-o", str(tmp_path / "out"),
                           *paths], capsys)
    assert code == 2
    assert err.strip() == (f"error: pack title: a title of {MAX_TITLE_CHARS + 1:,} characters (the limit is "
                           f"{MAX_TITLE_CHARS:,}): this does not look like a headline")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_an_overlong_title_set_on_the_command_line_is_refused(tmp_path, capsys):
    paths = articles(tmp_path, 1, 2)
    code, _out, err = run(["convert", "-q", "--set", "title=" + "t" * (MAX_TITLE_CHARS + 1), "-o",
                           str(tmp_path / "out"), *paths], capsys)
    assert code == 2 and err.strip().startswith(f"error: --set title: a title of {MAX_TITLE_CHARS + 1:,} characters")
