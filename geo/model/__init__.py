"""The incident model: the lowest floor, imported by every other room.

Modules
-------
::

    schema  columns, event types, precision codes and validation of incident frames
    levels  the five risk levels, lowest first
    params  reading query parameters and optional text columns the same way everywhere
    roles   who may do what (viewer, editor, admin) and where a role comes from

Import what you need from its module (``from geo.model.schema import ...``);
the package itself loads nothing, so a light import stays light.
"""

__all__ = [
    "schema",
    "levels",
    "params",
    "roles",
]
