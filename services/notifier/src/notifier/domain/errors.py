"""Errors the notifier's domain raises when a rule is broken."""


class NotifierDomainError(ValueError):
    """A request the notifier's rules refuse; handlers map it to a 4xx naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidDeliveryTransition(RuntimeError):
    """A delivery was asked to move to a state its current state does not allow."""
