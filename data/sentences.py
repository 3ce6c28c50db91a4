"""A review cut into its sentences, as a reader would cut it (the Review page's "sentence by
sentence" view).

A sentence ends at ``.``, ``!`` or ``?`` (any run of them, with closing quotes or brackets after)
followed by a space, at a line break, or at an HTML line break (``<br />``, as IMDB reviews
have them). It does not end after a common abbreviation ("Mr. Smith", "e.g. this"), inside a
number ("7.5/10"), or at an ellipsis that the sentence goes on after in lower case ("it was...
fine"). Pieces with no letter or digit ("!!!", "-") are not sentences.
"""

from __future__ import annotations

import re

# Words that end with a full stop without ending the sentence (lower case, without the stop).
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "approx", "vol",
})

_LINE_BREAKS = re.compile(r"<br\s*/?>|\r\n|\r|\n", flags=re.IGNORECASE)
# The end of a sentence: stops (and closing quotes/brackets) and the space after them.
_END = re.compile(r"""[.!?]+["'”’)\]]*(?=\s+)""")
_HAS_WORD = re.compile(r"[^\W_]")


def _ends_sentence(line: str, match: re.Match) -> bool:
    stops = match.group(0).rstrip("\"'”’)]")
    after = line[match.end():].lstrip()
    if stops == ".":
        word = line[:match.start()].rsplit(None, 1)[-1].lower() if line[:match.start()].strip() else ""
        if word.lstrip("(\"'") in ABBREVIATIONS:
            return False
    if stops.startswith("..") and set(stops) == {"."} and after[:1].islower():
        return False  # "it was... fine": an ellipsis inside a sentence
    return True


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, in order, stripped; those without a letter or digit left out."""
    sentences: list[str] = []
    for line in _LINE_BREAKS.split(text):
        start = 0
        for match in _END.finditer(line):
            if _ends_sentence(line, match):
                sentences.append(line[start:match.end()])
                start = match.end()
        sentences.append(line[start:])
    return [s.strip() for s in sentences if _HAS_WORD.search(s)]
