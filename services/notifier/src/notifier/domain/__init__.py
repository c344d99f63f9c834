"""The notifier's domain: subscriptions, signed webhooks, retries, URL safety and emails.

Pure: no database, broker, network or clock (the time is always passed in).
"""

from .channels import (
    ROTATION_OVERLAP,
    Channel,
    ChannelKind,
    EmailChannel,
    SigningSecret,
    WebhookChannel,
    generate_secret,
    normalise_email_address,
)
from .contract_notices import CONTRACT_EVENT_TYPES
from .contract_terms import TermChange, VersionTerms, describe_terms, term_changes, version_terms
from .contracts import ContractSummary
from .deliveries import Attempt, Delivery, DeliveryStatus
from .digest_mail import DigestMail, delivery_verdict
from .digests import (
    DigestEntry,
    DigestItem,
    DigestSection,
    digest_recipient,
    merge_digest,
    next_digest_at,
    the_day_after,
)
from .emails import RenderedEmail, render_digest, render_email, render_notice
from .endpoint_health import DISABLE_AFTER_CONSECUTIVE_DEAD, EndpointHealth
from .errors import InvalidDeliveryTransition, NotifierDomainError
from .formatting import RecordLinks
from .presenters import Notice, present
from .responses import (
    CONNECT_TIMEOUT_SECONDS,
    RESPONSE_BODY_CAP_BYTES,
    STORED_EXCERPT_CHARS,
    TOTAL_TIMEOUT_SECONDS,
    CappedBody,
)
from .retry import (
    DEFAULT_RETRY_POLICY,
    RETRY_DELAYS,
    DeliveryOutcome,
    RandomSource,
    RetryPolicy,
    classify_http_status,
    classify_smtp_reply,
    next_attempt_at,
)
from .send_capacity import SendCapacity
from .signing import sign, webhook_message_id
from .subscriptions import (
    EventField,
    EventPattern,
    Subscription,
    SubscriptionFilter,
    matches,
)
from .url_safety import (
    AllowList,
    UnsafeWebhookUrl,
    UrlRefusal,
    check_webhook_url,
    is_internal_address,
)

__all__ = [
    "CONNECT_TIMEOUT_SECONDS",
    "CONTRACT_EVENT_TYPES",
    "DEFAULT_RETRY_POLICY",
    "DISABLE_AFTER_CONSECUTIVE_DEAD",
    "RESPONSE_BODY_CAP_BYTES",
    "RETRY_DELAYS",
    "ROTATION_OVERLAP",
    "STORED_EXCERPT_CHARS",
    "TOTAL_TIMEOUT_SECONDS",
    "AllowList",
    "Attempt",
    "CappedBody",
    "Channel",
    "ChannelKind",
    "ContractSummary",
    "Delivery",
    "DeliveryOutcome",
    "DeliveryStatus",
    "DigestEntry",
    "DigestItem",
    "DigestMail",
    "DigestSection",
    "EmailChannel",
    "EndpointHealth",
    "EventField",
    "EventPattern",
    "InvalidDeliveryTransition",
    "Notice",
    "NotifierDomainError",
    "RandomSource",
    "RecordLinks",
    "RenderedEmail",
    "RetryPolicy",
    "SendCapacity",
    "SigningSecret",
    "Subscription",
    "SubscriptionFilter",
    "TermChange",
    "UnsafeWebhookUrl",
    "UrlRefusal",
    "VersionTerms",
    "WebhookChannel",
    "check_webhook_url",
    "classify_http_status",
    "classify_smtp_reply",
    "delivery_verdict",
    "describe_terms",
    "digest_recipient",
    "generate_secret",
    "is_internal_address",
    "matches",
    "merge_digest",
    "next_attempt_at",
    "next_digest_at",
    "normalise_email_address",
    "present",
    "render_digest",
    "render_email",
    "render_notice",
    "sign",
    "term_changes",
    "the_day_after",
    "version_terms",
    "webhook_message_id",
]
