"""briefpub: news articles to print-ready PDF briefings, EPUB 3 and DOCX.

The pipeline: a reader turns an article into a :class:`~briefpub.tree.Document`
(reporting everything it removed), transforms tidy it, and writers lay it out.
This module is the public API; it imports nothing heavy.
"""

from __future__ import annotations

__version__ = "0.1.0"
