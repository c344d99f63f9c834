"""Accord's shared infrastructure: no business rules and no service's tables live here."""
