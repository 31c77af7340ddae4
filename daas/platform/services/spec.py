"""The deploy form: what a service asks of Ray Serve, validated and normalised."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from daas.deployments.server_config import Batching
from daas.errors import InvalidInput

SERVICE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?|[kmgt]i?|B|b)?\s*$")
#: The most memory a replica may reserve, in bytes (far above any node, far below overflow).
MAX_MEMORY = 2**50
_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12,
          "ki": 2**10, "mi": 2**20, "gi": 2**30, "ti": 2**40}


def check_service_name(name: str) -> str:
    """A DNS label: lowercase letters, digits and '-', 1-63 characters."""
    if not SERVICE_NAME.fullmatch(name or ""):
        raise InvalidInput(
            f"invalid service name {name!r}: use 1-63 lowercase letters, digits or '-', "
            "starting and ending with a letter or digit",
            field="name",
        )
    return name


def parse_memory(value: int | float | str | None) -> int | None:
    """Bytes from ``536870912``, ``'512Mi'``, ``'2Gi'`` or ``'1.5G'``; at most ``MAX_MEMORY``."""
    if value is None or isinstance(value, bool):
        return None if value is None else _bad_memory(value)
    if isinstance(value, int | float):
        return _checked_memory(value, value)
    match = _MEMORY.fullmatch(str(value))
    if not match:
        return _bad_memory(value)
    number, unit = float(match.group(1)), (match.group(2) or "").lower()
    return _checked_memory(number * _UNITS[unit], value)


def _checked_memory(size: float, value: Any) -> int:
    if not 0 < size <= MAX_MEMORY:  # also refuses NaN and infinities
        if size > MAX_MEMORY:
            raise ValueError(f"memory must be at most {MAX_MEMORY} bytes (1 PiB), not {_shown(value)}")
        return _bad_memory(value)
    return int(size)


def _bad_memory(value: Any) -> int:
    raise ValueError(f"memory must be bytes or a size like '512Mi' or '2Gi', not {_shown(value)}")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Autoscaling(BaseModel):
    """Replica count driven by load; ``min_replicas=0`` scales to zero when idle."""

    min_replicas: int = Field(1, ge=0, le=64)
    max_replicas: int = Field(4, ge=1, le=64)
    target_ongoing_requests: float = Field(2.0, gt=0, le=1000)
    downscale_delay_s: float = Field(600.0, ge=0, le=86_400,
                                     description="Idle seconds before a replica is removed")

    @model_validator(mode="after")
    def _ordered(self) -> Autoscaling:
        if self.max_replicas < self.min_replicas:
            raise ValueError("max_replicas must be at least min_replicas")
        return self


class ServiceSpec(BaseModel):
    """Resources and behaviour of a service's replicas."""

    replicas: int | None = Field(1, ge=1, le=64, description="Fixed replica count")
    autoscaling: Autoscaling | None = Field(None, description="Instead of a fixed count")
    num_cpus: float = Field(1.0, gt=0, le=256, description="CPUs reserved per replica")
    memory: int | None = Field(None, description="Memory reserved per replica, bytes ('512Mi' accepted)")
    num_gpus: float = Field(0.0, ge=0, le=16)
    max_ongoing_requests: int = Field(16, ge=1, le=10_000)
    max_queued_requests: int = Field(64, ge=0, le=100_000, description="Per caller; beyond it: 503")
    batching: Batching | None = None
    timeout_s: float = Field(30.0, gt=0, le=3600, description="Per-request time limit")

    @field_validator("memory", mode="before")
    @classmethod
    def _memory(cls, value: Any) -> int | None:
        return parse_memory(value)

    @model_validator(mode="after")
    def _replicas_or_autoscaling(self) -> ServiceSpec:
        if self.autoscaling is not None:
            self.replicas = None
        elif self.replicas is None:
            self.replicas = 1
        return self

    def ray_actor_options(self) -> dict[str, Any]:
        """Ray resources per replica."""
        options: dict[str, Any] = {"num_cpus": self.num_cpus}
        if self.memory:
            options["memory"] = self.memory
        if self.num_gpus:
            options["num_gpus"] = self.num_gpus
        return options

    def deployment_options(self) -> dict[str, Any]:
        """Options for ``Deployment.options(...)``."""
        options: dict[str, Any] = {
            "ray_actor_options": self.ray_actor_options(),
            "max_ongoing_requests": self.max_ongoing_requests,
            "max_queued_requests": self.max_queued_requests,
            # Past the queue Serve answers 503 at once; Retry-After tells clients when to retry.
            "backpressure_config": {"status_code": 503, "retry_after_s": 1},
            # A new version's replicas start before the old ones stop (a quarter more at most,
            # at least one): a one-replica service switches versions without a gap. On a full
            # cluster the old replicas keep serving until there is room for the new ones.
            "max_surge_percent": 25,
        }
        if self.autoscaling is not None:
            options["autoscaling_config"] = self.autoscaling.model_dump()
        else:
            options["num_replicas"] = self.replicas
        return options
