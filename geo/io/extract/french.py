"""French words for events, speculation and references: the tables for French reports.

Much of the Sahel's reporting is in French (local press, sitreps). These are
the French counterparts of the English rules in
:mod:`geo.io.extract.events`, in the same form, so that one reader handles
both: what happened (« embuscade », « engin explosif improvisé »,
« kamikaze », « enlèvement », « frappe aérienne », « tirs d'obus »), what
is only feared or planned (« pourrait », « sont prévus »), and which words
point back at an event already reported (« l'attaque », « cet attentat »).
"""

from __future__ import annotations

_E = "\u00e9"  # é, written once so the patterns below stay readable

# (pattern, event type, sub-event type, priority): see events.TRIGGERS.
TRIGGERS_FR: tuple[tuple[str, str, str, int], ...] = (
    (
        rf"(?:saisi|saisie|saisies|d{_E}couvert|d{_E}couverte|d{_E}mantel{_E}|d{_E}samorc{_E}"
        rf"|neutralis{_E})e?s?\b[^.;]{{0,60}}?\b(?:explosifs?|armes|munitions|engins? explosifs?"
        r"|mines|caches?|EEI|d[ée]tonateurs)",
        "Strategic developments",
        "Disrupted weapons use",
        9,
    ),
    (
        rf"{_E}meutes?|{_E}meutiers|pillages?|jets? de pierres|(?:jet{_E}|lanc{_E})s? des pierres"
        rf"|pneus (?:enflamm{_E}s|br[uû]l{_E}s|incendi{_E}s)|br[uû]l{_E} des pneus|barricades",
        "Riots",
        "Violent demonstration",
        8,
    ),
    (r"lynch(?:age|[ée]e?s?)|vindicte populaire", "Riots", "Mob violence", 8),
    (
        r"kamikazes?|attentats?[- ]suicides?|attaques? suicides?|s['\u2019](?:est|[ée]tait)"
        r" fait(?:e)? exploser|se sont fait exploser|ceintures? (?:d['\u2019]explosifs|explosives?)"
        rf"|gilets? (?:explosifs?|pi{_E}g{_E}s?)",
        "Explosions/Remote violence",
        "Suicide bomb",
        7,
    ),
    (
        rf"engins? explosifs?(?: improvis{_E}s?)?|EEI|IED|mines? (?:artisanales?|antipersonnel"
        rf"|antichars?)|saut{_E} sur une mine|v{_E}hicules? pi{_E}g{_E}s?"
        rf"|voitures? pi{_E}g{_E}es?|colis pi{_E}g{_E}s?|bombes? artisanales?",
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
        6,
    ),
    (
        rf"frappes? (?:a{_E}riennes?|de drones?)|bombardements? a{_E}riens?|raids? a{_E}riens?"
        rf"|frappes? de l['\u2019]aviation|drones?(?: [\w'\u2019]+){{0,4}}? (?:a|ont)"
        rf" (?:frapp{_E}|vis{_E}|bombard{_E}|cibl{_E})"
        rf"|frapp{_E}e?s? par (?:un|des) drones?",
        "Explosions/Remote violence",
        "Air/drone strike",
        6,
    ),
    (
        rf"obus|tirs? d['\u2019]obus|roquettes?|mortiers?|tirs? de mortiers?|tirs indirects"
        rf"|tirs d['\u2019]artillerie|artillerie|pilonn{_E}e?s?|pilonnages?|missiles?",
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        6,
    ),
    (
        r"(?<!lacrymog\u00e8nes )grenades?(?! lacrymog\u00e8nes| assourdissantes)",
        "Explosions/Remote violence",
        "Grenade",
        6,
    ),
    (
        rf"enlev{_E}e?s?|enl\u00e8vements?|kidnapp{_E}e?s?|kidnapping|rapts?|otages?"
        rf"|pris en otage|ravisseurs|s{_E}questr{_E}e?s?",
        "Violence against civilians",
        "Abduction/forced disappearance",
        5,
    ),
    (
        rf"assassin{_E}e?s?|assassinats?|massacres?|massacr{_E}e?s?|ex{_E}cut{_E}e?s?"
        rf"|ex{_E}cutions? sommaires?",
        "Violence against civilians",
        "Attack",
        5,
    ),
    (
        rf"manifestations?|manifestants|manifest{_E}|ont march{_E}|marche (?:pacifique"
        rf"|de protestation|blanche)|marcheurs|sit-in|rassemblements?|se sont rassembl{_E}s"
        rf"|ont protest{_E}|protestations?",
        "Protests",
        "Peaceful protest",
        4,
    ),
    (
        rf"affrontements?|accrochages?|combats?|embuscades?|{_E}changes? de tirs|ont ripost{_E}"
        rf"|avoir ripost{_E}|a ripost{_E}|se sont affront{_E}s|ont affront{_E}|repouss{_E}e?s?"
        rf"|ouvert le feu sur (?:les|des|une?) (?:positions?|soldats|militaires|patrouilles?)",
        "Battles",
        "Armed clash",
        3,
    ),
    (
        rf"repris le contr\u00f4le|reprise? de (?:la ville|la localit{_E})|reconquis",
        "Battles",
        "Government regains territory",
        3,
    ),
    (
        rf"pris le contr\u00f4le|s['\u2019](?:est|sont) empar{_E}s?|tomb{_E}e? aux mains",
        "Battles",
        "Non-state actor overtakes territory",
        3,
    ),
    (
        rf"arr\u00eat{_E}e?s?|interpell{_E}e?s?|arrestations?|interpellations?|appr{_E}hend{_E}e?s?",
        "Strategic developments",
        "Arrests",
        2,
    ),
    (
        rf"(?:incendi{_E}e?s?|incendier|br[uû]l{_E}e?s?|d{_E}trui(?:t|ts|te|tes)|saccag{_E}e?s?"
        rf"|ras{_E}e?s?)\b[^.;]{{0,40}}?\b(?:maisons?|boutiques?|greniers?|{_E}coles?"
        rf"|mosqu{_E}es?|{_E}glises?|march{_E}s?|b[âa]timents?|{_E}difices?|cases|habitations"
        r"|mairie|centre de sant[ée])",
        "Strategic developments",
        "Looting/property destruction",
        2,
    ),
    (
        rf"attaques?|attaqu{_E}e?s?|attaquer|assauts?|raids?|incursions?|fait irruption"
        rf"|vis{_E}e?s? par",
        "Battles",
        "Armed clash",
        -1,
    ),
    (
        rf"explosions?|explos{_E}|d{_E}flagrations?|d{_E}tonations?|attentats?",
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
        -1,
    ),
    (
        rf"tu{_E}e?s?|tuant|morts?|d{_E}c{_E}d{_E}e?s?|perdu la vie|abattue?s?|corps sans vie"
        rf"|p{_E}ri|trouv{_E} la mort|succomb{_E}",
        "Violence against civilians",
        "Attack",
        -2,
    ),
    (r"bless\u00e9e?s?|blessant", "Violence against civilians", "Attack", -3),
)

HEDGE_FR = (
    r"\b(?:pourrait|pourraient|devrait|devraient|risquent?|risques?|menaces?|menace"
    rf"|craint|craintes?|probablement|{_E}ventuel(?:le)?s?|pr{_E}vue?s?|pr{_E}voient"
    rf"|projett?e?n?t?|envisag\w*|possibles?|susceptibles?|redout\w*|si|afin de|pour"
    rf" (?:attaquer|frapper)|appel(?:le|lent)? \u00e0|mise en garde|mettent en garde)\b"
)
HEDGE_AFTER_FR = (
    r"\b(?:pourrait|pourraient|devrait|devraient|risquent?|pr\u00e9vue?s?|menacent"
    r"|envisag\w*|possibles?|probables?)\b"
)
CONDITIONAL_START_FR = r"^\W*(?:si|au cas o\u00f9|en cas d['\u2019]|faute d['\u2019])\b"
GENERIC_FR = (
    rf"\b(?:r{_E}guli\u00e8rement|souvent|fr{_E}quemment|depuis (?:le d{_E}but|plusieurs|des"
    rf" mois|des ann{_E}es|\d{{4}})|multipli{_E}|s{_E}rie d['\u2019]|vague d['\u2019]"
    rf"|de plus en plus|ces derniers (?:mois|jours|temps)|recrudescence|au total"
    rf"|ce type d['\u2019]|chaque ann{_E}e)\b"
)
CONNECTOR_FR = (
    r"(?:\b(?:(un|une|deux|trois|quatre|cinq|\d+)\s+jours?\s+)?(apr\u00e8s|avant)\b(?! que)"
    r"|\b(?:alors que|tandis que|pendant que)\b|;)"
)
DETERMINER_BEFORE_FR = (
    r"(?:^|\W)(l['\u2019]|la|le|les|cette|cet|ce|ces|m\u00eame|son|sa|leur)\s*"
    r"(?:[\w'\u2019-]+\s+){0,2}$"
)
NEW_BEFORE_FR = (
    r"(?:^|\W)(?:une?|nouvelle|nouvel|nouveau|autre|seconde?|deuxi\u00e8me|premi\u00e8re"
    r"|derni\u00e8re)\s+(?:[\w'\u2019-]+\s+){0,2}$"
)
NEW_AFTER_FR = r"^\s*(?:d['\u2019]|de|du|des|contre|\u00e0|au|aux|pr\u00e8s|dans)\b"
INCIDENT_BACK_FR = (
    rf"\b(?:l['\u2019]|cet|cette|ce|le m\u00eame|la m\u00eame)\s*(?:incident|attaque"
    rf"|{_E}v{_E}nement|drame|attentat|embuscade)\b"
)
# « Par ailleurs », « Dans un autre incident »: what follows is another event.
SEPARATE_FR = (
    r"\b(?:par ailleurs|dans un autre incident|dans une autre attaque|s[ée]par[ée]ment"
    r"|ailleurs|de son c\u00f4t\u00e9)\b"
)
ALSO_FR = r"\b(?:aussi|\u00e9galement|en outre)\b"
