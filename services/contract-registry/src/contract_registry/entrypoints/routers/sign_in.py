"""Signing people in with the organisation's identity provider (OpenID Connect)."""

from __future__ import annotations

from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.errors import Forbidden, Unauthorized
from accord_common.web.deps import CurrentPrincipal, Requires, Runtime
from fastapi import APIRouter, Request, Response

from contract_registry.adapters.oidc_verifier import IdTokenRefused, OidcVerifier
from contract_registry.domain.sign_in import SignInRefused
from contract_registry.entrypoints.schemas.sign_in import (
    IdentityProviderIn,
    IdentityProviderOut,
    IdTokenSignIn,
    PersonalKeyOut,
)
from contract_registry.handlers import sign_in

router = APIRouter(prefix="/v1", tags=["sign-in"])


def verifier_of(request: Request) -> OidcVerifier:
    verifier: OidcVerifier = request.app.state.oidc_verifier
    return verifier


@router.get(
    "/identity-provider",
    response_model=IdentityProviderOut,
    operation_id="getIdentityProvider",
    summary="Get the identity provider the organisation trusts",
)
async def get_identity_provider(who: Annotated[Principal, Requires("keys:admin")], rt: Runtime) -> Any:
    """The OpenID Connect provider people of the organisation sign in with, and its group mapping."""
    return sign_in.provider_view(await sign_in.read_identity_provider(rt.uow(), who.organization_id))


@router.put(
    "/identity-provider",
    response_model=IdentityProviderOut,
    operation_id="setIdentityProvider",
    summary="Trust an identity provider for sign-in",
)
async def put_identity_provider(
    body: IdentityProviderIn, who: Annotated[Principal, Requires("keys:admin")], rt: Runtime
) -> Any:
    """Name the OpenID Connect provider (issuer, the console's client id) and which of its groups
    grant which scopes. Needs the admin scope; audited."""
    provider = await sign_in.set_identity_provider(rt.uow(), who, body.model_dump())
    return sign_in.provider_view(provider)


@router.post(
    "/sign-ins/oidc",
    response_model=PersonalKeyOut,
    status_code=201,
    operation_id="signInWithIdToken",
    summary="Exchange a person's ID token for a session key",
)
async def sign_in_with_id_token(
    body: IdTokenSignIn,
    who: Annotated[Principal, Requires("sessions:exchange")],
    rt: Runtime,
    request: Request,
) -> Any:
    """The console's call after a person signed in at the identity provider: the ID token is
    verified (signature, issuer, audience, expiry, nonce) and the person gets a personal key for one
    session, with the scopes their groups grant. Needs the `sessions:exchange` scope (the console's
    own key)."""
    try:
        signed_in = await sign_in.sign_in_with_id_token(
            rt.uow(), verifier_of(request), who, body.id_token, body.nonce
        )
    except IdTokenRefused as refused:
        raise Unauthorized(str(refused)) from None
    except SignInRefused as refused:
        raise Forbidden(str(refused)) from None
    return {
        "key_id": signed_in.key.id,
        "api_key": signed_in.raw_key,
        "name": signed_in.person.display_name,
        "subject": signed_in.person.subject,
        "scopes": sorted(signed_in.person.scopes),
        "expires_at": signed_in.key.expires_at,
    }


@router.post(
    "/sign-ins/current/end",
    status_code=204,
    operation_id="endSignIn",
    summary="Sign out: revoke the calling key",
)
async def end_sign_in(who: CurrentPrincipal, rt: Runtime) -> Response:
    """The console's call when a person signs out: the key it holds for them is revoked on every
    service. Any key may end itself; audited."""
    await sign_in.sign_out(rt.uow(), who)
    return Response(status_code=204)
