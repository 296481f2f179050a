"""Subcommands of the `pricewatch` CLI, one module each, each exposing register(subparsers)."""
