"""Use cases: take a unit of work, load, call the domain, commit. HTTP, Kafka and the send loop
call these and nothing else writes."""
