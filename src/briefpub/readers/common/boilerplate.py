"""Site boilerplate lines: comment prompts, share links, "Related:" lists (reader stage, shared).

Text a news site prints around every article, pasted or saved with it. The
plain-text reader removes whole lines that match; the web-page reader applies
the same rules to whole paragraphs and headings of the extracted article.
Every removal is reported (``reader.boilerplate-removed``) by the reader.

"Boilerplate" here is the *site's* text around the article; the running
headers, footers and markings a writer prints on each page are its *page
furniture* (:mod:`briefpub.writers.common.frame`), a different thing.
"""

from __future__ import annotations

import re

from briefpub._lazyre import lazy_re

#: Boilerplate removed wherever it stands (after the headline).
BOILERPLATE_ANYWHERE = lazy_re(
    r"^(?:advertisement|advert|sponsored( content)?|"
    r"(?:related|see also|read more|read also|more on this( story)?|recommended)\s*:.*|"
    r"share this (?:article|story|page|post)(?: on .*)?|"
    r"(?:click|tap) here to .*)$",
    re.IGNORECASE,
)
#: Boilerplate removed when it trails the article.
BOILERPLATE_TRAILING = lazy_re(
    r"^(?:(?:add|post|leave|write|submit)( a| new| your)? comments?.*|"
    r"have your say.*|join the (?:conversation|discussion).*|"
    r"(?:view|show|hide|load|read) (?:all )?\d* ?comments?.*|"
    r"\d+\s+comments?|comments?(?:\s*\(\d+\))?|no comments( yet)?\.?|"
    r"(?:please )?read our comment(?:s|ing)? (?:policy|guidelines).*|comment(?:s|ing)? (?:policy|guidelines).*|"
    r"share(?: this)?(?: (?:article|story|page))?:?|share on .*|"
    r"(?:facebook|twitter|x|linkedin|whatsapp|telegram|reddit|email|e-mail|print|tweet|pin it)"
    r"(?:\s*[|/\u00b7,]\s*(?:facebook|twitter|x|linkedin|whatsapp|telegram|reddit|email|e-mail|print|tweet|pin it))*|"
    r"(?:\u00a9|\(c\)|copyright\b).*|all rights reserved.*|"
    r"(?:follow us|subscribe|sign up)\b.*(?:newsletter|twitter|facebook|updates|on\b).*|"
    r"(?:tags?|topics?|filed under|categories)\s*:.*|"
    r"related(?: (?:articles|stories|coverage|content|news|posts))?:?|"
    r"more (?:from|stories|news|in)\b.*|you (?:may|might) also like.*|most (?:read|popular|viewed)\b.*|"
    r"report (?:an )?(?:error|typo).*|top of page|back to top)$",
    re.IGNORECASE,
)
#: A header after which a trailing list of short headline lines is boilerplate too.
RELATED_LIST_HEADER = lazy_re(
    r"^(?:related(?: (?:articles|stories|coverage|content|news|posts))?|read more|more (?:from|stories|on).*|"
    r"you (?:may|might) also like|most (?:read|popular|viewed)|recommended(?: for you)?|see also)\s*:?$",
    re.IGNORECASE,
)


def is_boilerplate(line: str) -> bool:
    """True when a whole line is boilerplate wherever it stands ("Advertisement", "Read more: ...")."""
    return BOILERPLATE_ANYWHERE.match(line) is not None


def is_trailing_boilerplate(line: str) -> bool:
    """True when a whole line is boilerplate at the end of an article (comment prompts, share lines...)."""
    return BOILERPLATE_TRAILING.match(line) is not None or BOILERPLATE_ANYWHERE.match(line) is not None


def is_related_list_header(line: str) -> bool:
    """True when a line introduces a list of related headlines ("Related stories", "Most read")."""
    return RELATED_LIST_HEADER.match(line) is not None
