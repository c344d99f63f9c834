"""Use cases of the registry: open a unit of work, load, call the domain, audit, publish, commit."""
