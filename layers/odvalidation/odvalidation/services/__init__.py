"""Use cases: each function validates through the domain, persists through the Store and drives the
workflow. Handlers call exactly one of these."""
