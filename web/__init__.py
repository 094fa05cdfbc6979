"""Flask glue both apps use: JSON in and out, errors, security headers, login, OpenAPI.

Kept apart from `shared/` so the domain stays free of Flask."""
