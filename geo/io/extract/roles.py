"""Who did what to whom: the roles actors named in a sentence play in its event.

An actor with a perpetrator cue ("claimed responsibility", "carried out by
...") scores +2, one with a target cue ("were ambushed", "targeting ...")
-2, civilians -3. A candidate's ``actor1`` is the clearest perpetrator and
``actor2`` the next actor or the target (:func:`actor_pair`).
"""

from __future__ import annotations

import re

from geo.io.extract.actors import Mention

# (actor label, role score, order of mention, actor kind)
Role = tuple[str, int, int, str]

PERP_AFTER = re.compile(
    r"^[^.;]{0,90}?\b(?:claimed responsibility|(?:is|are|was|were|be|been)\s+(?:\w+\s+){0,3}?behind"
    r"|carried out|launched|attacked|stormed|ambushed|kidnapped|abducted|seized|opened fire"
    r"|detonated|struck)\b",
    re.I,
)
PERP_BEFORE = re.compile(
    r"\b(?:led|launched|carried out|claimed|perpetrated|conducted|staged|mounted|orchestrated"
    r"|attacked|ambushed|kidnapped|abducted|killed|held|targeted)\s+(?:\w+\s+){0,5}?by\s+"
    r"(?:the\s+)?(?:[\w'\u2019-]+\s+){0,2}$",
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
    r"|tested|hit|struck|killed|wounded|injured|kidnapped|abducted|shelled|bombed))\b",
    re.I,
)
TARGET_BEFORE = re.compile(
    r"\b(?:against|targeting|targeted|kidnapped|abducted|killed|attacked|ambushed|on|at|with)"
    r"\s+(?:the\s+|a\s+|an\s+)?(?:[\w'\u2019-]+\s+){0,3}$",
    re.I,
)


def _role_score(sentence: str, mentions: list[Mention], k: int) -> int:
    """+2 for a perpetrator cue around mention ``k``, -2 for a target cue, else 0."""
    mention = mentions[k]
    # A cue belongs to the nearest actor: "signed by Ansaru ... owned by
    # Belmokhtar, whose group is behind ..." makes Belmokhtar's group
    # the perpetrator, not Ansaru.
    stop = mentions[k + 1].start if k + 1 < len(mentions) else len(sentence)
    after = sentence[mention.end : stop]
    begin = mentions[k - 1].end if k > 0 else 0
    before = sentence[max(begin, mention.start - 70) : mention.start]
    if TARGET_AFTER.match(after):
        return -2
    if PERP_AFTER.match(after) or PERP_BEFORE.search(before):
        return 2
    if TARGET_BEFORE.search(before):
        return -2
    return 0


def actor_roles(
    sentence: str, mentions: list[Mention], country: str, base: int, anchor: int | None = None
) -> list[Role]:
    """(actor label, role score, order, kind) for mentions: +2 perpetrator cue, -2 target.

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
        if far and score <= 0:
            continue
        for actor in mention.actors:
            kind_score = -3 if actor.kind == "civilian" else score
            out.append((actor.label(country), kind_score, base + k, actor.kind))
    return out


def actor_pair(
    actors: list[Role], event_type: str, civilian: bool, country: str
) -> tuple[str, str]:
    """``actor1`` and ``actor2`` of a candidate from the roles its sentences gave."""
    # One actor named several times ("Malian soldiers faced attacks when
    # bombers targeted Malian army bases") takes its clearest role: a
    # perpetrator cue wins, else a target cue, else neutral.
    role: dict[str, tuple[int, int]] = {}
    for name, score, order, kind in actors:
        if kind == "civilian":
            continue
        old_score, old_order = role.get(name, (0, order))
        pick = max if score > 0 or old_score > 0 else min
        role[name] = (pick(score, old_score), min(order, old_order))
    ranked = sorted(actors, key=lambda a: (-a[1], a[2]))
    names = sorted(role, key=lambda n: (-role[n][0], role[n][1]))
    civilians = [a[0] for a in ranked if a[3] == "civilian"]
    actor1 = names[0] if names else ""
    actor2 = names[1] if len(names) > 1 else ""
    if names and role[names[0]][0] < 0:
        # Only targets are named: the attacker is not known.
        actor1, actor2 = "", names[0]
    if event_type == "Protests":
        protesters = next((a for a in civilians if a.startswith("Protesters")), "")
        actor1 = protesters or (f"Protesters ({country})" if country else "Protesters")
        actor2 = names[0] if names else ""
    elif event_type == "Riots":
        rioters = next((a for a in civilians if a.startswith("Rioters")), "")
        actor1 = rioters or (f"Rioters ({country})" if country else "Rioters")
        actor2 = names[0] if names else ""
    elif civilians and not actor2 and (civilian or event_type.startswith("Violence")):
        actor2 = next((a for a in civilians if a.startswith("Civilians")), civilians[0])
    return actor1, actor2
