"""FastAPI dependencies: the platform's services and the caller's identity."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from daas.platform.auth import Principal, TokenService, require
from daas.platform.registry import ModelRegistry
from daas.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="A DaaS token: `Authorization: Bearer daas_...`")


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    return request.app.state.settings


def get_registry(request: Request) -> ModelRegistry:
    """The model registry."""
    return request.app.state.registry


def get_tokens(request: Request) -> TokenService:
    """The token service."""
    return request.app.state.tokens


def _principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    secret = credentials.credentials if credentials else None
    return get_tokens(request).authenticate(secret)


def _role(role: str):
    def dependency(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
        return require(principal, role)

    return dependency


Viewer = Annotated[Principal, Depends(_role("viewer"))]
Editor = Annotated[Principal, Depends(_role("editor"))]
Admin = Annotated[Principal, Depends(_role("admin"))]
Registry = Annotated[ModelRegistry, Depends(get_registry)]
Tokens = Annotated[TokenService, Depends(get_tokens)]
AppSettings = Annotated[Settings, Depends(get_settings)]
