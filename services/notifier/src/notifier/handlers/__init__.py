"""Use cases: take a unit of work, load, call the domain, commit. HTTP, Kafka and the dispatcher
call these and nothing else writes."""
