"""The app factory every service uses: problem+json, tracing, metrics, health, auth in OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from accord_common.logs import configure_logging
from accord_common.runtime import ServiceRuntime
from accord_common.telemetry import configure_tracing
from accord_common.web.deps import CurrentPrincipal
from accord_common.web.limits import MaxBodySize
from accord_common.web.observe import ObserveRequests
from accord_common.web.openapi import document_api
from accord_common.web.pipeline import AuthenticateBeforeBody, MethodsAllowed
from accord_common.web.problems import install_problem_handlers
from accord_common.web.unstorable_text import RefuseNulInTextBodies, guard_routers


def create_app(
    runtime: ServiceRuntime,
    routers: Sequence[APIRouter],
    *,
    title: str,
    description: str,
    version: str = "0.1.0",
) -> FastAPI:
    settings = runtime.settings
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    configure_tracing(settings.service_name, settings.otel_exporter, endpoint=settings.otel_endpoint)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # FastAPI's own OpenTelemetry layer (on whenever a tracer provider is set) would trace each
        # request a second time, around ours (ObserveRequests: the server span continuing the
        # caller's traceparent, Prometheus metrics), with a span per dependency, endpoint and
        # serialisation and OTel metrics beside: work on every request that tells nothing new
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.runtime = runtime
    install_problem_handlers(app)
    app.add_middleware(ObserveRequests)
    app.add_middleware(RefuseNulInTextBodies)
    app.add_middleware(MaxBodySize, max_bytes=settings.max_request_bytes)
    app.add_middleware(AuthenticateBeforeBody)
    app.add_middleware(MethodsAllowed, fastapi_app=app)
    app.include_router(_health_router())
    app.include_router(_identity_router())
    guard_routers(routers)
    for router in routers:
        app.include_router(router)
    document_api(app)
    return app


def operation_id(route: APIRoute) -> str:
    """The operationId generated clients name their method after: the endpoint's name in camelCase
    (`create_payer` -> `createPayer`, not FastAPI's `create_payer_v1_payers_post`)."""
    head, *rest = route.name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _health_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers.")
    async def healthz() -> dict[str, str]:
        """Answers 200 while the process serves requests; checks nothing else."""
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: database and broker reachable.")
    async def readyz(request: Request) -> JSONResponse:
        """200 when the database and the broker answer, else 503 naming the failing check."""
        runtime: ServiceRuntime = request.app.state.runtime
        checks = await runtime.readiness()
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks},
            status_code=200 if ok else 503,
        )

    @router.get("/metrics", summary="Prometheus metrics.", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def _identity_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["identity"])

    @router.get("/whoami", summary="The calling API key: its organisation, name and scopes.")
    async def whoami(who: CurrentPrincipal) -> dict[str, object]:
        """Which organisation the key acts for and what it may do (the console shows only what it may do)."""
        return {"organization_id": who.organization_id, "name": who.name, "scopes": sorted(who.scopes)}

    return router
