"""What the readers share (reader stage): one module per concern, no reader imports another.

- :mod:`.decode`: input checks and decoding (byte-order marks, legacy encodings,
  a web page's declared charset), line ends normalised once;
- :mod:`.notes`: diagnostics collected while reading, and the reader's result;
- :mod:`.limits`: how deep quotations, lists and inline formatting may nest;
- :mod:`.inlines`: tidying runs of inlines as a browser lays them out;
- :mod:`.links`: which URLs may become links, and bare URLs in text made links;
- :mod:`.images`: which image sources are kept, and when an image is a figure
  rather than an inline image;
- :mod:`.languages`: language of parts (``lang`` attributes, ``{lang=..}`` spans);
- :mod:`.boilerplate`: site boilerplate lines (comment prompts, share links,
  "Related:" lists), removed and reported; not to be confused with a writer's page
  furniture (running headers, footers, markings);
- :mod:`.bylines`: "By NAME, Role | date | outlet" lines;
- :mod:`.datelines`: date lines and "PLACE, Feb. 9 --" datelines;
- :mod:`.compare`: "is this the same line?" comparisons (titles, headlines, authors).

Dates are parsed by :mod:`briefpub.dates` and language tags checked by
:mod:`briefpub.language`, shared with the other stages.
"""
