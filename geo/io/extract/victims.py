"""Who was hit: the people a report counts, sorted into the groups ACLED tells apart.

ACLED's event type depends on who the victims were: armed men killing
soldiers, militiamen or police fight a battle (Battles / Armed clash);
armed men killing unarmed people commit Violence against civilians. And
attackers' own deaths are counted in an event's fatalities, with a note.
So the nouns after a figure ("twelve soldiers", « une vingtaine de
civils », "four attackers") and the targets of an attack ("the army
post", "a hamlet") are sorted into:

* ``"attacker"``: the side that attacked, usually a non-state armed group
  (attackers, assailants, gunmen, militants, bombers, kamikaze, ...);
* ``"armed"``: armed people on the receiving end (soldiers, gendarmes,
  peacekeepers, militiamen, VDP, ...);
* ``"civilian"``: unarmed people (civilians, villagers, farmers,
  passengers, miners, « habitants », ...), and "people" / « personnes »;
* ``"person"``: people of no stated side ("five men", « dix hommes »,
  "bodies");
* ``""``: anything else (vehicles, houses, head of cattle).
"""

from __future__ import annotations

import re

_ATTACKER = (
    r"attackers?|assailants?|gunmen|gunman|militants?|jihadists?|terrorists?|insurgents?"
    r"|bombers?|suicide bombers?|rebels?|raiders|fighters|extremists|islamists"
    r"|assaillants?|terroristes?|jihadistes?|djihadistes?|kamikazes?|insurg\u00e9s|rebelles?"
    r"|combattants?|islamistes?|ravisseurs|hommes arm\u00e9s|individus arm\u00e9s"
)
_ARMED = (
    r"soldiers?|troops|servicemen|gendarmes?|policemen|police officers?|policemen|officers?"
    r"|conscripts?|peacekeepers?|guards?|militiamen|militia members|members of (?:a|the)"
    r"(?: [\w-]+){0,2} militia|VDP|volunteers|recruits|legionnaires|blue helmets"
    r"|soldats?|militaires?|gendarmes?|policiers?|casques bleus|gardes?|miliciens?|volontaires"
    r"|FAMa|\u00e9l\u00e9ments|douaniers|forestiers"
)
# People of no stated side: "five men", « dix hommes ».
_PERSON = (
    r"men|man|hommes|homme|individuals|individus|persons?|victims|victimes|bodies|corps|cadavres"
)
_CIVILIAN = (
    r"civilians?|villagers?|residents?|farmers?|herders?|herdsmen|miners?|passengers?"
    r"|traders?|merchants?|workers?|staff(?: members)?|children|women|worshippers|students?"
    r"|pupils|teachers?|shepherds?|people|persons|displaced|refugees|aid workers|drivers?"
    r"|fishermen|chiefs?|villages?|hamlets?|markets?|mosques?|churches|schools?|camps? of"
    r"|civils?|villageois|habitants?|personnes|bergers?|\u00e9leveurs?|cultivateurs?"
    r"|agriculteurs?|commer\u00e7ants?|passagers?|enseignants?|\u00e9l\u00e8ves|femmes|enfants"
    r"|fid\u00e8les|orpailleurs|chefs?|hameaux?|march\u00e9s?|\u00e9coles?|d\u00e9plac\u00e9s"
    r"|fid\u00e8les|population|populations|chauffeurs?|p\u00eacheurs|agents? humanitaires"
    # Family and trades: "a woman and two of her children", « une mère et ses fils ».
    r"|woman|girls?|boys?|child|bab(?:y|ies)|infants?|mothers?|fathers?|sons|daughters?"
    r"|wife|wives|husbands?|relatives|family members|elders?|imams?|pastors?|priests?"
    r"|nurses?|doctors?|journalists?|pilgrims|patients|vendors|customers|worshipers"
    r"|femme|filles?|gar\u00e7ons?|enfant|b\u00e9b\u00e9s?|m\u00e8res?|p\u00e8res?|fils"
    r"|\u00e9pouses?|notables?|infirmi\u00e8re?s?|m\u00e9decins?|journalistes?|p\u00e8lerins"
    # Where unarmed people are: "attacked a bus", « ont fait irruption dans une mosquée ».
    r"|bus(?:es)?|minibus(?:es)?|households|homes|mosqu\u00e9es?|\u00e9glises?|maisons?"
    r"|m\u00e9nages|concessions|autobus|cars de transport|health (?:centre|center|facility)"
    r"|hospitals?|clinics?|centres? de sant\u00e9|h\u00f4pital|dispensaires?"
)
# Places that armed people hold: "attacked the army garrison", « le camp militaire ».
_ARMED_PLACE = (
    r"garrison|barracks|checkpoints?|check-points?|military (?:camp|base|post|position)s?"
    r"|army (?:camp|base|post|position|patrol|convoy)s?|(?:police|gendarmerie|border) posts?"
    r"|(?:military|army|supply) convoys?|patrols?|outposts?|bases?|positions"
    r"|camps? militaires?|postes?(?: de (?:police|gendarmerie|contr\u00f4le))?|patrouilles?"
    r"|convois?|gendarmerie|caserne|base militaire|positions"
)
_KINDS = (
    ("attacker", _ATTACKER),
    ("armed", _ARMED),
    ("civilian", _CIVILIAN),
    ("person", _PERSON),
)
# The noun after a figure: up to two words may come between ("twelve
# heavily armed soldiers", "nine national staff", « sept soldats maliens »),
# « de » / "of its" before the noun ("une vingtaine de civils", "thirteen of
# its soldiers").
_NOUN_AFTER = re.compile(
    r"^\s*[\u00bb\"\u201d]?\s*(?:(?:of|de|d['\u2019]|des)\s*(?:(?:its|their|the|his|her|ses|leurs)\s+)?)?"
    r"(?:(?!(?:were|was|and|et|ont|sont|had)\b)[\w'\u2019-]+\s+){0,2}?"
    r"(?P<noun>" + "|".join(f"(?P<{k}>{p})" for k, p in _KINDS) + r")\b",
    re.I,
)
_TARGET = re.compile(
    r"\b(?:attack(?:ed|s)?|raid(?:ed)?|stormed|overran|ambushed|targeted|struck|hit|fired on"
    r"|opened fire on|burst into|broke into|fait irruption dans|ouvert le feu sur"
    r"|attaqu\u00e9e?s?|attaque|vis\u00e9e?s?|cibl\u00e9e?s?)\s+(?:(?:on|against|contre|the|a|an|le"
    r"|la|les|un|une|des|du|de)\s+)*(?:[\w'\u2019-]+\s+){0,3}?(?P<target>"
    + f"(?P<attacker>{_ATTACKER})|(?P<armed>{_ARMED_PLACE}|{_ARMED})|(?P<civilian>{_CIVILIAN})"
    + r")\b",
    re.I,
)


# "an attack by gunmen on the village", « une attaque d'hommes armés contre le
# village »: the target after the attacker, behind on / against / contre.
_TARGET_AFTER_BY = re.compile(
    r"\b(?:attacks?|raids?|assaults?|attaques?|assauts?|raids?)\b[^.;:]{0,50}?\b(?:on|against"
    r"|contre|sur)\s+(?:(?:the|a|an|le|la|les|un|une|des|du|de|l['\u2019])\s*)*"
    r"(?:[\w'\u2019-]+\s+){0,2}?(?P<target>"
    + f"(?P<attacker>{_ATTACKER})|(?P<armed>{_ARMED_PLACE}|{_ARMED})|(?P<civilian>{_CIVILIAN})"
    + r")\b",
    re.I,
)


def _kind_of(match: re.Match[str]) -> str:
    for kind in ("attacker", "armed", "civilian", "person"):
        if kind in match.re.groupindex and match.group(kind):
            return kind
    return ""


def noun_kind(after: str) -> str:
    """The group of the people named right after a figure ("" when not people).

    >>> noun_kind(" heavily armed soldiers were killed"), noun_kind(" head of cattle")
    ('armed', '')
    >>> noun_kind(" de civils ont \u00e9t\u00e9 tu\u00e9s")
    'civilian'
    """
    m = _NOUN_AFTER.match(after)
    return _kind_of(m) if m else ""


def target_kind(text: str) -> str:
    """Who an attack in ``text`` was aimed at: "armed", "civilian", "attacker" or "".

    "attacked the army garrison", « ont attaqué le village », "an attack on
    a camp of displaced people": the first target named after an attack verb.
    """
    m = _TARGET.search(text) or _TARGET_AFTER_BY.search(text)
    return _kind_of(m) if m else ""


def is_person(after: str) -> bool:
    """True when the words after a figure name people (of any group)."""
    return bool(noun_kind(after))
