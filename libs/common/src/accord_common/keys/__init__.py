"""Managed API keys on every service: the guard each request passes (rate limits, failed-authentication
log, last use), the projection of the registry's keys, and the coalesced last-use recorder."""
