"""Command groups of ``python -m geo``; each module exposes ``register(subparsers)``."""
