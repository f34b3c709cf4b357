"""Attachment throughput and memory: the crypto limit against the real HTTP stack.

    .venv/bin/python bench/attachments.py [--size-mib 1024] [--workdir /tmp/attbench]

Prints, in one run on one machine:
1. the limit: plain disk-to-disk streaming AES-256-GCM with `cryptography` in the same 64 KiB
   chunking (encrypt a file to a file, decrypt it back; each ends with an fsync, as uploads do);
2. the tracker's upload (multipart → encrypt → durable blob → row) and download
   (decrypt → authenticate → serve) of the same file through gunicorn (one sync worker, SQLite),
   measured by an HTTP client on the same machine;
3. their ratios to the limit (goal ≥ 0.3 each) and the worker's peak memory growth
   (goal < 32 MiB for a 1 GiB file).

Not part of the test suite; record the figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

CHUNK = 64 * 1024
MIB = 1024 * 1024
PASSWORD = "bench horse battery staple"
BOUNDARY = "benchboundary7c1f"


def make_file(path: Path, size: int) -> str:
    """A PDF-looking file of random bytes (random: nothing compresses or repeats)."""
    digest = hashlib.sha256()
    with path.open("wb") as fh:
        head = b"%PDF-1.7\n"
        fh.write(head)
        digest.update(head)
        left = size - len(head)
        while left:
            block = os.urandom(min(MIB, left))
            fh.write(block)
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


def baseline(src: Path, workdir: Path) -> tuple[float, float]:
    """MB/s of plain streaming AES-256-GCM encryption and decryption, file to file."""
    key, prefix = AESGCM.generate_key(256), secrets.token_bytes(7)
    aead = AESGCM(key)
    enc, dec = workdir / "baseline.enc", workdir / "baseline.dec"
    size = src.stat().st_size

    def nonce(i: int, last: bool) -> bytes:
        return prefix + i.to_bytes(4, "big") + (b"\x01" if last else b"\x00")

    start = time.perf_counter()
    with src.open("rb") as fin, enc.open("wb") as fout:
        i, left = 0, size
        while left > 0:
            chunk = fin.read(CHUNK)
            left -= len(chunk)
            fout.write(aead.encrypt(nonce(i, left == 0), chunk, b"header"))
            i += 1
        fout.flush()
        os.fsync(fout.fileno())
    encrypt = size / (time.perf_counter() - start) / 1e6

    start = time.perf_counter()
    with enc.open("rb") as fin, dec.open("wb") as fout:
        i, left = 0, enc.stat().st_size
        while left > 0:
            chunk = fin.read(CHUNK + 16)
            left -= len(chunk)
            fout.write(aead.decrypt(nonce(i, left == 0), chunk, b"header"))
            i += 1
        fout.flush()
        os.fsync(fout.fileno())
    decrypt = size / (time.perf_counter() - start) / 1e6
    enc.unlink()
    dec.unlink()
    return encrypt, decrypt


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> None:
    bindir = Path(sys.executable).parent
    subprocess.run(
        [str(bindir / "flask"), "--app", "tracker", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def deploy(workdir: Path, size: int) -> tuple[dict[str, str], int]:
    """A fresh instance (SQLite, key file, blob dir) with one company user and project."""
    import sqlalchemy as sa
    import sqlalchemy.orm

    from tracker import create_app
    from tracker.auth.models import Organization, User, Zone
    from tracker.auth.passwords import hash_password
    from tracker.cases.models import Project
    from tracker.db import db

    instance = workdir / "instance"
    url = f"sqlite:///{instance / 'bench.db'}"
    env = {
        **os.environ,
        "TRACKER_ENV": "development",
        "TRACKER_INSTANCE_PATH": str(instance),
        "TRACKER_DATABASE_URL": url,
        "TRACKER_SECRET_KEY": "bench-secret",
        "TRACKER_KEY_FILE": str(workdir / "keys.json"),
        "TRACKER_BLOB_DIR": str(workdir / "blobs"),
        "TRACKER_MAX_UPLOAD_BYTES": str(size + MIB),
    }
    os.environ["TRACKER_INSTANCE_PATH"] = str(instance)
    instance.mkdir(parents=True, exist_ok=True)
    _cli(env, "keys", "init")
    _cli(env, "db", "upgrade")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-secret",
            "TRACKER_KEY_FILE": env["TRACKER_KEY_FILE"],
        }
    )
    with app.app_context(), sa.orm.Session(db.engine) as session:
        company = Organization(name="Bench Co", kind="company", country="KR")
        zone = Zone(code="ZB", name_en="Bench", name_ko="벤치")
        user = User(
            email="bench@example.test",
            name="Bench",
            role="company",
            organization=company,
            password_hash=hash_password(PASSWORD),
        )
        project = Project(code="P-BENCH", title="Bench", zone=zone, company=company)
        session.add_all([company, zone, user, project])
        session.commit()
        return env, project.id


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        bindir = Path(sys.executable).parent
        self.proc = subprocess.Popen(
            [
                str(bindir / "gunicorn"),
                "-w",
                "1",
                "--timeout",
                "600",
                "-b",
                f"127.0.0.1:{self.port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(400):
            try:
                if self.request("GET", "/api/v1/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("gunicorn did not start")
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        self.worker = int(children.split()[0])

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        conn = self.connection()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.worker}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


class PeakSampler(threading.Thread):
    """Samples the worker's resident memory every 20 ms while a transfer runs."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server, self.peak, self.running = server, 0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.server.rss_kib())
            time.sleep(0.02)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak


def upload(server: Server, token: str, project_id: int, path: Path) -> dict[str, object]:
    size = path.stat().st_size
    prefix = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    suffix = f"\r\n--{BOUNDARY}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield prefix
        with path.open("rb") as fh:
            while block := fh.read(MIB):
                yield block
        yield suffix

    conn = server.connection()
    conn.putrequest("POST", f"/api/v1/projects/{project_id}/attachments")
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    conn.putheader("Content-Length", str(len(prefix) + size + len(suffix)))
    conn.endheaders()
    for block in body():
        conn.send(block)
    response = conn.getresponse()
    answer = response.read()
    conn.close()
    if response.status != 201:
        raise RuntimeError(f"upload answered {response.status}: {answer[:300]!r}")
    result: dict[str, object] = json.loads(answer)
    return result


def download(server: Server, token: str, attachment_id: int) -> str:
    conn = server.connection()
    conn.request(
        "GET",
        f"/api/v1/attachments/{attachment_id}/content",
        headers={"Authorization": f"Bearer {token}"},
    )
    response = conn.getresponse()
    digest = hashlib.sha256()
    while block := response.read(MIB):
        digest.update(block)
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"download answered {response.status}")
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "attachments")
    args = parser.parse_args()
    workdir: Path = args.workdir
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    size = args.size_mib * MIB
    src = workdir / "source.pdf"
    print(f"file: {args.size_mib} MiB of random bytes in {workdir}")
    source_sha = make_file(src, size)

    enc_limit, dec_limit = baseline(src, workdir)
    print(f"limit   encrypt {enc_limit:8.1f} MB/s   decrypt {dec_limit:8.1f} MB/s")

    env, project_id = deploy(workdir, size)
    server = Server(env)
    try:
        status, answer = server.request(
            "POST",
            "/api/v1/auth/token",
            json.dumps({"email": "bench@example.test", "password": PASSWORD}).encode(),
            {"Content-Type": "application/json"},
        )
        token = json.loads(answer)["token"]
        warm = workdir / "warm.pdf"
        make_file(warm, 4 * MIB)  # load every module and code path before measuring memory
        warm_id = int(upload(server, token, project_id, warm)["id"])  # type: ignore[call-overload]
        download(server, token, warm_id)
        base_rss = server.rss_kib()

        sampler = PeakSampler(server)
        sampler.start()
        start = time.perf_counter()
        created = upload(server, token, project_id, src)
        up_rate = size / (time.perf_counter() - start) / 1e6
        start = time.perf_counter()
        got_sha = download(server, token, int(created["id"]))  # type: ignore[call-overload]
        down_rate = size / (time.perf_counter() - start) / 1e6
        peak = sampler.stop()
    finally:
        server.stop()
    if created["sha256"] != source_sha or got_sha != source_sha:
        raise SystemExit("sha256 mismatch: the round trip did not return the same bytes")
    growth = (peak - base_rss) / 1024
    print(f"tracker upload  {up_rate:8.1f} MB/s   ratio {up_rate / enc_limit:.2f} (goal >= 0.3)")
    print(
        f"tracker download {down_rate:7.1f} MB/s   ratio {down_rate / dec_limit:.2f} (goal >= 0.3)"
    )
    print(
        f"worker RSS: {base_rss / 1024:.1f} MiB after warm-up, peak {peak / 1024:.1f} MiB, "
        f"growth {growth:.1f} MiB (goal < 32)"
    )
    print("round trip sha256 ok")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
