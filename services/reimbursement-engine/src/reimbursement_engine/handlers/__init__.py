"""Use cases of the reimbursement engine: parse a command, open a unit of work, call the domain."""

# The CloudEvents source of every event the engine publishes.
SOURCE = "reimbursement-engine"
