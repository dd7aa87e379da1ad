"""HTTP only: blueprints, schemas and the error shape."""
