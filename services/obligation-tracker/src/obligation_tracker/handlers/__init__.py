"""Use cases of the tracker: open (or receive) a unit of work, load, call the domain, publish, commit.

HTTP routes and Kafka consumers call the same functions; every one takes a ``Tracker`` carrying the
calendar defaults and the clock, so tests can move time.
"""
