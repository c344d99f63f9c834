"""The embedded stack: tansu, the four services on SQLite, and an SMTP sink, as local processes."""
