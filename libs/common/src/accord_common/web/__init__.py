"""HTTP edge shared by every service: app factory, problem+json, auth dependency, health, metrics."""
