"""A blob store on S3-compatible object storage (``TRACKER_BLOB_URL=s3://bucket/prefix``).

Like the filesystem store it only ever sees ciphertext: the writer is handed encrypted chunks
and keeps at most one part (``PART_SIZE``, 8 MiB) of them in memory; nothing touches the disk.

Design (S3 has no rename):

* ``new_blob()`` does not talk to the server yet. The first full part (or ``publish``) starts a
  multipart upload under a *temporary* key ``<prefix>tmp/<unix time>-<random>``; every part is
  sent with ``ChecksumAlgorithm=SHA256`` so the server checks each part's SHA-256 on arrival,
  and the completed object carries a composite checksum.
* ``publish(name)`` completes the upload under the temporary key, then copies it server-side
  to the final key ``<prefix><name[:2]>/<name>`` with ``ChecksumAlgorithm=SHA256``, so the
  server computes a full-object SHA-256 that boto3 checks on every download (a mismatch reads
  as an OSError, like a failing disk), then deletes the temporary object. Until
  ``CompleteMultipartUpload`` succeeds nothing is visible; after the copy the blob is durable
  (the database row turns ``ready`` only after ``publish`` returns). A crash between the copy
  and the delete leaves a stray temporary object, which ``remove_stale_temporaries`` removes.
  Why not upload to the final key directly and complete there (one request less): a multipart
  object only carries a composite checksum of its parts, which clients do not verify on
  download; the server-side copy gives every published blob a full-object SHA-256 checked on
  each read, and keeps completed-but-unpublished uploads out of ``names()``. The price is one
  server-side copy (no transfer through the app). Objects up to 5 GiB copy in one request;
  larger ones are copied part by part (``UploadPartCopy``).
* ``discard()`` aborts the multipart upload (or deletes the temporary object); idempotent.
* ``remove_stale_temporaries(older_than)`` aborts incomplete multipart uploads under the
  ``tmp/`` prefix started more than ``older_than`` seconds ago (the temporary key
  ``tmp/<unix time>-<random>`` carries its start time) and deletes stale temporary
  objects; in production also set the bucket lifecycle rule ``AbortIncompleteMultipartUpload``.
* ``open(name)`` returns the response body stream (read in chunks, never whole).

Endpoint and credentials come from the environment: ``TRACKER_S3_ENDPOINT_URL`` (omit for AWS)
and boto3's standard ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_DEFAULT_REGION``.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO, cast
from urllib.parse import urlsplit

PART_SIZE = 8 * 1024 * 1024  # S3's minimum part size is 5 MiB (all parts but the last)
COPY_LIMIT = 5 * 1024**3  # larger objects cannot be copied in one CopyObject request
TEMP_PREFIX = "tmp/"


def _check_name(name: str) -> str:
    if len(name) != 32 or not all(c in "0123456789abcdef" for c in name):
        raise ValueError("not a blob name")
    return name


def parse_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → ("bucket", "some/prefix/")."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError("TRACKER_BLOB_URL must look like s3://bucket/prefix")
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


def client_from_environment() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=os.environ.get("TRACKER_S3_ENDPOINT_URL") or None,
        config=Config(retries={"max_attempts": 5, "mode": "standard"}),
    )


class _S3Writer:
    def __init__(self, store: S3Store) -> None:
        self.store = store
        # the start time in the key: stale uploads are found without trusting each server's
        # `Initiated` field (some S3-compatible servers report a fixed or local time there)
        self.key = f"{store.prefix}{TEMP_PREFIX}{int(time.time())}-{secrets.token_hex(16)}"
        self.buffer = bytearray()
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []
        self.size = 0
        self.done = False  # published or discarded

    def _start(self) -> str:
        if self.upload_id is None:
            response = self.store.client.create_multipart_upload(
                Bucket=self.store.bucket, Key=self.key, ChecksumAlgorithm="SHA256"
            )
            self.upload_id = cast(str, response["UploadId"])
        return self.upload_id

    def _send_part(self, data: bytes) -> None:
        upload_id = self._start()
        number = len(self.parts) + 1
        response = self.store.client.upload_part(
            Bucket=self.store.bucket,
            Key=self.key,
            UploadId=upload_id,
            PartNumber=number,
            Body=data,
            ChecksumAlgorithm="SHA256",
        )
        part = {"PartNumber": number, "ETag": response["ETag"]}
        if "ChecksumSHA256" in response:
            part["ChecksumSHA256"] = response["ChecksumSHA256"]
        self.parts.append(part)

    def write(self, data: bytes | memoryview) -> None:
        if self.done:
            raise ValueError("blob already published or discarded")
        self.buffer += data
        self.size += len(data)
        size = self.store.part_size
        while len(self.buffer) >= size:
            chunk = bytes(self.buffer[:size])
            del self.buffer[:size]
            self._send_part(chunk)

    def write_parts(self, parts: Sequence[bytes | memoryview]) -> None:
        for part in parts:
            self.write(part)

    def publish(self, name: str) -> None:
        if self.done:
            raise ValueError("blob already published or discarded")
        target = self.store.key(name)
        client, bucket = self.store.client, self.store.bucket
        if self.buffer or not self.parts:
            self._send_part(bytes(self.buffer))  # the last part may be short (or empty)
            self.buffer = bytearray()
        client.complete_multipart_upload(
            Bucket=bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )
        self.upload_id = None
        if self.size <= COPY_LIMIT:
            client.copy_object(
                Bucket=bucket,
                Key=target,
                CopySource={"Bucket": bucket, "Key": self.key},
                ChecksumAlgorithm="SHA256",
            )
        else:  # pragma: no cover - needs a > 5 GiB object
            self._copy_in_parts(target)
        self.done = True
        client.delete_object(Bucket=bucket, Key=self.key)

    def _copy_in_parts(self, target: str) -> None:
        client, bucket = self.store.client, self.store.bucket
        upload_id = client.create_multipart_upload(Bucket=bucket, Key=target)["UploadId"]
        parts = []
        step = 1024**3
        for number, start in enumerate(range(0, self.size, step), start=1):
            end = min(start + step, self.size) - 1
            response = client.upload_part_copy(
                Bucket=bucket,
                Key=target,
                UploadId=upload_id,
                PartNumber=number,
                CopySource={"Bucket": bucket, "Key": self.key},
                CopySourceRange=f"bytes={start}-{end}",
            )
            parts.append({"PartNumber": number, "ETag": response["CopyPartResult"]["ETag"]})
        client.complete_multipart_upload(
            Bucket=bucket, Key=target, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )

    def discard(self) -> None:
        if self.done:
            return
        self.done = True
        self.buffer = bytearray()
        client, bucket = self.store.client, self.store.bucket
        if self.upload_id is not None:
            client.abort_multipart_upload(Bucket=bucket, Key=self.key, UploadId=self.upload_id)
            self.upload_id = None
        client.delete_object(Bucket=bucket, Key=self.key)  # in case publish stopped half-way


class _Body:
    """The response body stream; a connection or checksum failure while reading becomes an
    OSError, as a failing disk read would (the download then audits it and cuts off)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def read(self, size: int = -1) -> bytes:
        from botocore.exceptions import BotoCoreError

        try:
            data: bytes = self.stream.read(None if size is None or size < 0 else size)
            return data
        except BotoCoreError as exc:
            raise OSError(f"object read failed: {type(exc).__name__}") from None

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> _Body:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class S3Store:
    """Blobs as objects ``<prefix><name[:2]>/<name>`` in one bucket."""

    def __init__(self, bucket: str, prefix: str = "", client: Any = None) -> None:
        self.bucket, self.prefix = bucket, prefix
        self.source = f"s3://{bucket}/{prefix}"
        self.part_size = PART_SIZE
        self.client = client if client is not None else client_from_environment()

    @classmethod
    def from_url(cls, url: str, client: Any = None) -> S3Store:
        bucket, prefix = parse_url(url)
        store = cls(bucket, prefix, client)
        store.source = url
        return store

    def key(self, name: str) -> str:
        name = _check_name(name)
        return f"{self.prefix}{name[:2]}/{name}"

    def new_blob(self) -> _S3Writer:
        return _S3Writer(self)

    def open(self, name: str) -> BinaryIO:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(name))
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(name) from None
        return cast(BinaryIO, _Body(response["Body"]))

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(name))

    def _objects(self, prefix: str) -> Iterator[dict[str, Any]]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            yield from page.get("Contents", [])

    def names(self) -> Iterator[tuple[str, float]]:
        temp = f"{self.prefix}{TEMP_PREFIX}"
        for obj in self._objects(self.prefix):
            key: str = obj["Key"]
            if key.startswith(temp):
                continue
            rest = key[len(self.prefix) :]
            fan, _, name = rest.partition("/")
            if len(fan) == 2 and name[:2] == fan and len(name) == 32:
                yield name, obj["LastModified"].timestamp()

    def remove_stale_temporaries(self, older_than: float) -> int:
        temp = f"{self.prefix}{TEMP_PREFIX}"
        cutoff = time.time() - older_than
        removed = 0
        paginator = self.client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=temp):
            for upload in page.get("Uploads", []):
                if _started(upload["Key"], upload["Initiated"]) <= cutoff:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    removed += 1
        for obj in list(self._objects(temp)):
            if _started(obj["Key"], obj["LastModified"]) <= cutoff:
                self.client.delete_object(Bucket=self.bucket, Key=obj["Key"])
                removed += 1
        return removed


def _started(key: str, fallback: dt.datetime) -> float:
    """When a temporary upload started: from its key, else from the server's time."""
    stamp = key.rpartition("/")[2].partition("-")[0]
    return float(stamp) if stamp.isdigit() else fallback.timestamp()
