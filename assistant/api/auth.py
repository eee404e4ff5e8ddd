"""API-key authentication and roles. (Interface fixed here; key storage lives in store.py.)

Every route except health depends on one of AgentDep / LeadDep / AdminDep.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import Depends, Request
from pydantic import BaseModel

from ..errors import Forbidden, Unauthorized

Role = Literal["agent", "lead", "admin"]


class Principal(BaseModel):
    key_id: str
    role: Role
    name: str = ""


def _token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing API key: send 'Authorization: Bearer <key>' (create one with "
                           "`crisis-desk keys create --role agent`)")
    return token.strip()


def current_principal(request: Request) -> Principal:
    principal: Principal | None = request.app.state.runtime.db.verify_key(_token(request))
    if principal is None:
        raise Unauthorized("invalid or revoked API key")
    request.state.principal = principal
    return principal


def require(*roles: Role) -> Callable[[Request], Principal]:
    def dependency(request: Request) -> Principal:
        principal = current_principal(request)
        if principal.role not in roles:
            raise Forbidden(f"role '{principal.role}' may not do this (needs one of: {', '.join(roles)})")
        return principal

    return dependency


AgentDep = Annotated[Principal, Depends(require("agent", "lead", "admin"))]
LeadDep = Annotated[Principal, Depends(require("lead", "admin"))]
AdminDep = Annotated[Principal, Depends(require("admin"))]
