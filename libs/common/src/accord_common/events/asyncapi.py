"""Render an AsyncAPI 3.0 document from the event catalogue (docs/asyncapi.yaml is kept equal)."""

from __future__ import annotations

from typing import Any

import yaml

from accord_common.events.catalogue import CATALOGUE, RECEIVERS, EventSpec
from accord_common.events.envelope import CloudEvent


def asyncapi_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {"CloudEvent": _envelope_schema()}
    for spec in CATALOGUE.values():
        name = spec.type.replace(".", "_")
        schemas.update(_payload_schemas(spec))
        messages[name] = _message(spec)
        channels[name] = {
            "address": spec.topic,
            "description": f"{spec.summary} Key: the aggregate id (CloudEvents subject).",
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {"kafka": {"topic": spec.topic, "bindingVersion": "0.5.0"}},
        }
        operations[f"publish_{name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{name}"},
            "summary": f"{spec.producer} publishes {spec.type}",
        }
    for service, event_types in RECEIVERS.items():
        for event_type in event_types:
            name = event_type.replace(".", "_")
            operations[f"{service.replace('-', '_')}_receives_{name}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{name}"},
                "summary": f"{service} consumes {event_type} (consumer group {service})",
                "bindings": {
                    "kafka": {"groupId": {"type": "string", "const": service}, "bindingVersion": "0.5.0"}
                },
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Accord events",
            "version": "1.0.0",
            "description": "Events between Accord's services. Generated from "
            "accord_common.events.catalogue; do not edit by hand (make asyncapi).",
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {
            "production": {
                "host": "kafka:9092",
                "protocol": "kafka",
                "description": "Apache Kafka (KAFKA_BOOTSTRAP); topics are created at start-up with the "
                "configured partitions and replication. Messages are CloudEvents in structured mode "
                "(content-type application/cloudevents+json; charset=UTF-8).",
            },
            "development": {
                "host": "127.0.0.1:19092",
                "protocol": "kafka",
                "description": "The embedded broker (tansu) that `make run` starts.",
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _payload_schemas(spec: EventSpec) -> dict[str, Any]:
    schema = spec.payload.model_json_schema(ref_template="#/components/schemas/{model}")
    found: dict[str, Any] = dict(schema.pop("$defs", {}))
    found[spec.payload.__name__] = schema
    return found


def _message(spec: EventSpec) -> dict[str, Any]:
    data_ref = f"#/components/schemas/{spec.payload.__name__}"
    return {
        "name": spec.type,
        "title": spec.type,
        "summary": spec.summary,
        "contentType": "application/cloudevents+json",
        "headers": {
            "type": "object",
            "properties": {
                "content-type": {"const": "application/cloudevents+json; charset=UTF-8"},
                "traceparent": {"type": "string", "description": "W3C trace context of the producer"},
            },
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "the aggregate id (the CloudEvents subject)"},
                "bindingVersion": "0.5.0",
            }
        },
        "payload": {
            "allOf": [
                {"$ref": "#/components/schemas/CloudEvent"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": spec.type},
                        "dataschemaversion": {"const": spec.schema_version},
                        "data": {"$ref": data_ref},
                    },
                },
            ]
        },
        "x-producer": spec.producer,
    }


def _envelope_schema() -> dict[str, Any]:
    schema = CloudEvent.model_json_schema()
    schema.pop("title", None)
    return schema


def render_yaml() -> str:
    return yaml.safe_dump(asyncapi_document(), sort_keys=False, width=100)


if __name__ == "__main__":
    print(render_yaml(), end="")
