"""Accessibility of the EPUB: the writer's own checks and the metadata that reports them (writer stage).

EPUB Accessibility 1.1 asks a publication to describe itself (schema.org
``accessMode``, ``accessModeSufficient``, ``accessibilityFeature``,
``accessibilityHazard``, ``accessibilitySummary``) and, when it meets WCAG 2.1
AA, to say so (``dcterms:conformsTo``) and name who evaluated it
(``a11y:certifiedBy``). Every statement here is backed by what the writer
did, counted while it rendered (:class:`AccessibilityChecks`):

* ``alternativeText`` only when every image (the cover, figures, inline
  images) has a real text alternative; an image whose alternative had to be
  made up ("Figure 3") counts against it;
* the language of every document and of every part in another language is a
  well-formed tag (a tag replaced by a default is a failure);
* ``pageBreakMarkers`` and ``pageNavigation`` only with a page list, and then
  ``pageBreakSource`` names the print edition it follows.

The conformance claim is made only when there is no failure **and** the style
sheet names the evaluator (``accessibility.certified_by``, or ``--set
accessibility.certified_by=...``); the writer never invents one. Colour
contrast under the reader's own theme, reading order and the meaning of
alternative texts still need a human reviewer (see ``docs/accessibility-epub.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CONFORMANCE", "AccessibilityChecks", "accessibility_metadata"]

#: The conformance claim (EPUB Accessibility 1.1, section 5.1).
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


@dataclass
class AccessibilityChecks:
    """What the writer observed while rendering, for the accessibility claims."""

    images: int = 0
    images_without_alt: int = 0
    problems: list[str] = field(default_factory=list)

    def image(self, alt: str) -> None:
        """Count one embedded image and whether it has a real text alternative."""
        self.images += 1
        if not alt.strip():
            self.images_without_alt += 1

    def problem(self, text: str) -> None:
        """Record a failure that rules out the conformance claim."""
        if text not in self.problems:
            self.problems.append(text)

    def failures(self) -> list[str]:
        """Every reason the publication may not claim conformance (empty: none found)."""
        out = list(self.problems)
        if self.images_without_alt:
            n = self.images_without_alt
            out.append(f"{n} image{'s have' if n != 1 else ' has'} no text alternative")
        return out


def _summary(checks: AccessibilityChecks, *, claimed: bool, page_list: bool, page_source: str) -> str:
    parts = ["Reflowable text with a heading structure, a table of contents and a logical reading order; "
             "text colours follow the reading system's theme and links are underlined."]
    if checks.images_without_alt:
        parts.append("Some images have no text alternative.")
    else:
        parts.append("Every image, including the generated cover, has a text alternative; the cover repeats "
                     "words given in the text.")
    if page_list:
        parts.append(f"Page break markers and a page list follow the print edition ({page_source}).")
    parts.append("No audio, video or animation.")
    if claimed:
        parts.append(f"Meets {CONFORMANCE}.")
    elif not checks.failures():
        parts.append("The writer's automated checks found no failure; no evaluator was named, so no "
                     "conformance is claimed.")
    return " ".join(parts)


def accessibility_metadata(
    checks: AccessibilityChecks, *, certified_by: str, page_list: bool, page_source: str
) -> tuple[list[tuple[str, str]], bool]:
    """The OPF accessibility properties as ``(property, value)`` pairs, and whether conformance is claimed."""
    all_alt = checks.images_without_alt == 0
    claimed = bool(certified_by.strip()) and not checks.failures()
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability", "ARIA"]
    if all_alt and checks.images:
        features.append("alternativeText")
    if page_list:
        features += ["pageBreakMarkers", "pageNavigation"]
    pairs = [("schema:accessMode", "textual")]
    if checks.images:
        pairs.append(("schema:accessMode", "visual"))
        if all_alt:
            pairs.append(("schema:accessModeSufficient", "textual"))
        pairs.append(("schema:accessModeSufficient", "textual,visual"))
    else:
        pairs.append(("schema:accessModeSufficient", "textual"))
    pairs += [("schema:accessibilityFeature", f) for f in features]
    pairs += [
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", _summary(checks, claimed=claimed, page_list=page_list,
                                                 page_source=page_source)),
    ]
    if page_list:
        pairs.append(("pageBreakSource", page_source))
    if claimed:
        pairs += [("dcterms:conformsTo", CONFORMANCE), ("a11y:certifiedBy", certified_by.strip())]
    return pairs, claimed
