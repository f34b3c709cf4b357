"""Attachment throughput and memory: the crypto limit against the real HTTP stack.

    .venv/bin/python bench/attachments.py [--size-mib 1024] [--workdir /tmp/attbench]

Prints, in one run on one machine:
1. the limit: plain disk-to-disk streaming AES-256-GCM with `cryptography` in the same 64 KiB
   chunking (encrypt a file to a file, decrypt it back, through the page cache: no fsync,
   although the tracker's upload does fsync, so the limit is a conservative bar);
2. the tracker's upload (multipart → encrypt → durable blob → row) and download
   (decrypt → authenticate → serve) of the same file through gunicorn (one sync worker, SQLite),
   measured by an HTTP client on the same machine (the upload's file is sent with
   `socket.sendfile`, so the client takes little of the two cores it shares with the server;
   the limit is measured as before);
3. their ratios to the limit (goal ≥ 0.3 each) and the worker's peak memory growth
   (goal < 32 MiB for a 1 GiB file).

Not part of the test suite; record the figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from tests.attachments.live import LiveServer, deploy  # noqa: E402

CHUNK = 64 * 1024
MIB = 1024 * 1024
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


def baseline(src: Path, workdir: Path) -> tuple[float, float, float]:
    """MB/s of plain streaming AES-256-GCM encryption and decryption, file to file, and of the
    encryption including an fsync of the result (what a durable upload must also pay)."""
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
        encrypt = size / (time.perf_counter() - start) / 1e6
        fout.flush()
        os.fsync(fout.fileno())
    durable = size / (time.perf_counter() - start) / 1e6

    start = time.perf_counter()
    with enc.open("rb") as fin, dec.open("wb") as fout:
        i, left = 0, enc.stat().st_size
        while left > 0:
            chunk = fin.read(CHUNK + 16)
            left -= len(chunk)
            fout.write(aead.decrypt(nonce(i, left == 0), chunk, b"header"))
            i += 1
    decrypt = size / (time.perf_counter() - start) / 1e6
    enc.unlink()
    dec.unlink()
    return encrypt, decrypt, durable


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class PeakSampler(threading.Thread):
    """Samples the worker's resident memory every 20 ms while a transfer runs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.02)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak


def upload(server: LiveServer, token: str, project_id: int, path: Path) -> dict[str, object]:
    size = path.stat().st_size
    prefix = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    suffix = f"\r\n--{BOUNDARY}--\r\n".encode()

    conn = server.connection()
    conn.putrequest("POST", f"/api/v1/projects/{project_id}/attachments")
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    conn.putheader("Content-Length", str(len(prefix) + size + len(suffix)))
    conn.endheaders()
    # The file goes from the page cache to the socket in the kernel (`sendfile`): the client
    # shares the two cores with the server, and a copy of every byte through Python would be
    # CPU taken from the upload being measured.
    conn.send(prefix)
    with path.open("rb") as fh:
        assert conn.sock is not None
        conn.sock.sendfile(fh)
    conn.send(suffix)
    response = conn.getresponse()
    answer = response.read()
    conn.close()
    if response.status != 201:
        raise RuntimeError(f"upload answered {response.status}: {answer[:300]!r}")
    result: dict[str, object] = json.loads(answer)
    return result


def download(server: LiveServer, token: str, attachment_id: int) -> str:
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
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of each measurement; the best one counts"
    )
    args = parser.parse_args()
    workdir: Path = args.workdir
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    size = args.size_mib * MIB
    src = workdir / "source.pdf"
    print(f"file: {args.size_mib} MiB of random bytes in {workdir}")
    source_sha = make_file(src, size)

    limits = [baseline(src, workdir) for _ in range(args.repeat)]
    enc_limit, dec_limit, durable = (max(run[k] for run in limits) for k in range(3))
    print(f"limit            encrypt {enc_limit:8.1f} MB/s   decrypt {dec_limit:8.1f} MB/s")
    print(f"limit + fsync    encrypt {durable:8.1f} MB/s   (the disk's share of a durable upload)")

    os.environ["TRACKER_INSTANCE_PATH"] = str(workdir / "instance")
    env, project_id = deploy(workdir, f"sqlite:///{workdir / 'instance' / 'bench.db'}", size + MIB)
    server = LiveServer(env)
    try:
        server.start()
        token = server.token()
        warm = workdir / "warm.pdf"
        make_file(warm, 4 * MIB)  # load every module and code path before measuring memory
        warm_id = int(upload(server, token, project_id, warm)["id"])  # type: ignore[call-overload]
        download(server, token, warm_id)
        base_rss = rss_kib(server.worker_pid)

        sampler = PeakSampler(server.worker_pid)
        sampler.start()
        up_rate = down_rate = 0.0
        for _ in range(args.repeat):
            start = time.perf_counter()
            created = upload(server, token, project_id, src)
            up_rate = max(up_rate, size / (time.perf_counter() - start) / 1e6)
            start = time.perf_counter()
            got_sha = download(server, token, int(created["id"]))  # type: ignore[call-overload]
            down_rate = max(down_rate, size / (time.perf_counter() - start) / 1e6)
            if created["sha256"] != source_sha or got_sha != source_sha:
                raise SystemExit("sha256 mismatch: the round trip did not return the same bytes")
        peak = sampler.stop()
    finally:
        server.close()
    growth = (peak - base_rss) / 1024
    up_ratio, down_ratio = up_rate / enc_limit, down_rate / dec_limit
    print(f"tracker upload   {up_rate:8.1f} MB/s   ratio {up_ratio:.2f} (goal >= 0.3)")
    print(f"tracker download {down_rate:8.1f} MB/s   ratio {down_ratio:.2f} (goal >= 0.3)")
    print(
        f"worker RSS: {base_rss / 1024:.1f} MiB after warm-up, peak {peak / 1024:.1f} MiB, "
        f"growth {growth:.1f} MiB (goal < 32)"
    )
    print("round trip sha256 ok")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
