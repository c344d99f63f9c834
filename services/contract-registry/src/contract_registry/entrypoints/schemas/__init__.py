"""Request and response models of the registry's HTTP API (each request model carries an example)."""
