"""The server-rendered web front: templates, rendering, sessions and CSRF, static assets, pages."""
