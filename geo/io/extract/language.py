"""Which language a report is written in: English or French.

Reports from the Sahel come in both (wire stories and blogs in English,
local press and many sitreps in French), and the word lists for events,
dates and figures differ. A post is French when its common function words
are more often French than English; anything else is read as English.
"""

from __future__ import annotations

import re

LANGUAGES = ("en", "fr")

# Short function words that carry no content and are frequent in any prose
# of the language; words shared by both ("a", "on", "plus") are left out.
_FRENCH = frozenset(
    ("le", "la", "les", "des", "du", "une", "dans", "et", "est", "sont", "ont", "été", "selon",
     "par", "sur", "avec", "pour", "qui", "que", "au", "aux", "leur", "leurs", "cette", "ces",
     "ils", "elles", "entre", "lors", "après", "contre", "avait", "avaient")
)  # fmt: skip
_ENGLISH = frozenset(
    ("the", "and", "of", "in", "was", "were", "with", "by", "said", "has", "have", "had",
     "that", "to", "an", "at", "from", "their", "they", "after", "when", "which", "who", "been",
     "into")
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def language_of(text: str) -> str:
    """ "fr" when the text's function words are mostly French, else "en".

    >>> language_of("Des hommes armés ont attaqué le village dans la nuit.")
    'fr'
    >>> language_of("Gunmen attacked the village in the night.")
    'en'
    """
    french = english = 0
    for m in _WORD.finditer(text.casefold()):
        word = m.group(0)
        french += word in _FRENCH
        english += word in _ENGLISH
    return "fr" if french > english else "en"


def paragraph_language(text: str, default: str) -> str:
    """ "fr" or "en" by the text's function words; ``default`` unless the other clearly wins.

    A report in one language often quotes a paragraph in the other (a French
    local-press item in an English brief): each paragraph is read in its own
    language, and one too short to tell keeps its post's.

    >>> paragraph_language("Mardi soir, des hommes armés ont enlevé deux enseignants.", "en")
    'fr'
    >>> paragraph_language("Gao, 14 mai.", "fr")
    'fr'
    """
    french = english = 0
    for m in _WORD.finditer(text.casefold()):
        word = m.group(0)
        french += word in _FRENCH
        english += word in _ENGLISH
    counts = {"fr": french, "en": english}
    other = "en" if default == "fr" else "fr"
    # A paragraph leaves its post's language only when the other language
    # clearly dominates it: French place names ("Nioro du Sahel", "région de
    # Mopti") put a few French words into English prose.
    if counts[default] == 0 and counts[other] > 0:
        return other
    if counts[other] >= 3 and counts[other] > 2 * counts[default]:
        return other
    return default
