"""The JSON API: one Powertools REST resolver with validation and a generated OpenAPI document."""
