"""The local stack: template.yaml deployed into moto, an HTTP front for the API, in-process Lambda.

Nothing here is part of the product's code path; see local/README.md.
"""
