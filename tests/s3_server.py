"""A real S3 API server on loopback for the tests: moto's server mode in a thread."""

from __future__ import annotations

import logging
import os
import uuid

import boto3
from moto.server import ThreadedMotoServer

ACCESS_KEY = "daas-test-access-key"
SECRET_KEY = "daas-test-secret-key-never-shown"
REGION = "us-east-1"


class S3Server:
    """moto on 127.0.0.1 at a free port; ``environment()`` is what a reader process needs."""

    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self.client = boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION,
                                   aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)

    def environment(self) -> dict[str, str]:
        """The standard AWS variables pointing at this server."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_REGION": REGION,
                "AWS_EC2_METADATA_DISABLED": "true"}

    def export(self) -> None:
        """Put ``environment()`` into this process, for it and the processes it starts."""
        os.environ.update(self.environment())

    def create_bucket(self, name: str | None = None) -> str:
        """A new empty bucket; returns its name."""
        name = name or f"daas-{uuid.uuid4().hex[:12]}"
        self.client.create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every object key in ``bucket`` under ``prefix``, directory markers left out."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", [])
                      if not item["Key"].endswith("/"))

    def stop(self) -> None:
        """Stop the server thread."""
        self._server.stop()
