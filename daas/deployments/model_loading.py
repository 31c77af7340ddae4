"""Load a service's model file from storage, checking it is the file the service was given."""

from __future__ import annotations

from daas.errors import InvalidModel
from daas.platform.services.server_config import ServerConfig
from daas.platform.storage import ArtifactStore, sha256_hex
from daas.runtimes import load_runtime
from daas.runtimes.base import ModelRuntime


def load_model(config: ServerConfig) -> ModelRuntime:
    """The loaded runtime of ``config``'s model file; ``InvalidModel`` if its digest differs."""
    data = ArtifactStore(config.storage_uri).get(config.storage_key)
    if sha256_hex(data) != config.sha256:
        raise InvalidModel(f"the stored file {config.storage_key!r} does not match the digest "
                           f"of model {config.model} version {config.version}")
    return load_runtime(config.format, data)
