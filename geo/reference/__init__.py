"""Reference data: where places and areas are. Imports only the model.

Modules
-------
::

    names           name folding for matching (case, accents, punctuation)
    countries       country names, codes and aliases
    places          the place table and the geocoding result type
    place_files     analyst overrides, user gazetteers and the shipped place index
    place_index     every spelling of every place, keyed per match level; fuzzy scoring
    candidates      choosing among the places a name matched, and the result
    gazetteer       place names to coordinates, offline first
    place_search    a typed place: country, admin-1 area or town, and the view that shows it
    geocoders       optional online geocoders through geopy, cached and rate-limited
    area_layer      the columns every area layer has
    boundaries      the shipped admin-0, admin-1 and border layers
    boundary_files  a user's own boundary file
    area_names      reconciling region names with an area layer

Import what you need from its module (``from geo.reference.names import ...``);
the package itself loads nothing, so a light import stays light.
"""

__all__ = [
    "names",
    "countries",
    "places",
    "place_files",
    "place_index",
    "candidates",
    "gazetteer",
    "place_search",
    "geocoders",
    "area_layer",
    "boundaries",
    "boundary_files",
    "area_names",
]
