"""Who did what to whom: the roles actors named in a sentence play in its event.

Actors are coded only as the text attributes them, and how it attributes
them is kept: an actor who claimed the event ("JNIM claimed the ambush",
« a été revendiquée par le GSIM ») scores 4, one the authorities or residents
blamed ("Residents blamed Ansaroul Islam for the killings", « les autorités
attribuent l'attentat à Boko Haram ») 3, one with a perpetrator cue
("carried out by ...", "ambushed") 2, one only suspected ("suspected MUJAO
fighters", « des terroristes présumés ») 1; one with a target cue ("were
ambushed", "targeting ...") -2, civilians -3. An actor that denied it
("Both the army and JNIM denied responsibility") is no party to it.

A candidate's ``actor1`` is the clearest perpetrator and ``actor2`` the next
actor or the target (:func:`actor_pair`). When the attack is said to be
unclaimed or its attackers unidentified, or its perpetrator only suspected,
``actor1`` is the country's unidentified armed group (ACLED's coding), and
:func:`attribution_note` says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.io.extract.actors import Mention

# (actor label, role score, order of mention, actor kind)
Role = tuple[str, int, int, str]

CLAIMED, BLAMED, PERPETRATOR, SUSPECTED = 4, 3, 2, 1
UNIDENTIFIED = "Unidentified Armed Group ({country})"

PERP_AFTER = re.compile(
    r"^[^.;]{0,90}?\b(?:claimed responsibility|(?:is|are|was|were|be|been)\s+(?:\w+\s+){0,3}?behind"
    r"|carried out|launched|attacked|stormed|ambushed|kidnapped|abducted|seized|opened fire"
    r"|detonated|struck|a (?:attaqu\u00e9|men\u00e9|frapp\u00e9|enlev\u00e9|tu\u00e9)"
    r"|ont (?:attaqu\u00e9|men\u00e9|frapp\u00e9|enlev\u00e9|tu\u00e9|ouvert le feu)"
    r"|(?:est|sont) derri\u00e8re)\b",
    re.I,
)
PERP_BEFORE = re.compile(
    r"\b(?:led|launched|carried out|claimed|perpetrated|conducted|staged|mounted|orchestrated"
    r"|attacked|ambushed|kidnapped|abducted|killed|held|targeted)\s+(?:\w+\s+){0,5}?by\s+"
    r"(?:the\s+)?(?:[\w'\u2019-]+\s+){0,2}$"
    r"|\b(?:men\u00e9e?s?|perp\u00e9tr\u00e9e?s?|commise?s?|attaqu\u00e9e?s?|enlev\u00e9e?s?"
    r"|tu\u00e9e?s?|vis\u00e9e?s?|tendue?s?)\s+(?:\w+\s+){0,3}?par\s+(?:le\s+|la\s+|les\s+|l['\u2019]"
    r"|des\s+)?(?:[\w'\u2019-]+\s+){0,2}$",
    re.I,
)
CLAIM_AFTER = re.compile(
    r"^[^.;]{0,40}?\b(?:claimed (?:responsibility|the\b|it\b)|(?:has|have|had) claimed"
    r"|said (?:that )?(?:it|its (?:fighters|men)|they) (?:had )?(?:carried out|attacked|killed"
    r"|sent|launched|targeted)"
    r"|(?:a|ont) revendiqu\u00e9)",
    re.I,
)
CLAIM_BEFORE = re.compile(
    r"\b(?:claimed by|revendiqu\u00e9e?s? (?:\w+\s+){0,2}?par)\s+"
    r"(?:the\s+|le\s+|la\s+|les\s+|l['\u2019])?(?:[\w'\u2019-]+\s+){0,2}$",
    re.I,
)
BLAME_BEFORE = re.compile(
    r"\b(?:blamed|blame|accused|attributed (?:[\w'\u2019]+\s+){0,3}?to"
    r"|attribuent (?:[\w'\u2019]+\s+){0,3}?\u00e0"
    r"|imput\u00e9e? \u00e0|accusent)\s+(?:the\s+|le\s+|la\s+|les\s+|l['\u2019])?"
    r"(?:[\w'\u2019-]+\s+){0,2}$",
    re.I,
)
BLAME_AFTER = re.compile(r"^\s*(?:\w+\s+){0,2}?(?:was|were|is|are|has been|have been) blamed", re.I)
# "blamed for similar attacks": for others of its kind, not this one.
NOT_THIS_EVENT = re.compile(r"^[^.;]{0,60}?\b(?:similar|such|other|previous|earlier)\b", re.I)
SUSPECT_BEFORE = re.compile(
    r"\b(?:suspected|alleged|presumed|believed to be|thought to be|probably)\s+$", re.I
)
SUSPECT_AFTER = re.compile(
    r"^\s*(?:pr\u00e9sum\u00e9s?|soup\u00e7onn\u00e9s?|suspect(?:ed|s)?)\b", re.I
)
DENIED_AFTER = re.compile(
    r"^[^.;]{0,40}?\b(?:denied (?:any )?(?:responsibility|involvement)|(?:a|ont) d\u00e9menti)",
    re.I,
)
# Characters from the event word within which an actor named with no role
# cue is taken as a party to the event.
NEUTRAL_ACTOR_REACH = 120
# "Malian soldiers faced ...", "French troops were ambushed": the actor
# just named is on the receiving end.
TARGET_AFTER = re.compile(
    r"^\s*(?:\([^)]*\)\s*)?(?:\w+\s+){0,2}?(?:faced|came under|suffered"
    r"|(?:were|was|are|is|have been|had been)\s+(?:\w+\s+){0,2}?(?:attacked|ambushed|targeted"
    r"|tested|hit|struck|killed|wounded|injured|kidnapped|abducted|shelled|bombed)"
    r"|(?:est|sont|a \u00e9t\u00e9|ont \u00e9t\u00e9)\s+(?:\w+\s+){0,2}?(?:tomb\u00e9e?s? dans"
    r"|attaqu\u00e9e?s?|vis\u00e9e?s?|cibl\u00e9e?s?|tu\u00e9e?s?|bless\u00e9e?s?|enlev\u00e9e?s?))\b",
    re.I,
)
TARGET_BEFORE = re.compile(
    r"\b(?:against|targeting|targeted|kidnapped|abducted|killed|attacked|ambushed|on|at|with"
    r"|contre|visant|ciblant)\s+(?:the\s+|a\s+|an\s+|le\s+|la\s+|les\s+|l['\u2019]|un\s+|une\s+"
    r"|des\s+)?(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|\d)\b)"
    r"(?:[\w'\u2019-]+\s+){0,4}$",
    re.I,
)
# "No group has claimed the attack", « L'attaque n'a pas été revendiquée »,
# "unidentified gunmen", « des hommes armés non identifiés »: the attackers
# are not known.
UNCLAIMED = re.compile(
    r"\b(?:no (?:group|one|organi[sz]ation) (?:has |had )?(?:yet |immediately )*claimed"
    r"|nobody (?:has |had )?(?:yet |immediately )*claimed|(?:has|had|was|were) not (?:yet )?"
    r"(?:been )?claimed|unclaimed|no claim of responsibility|unidentified (?:gunmen|armed"
    r"|attackers|assailants|men|militants|individuals)|unknown (?:gunmen|attackers|assailants"
    r"|armed)|n['\u2019]a (?:pas|encore) (?:\u00e9t\u00e9 )?revendiqu|aucune revendication"
    r"|aucun groupe n['\u2019]a|n['\u2019]a pas d\u00e9sign\u00e9 de responsable"
    r"|non identifi\u00e9s|inconnus)\b",
    re.I,
)


def _scored(before: str, after: str) -> int | None:
    """The attribution score of the cues around one mention, or None when it denied the event."""
    if DENIED_AFTER.match(after):
        return None
    if CLAIM_AFTER.match(after) or CLAIM_BEFORE.search(before):
        return CLAIMED
    blamed = BLAME_BEFORE.search(before) or BLAME_AFTER.match(after)
    if blamed:
        rest = after if BLAME_AFTER.match(after) else after[:80]
        return None if NOT_THIS_EVENT.match(rest) else BLAMED
    if TARGET_AFTER.match(after):
        return -2
    if SUSPECT_BEFORE.search(before) or SUSPECT_AFTER.match(after):
        return SUSPECTED
    if PERP_AFTER.match(after) or PERP_BEFORE.search(before):
        return PERPETRATOR
    if TARGET_BEFORE.search(before):
        return -2
    return 0


def _role_score(sentence: str, mentions: list[Mention], k: int) -> int | None:
    """The role score of mention ``k`` (see the module docstring); None when it denied it."""
    mention = mentions[k]
    # A cue belongs to the nearest actor: "signed by Ansaru ... owned by
    # Belmokhtar, whose group is behind ..." makes Belmokhtar's group
    # the perpetrator, not Ansaru.
    stop = mentions[k + 1].start if k + 1 < len(mentions) else len(sentence)
    after = sentence[mention.end : stop]
    begin = mentions[k - 1].end if k > 0 else 0
    before = sentence[max(begin, mention.start - 70) : mention.start]
    return _scored(before, after)


def actor_roles(
    sentence: str, mentions: list[Mention], country: str, base: int, anchor: int | None = None
) -> list[Role]:
    """(actor label, role score, order, kind) for mentions (see the module docstring).

    With ``anchor`` (the event word's position), an actor with no role cue
    named far from it ("..., as well as X, leader of Ansar Dine, ...") is
    left out: it is mentioned in passing, not a party to the event.
    """
    out = []
    for k, mention in enumerate(mentions):
        far = (
            anchor is not None
            and min(abs(mention.start - anchor), abs(mention.end - anchor)) > NEUTRAL_ACTOR_REACH
        )
        score = _role_score(sentence, mentions, k)
        if score is None or (far and score <= 0):
            continue
        for actor in mention.actors:
            kind_score = -3 if actor.kind == "civilian" else score
            out.append((actor.label(country), kind_score, base + k, actor.kind))
    return out


@dataclass
class _Parties:
    """Actors of a candidate by their clearest role: name -> (score, first mention)."""

    role: dict[str, tuple[int, int]]
    civilians: list[str]

    @classmethod
    def of(cls, actors: list[Role]) -> _Parties:
        # One actor named several times ("Malian soldiers faced attacks when
        # bombers targeted Malian army bases") takes its clearest role: the
        # strongest attribution wins, else a target cue, else neutral.
        role: dict[str, tuple[int, int]] = {}
        for name, score, order, kind in actors:
            if kind == "civilian":
                continue
            old_score, old_order = role.get(name, (0, order))
            pick = max if score > 0 or old_score > 0 else min
            role[name] = (pick(score, old_score), min(order, old_order))
        ranked = sorted(actors, key=lambda a: (-a[1], a[2]))
        return cls(role, [a[0] for a in ranked if a[3] == "civilian"])

    @property
    def names(self) -> list[str]:
        return sorted(self.role, key=lambda n: (-self.role[n][0], self.role[n][1]))


def _demonstrators(parties: _Parties, kind: str, country: str) -> tuple[str, str]:
    found = next((a for a in parties.civilians if a.startswith(kind)), "")
    actor1 = found or (f"{kind} ({country})" if country else kind)
    return actor1, parties.names[0] if parties.names else ""


def actor_pair(
    actors: list[Role],
    event_type: str,
    civilian: bool,
    country: str,
    unidentified: bool = False,
) -> tuple[str, str]:
    """``actor1`` and ``actor2`` of a candidate from the roles its sentences gave.

    ``unidentified``: the text says the attack was unclaimed or its
    attackers unidentified; with no actor claimed, blamed or cued as its
    perpetrator, ``actor1`` is then the country's unidentified armed group,
    as it is when the perpetrator is only suspected.
    """
    parties = _Parties.of(actors)
    names = parties.names
    if event_type == "Protests":
        return _demonstrators(parties, "Protesters", country)
    if event_type == "Riots":
        return _demonstrators(parties, "Rioters", country)
    actor1 = names[0] if names else ""
    actor2 = names[1] if len(names) > 1 else ""
    top = parties.role[names[0]][0] if names else 0
    if names and top < 0:
        # Only targets are named: the attacker is not known.
        actor1, actor2 = "", names[0]
    if top == SUSPECTED or (unidentified and top < PERPETRATOR):
        others = [n for n in names if parties.role[n][0] < SUSPECTED]
        actor1 = (
            UNIDENTIFIED.replace("{country}", country) if country else "Unidentified Armed Group"
        )
        actor2 = others[0] if others else ""
    if not actor2 and (civilian or event_type.startswith("Violence")):
        # Violence against civilians has civilians on the receiving end,
        # named or not (ACLED's "Civilians (Country)").
        default = f"Civilians ({country})" if country else "Civilians"
        actor2 = next((a for a in parties.civilians if a.startswith("Civilians")),
                      parties.civilians[0] if parties.civilians else default)  # fmt: skip
    return actor1, actor2


def attribution_note(actors: list[Role], unidentified: bool) -> str:
    """How the text attributes the event: claimed, blamed, suspected or unclaimed ("" if none)."""
    parties = _Parties.of(actors)
    words = {CLAIMED: "claimed by", BLAMED: "blamed on (not claimed)", SUSPECTED: "suspected:"}
    for score in (CLAIMED, BLAMED):
        named = [n for n in parties.names if parties.role[n][0] == score]
        if named:
            return f"{words[score]} {', '.join(named)}"
    suspected = [n for n in parties.names if parties.role[n][0] == SUSPECTED]
    if suspected:
        return f"suspected: {', '.join(suspected)} (coded as an unidentified armed group)"
    if unidentified and not any(parties.role[n][0] >= PERPETRATOR for n in parties.names):
        return "not claimed, attackers not identified: unidentified armed group"
    return ""
