"""The load generator: many keep-alive HTTP/1.1 clients on one asyncio loop, in its own process.

Run as `python -m bench.loadgen` with a JSON job on stdin; prints a JSON result on stdout.
Threads with http.client would spend both of this machine's cores on the client side and
measure themselves; one asyncio loop on raw streams stays cheap. It only ever connects to
127.0.0.1, and every client loop stops by itself: at the deadline or after a bounded count.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

HOST = "127.0.0.1"
CONNECT_TIMEOUT_SECONDS = 5.0
RESPONSE_TIMEOUT_SECONDS = 10.0
MAX_REQUESTS_PER_CLIENT = 1_000_000
WARMUP_CLIENTS = 8
# After a connection error, wait a moment before reconnecting rather than spin on a refusal.
RECONNECT_PAUSE_SECONDS = 0.01
STATUSES_WITHOUT_BODY = {204, 304}


@dataclass(frozen=True)
class Job:
    port: int
    path: str
    method: str = "GET"
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 10.0
    concurrency: int = 64
    warmup_requests: int = 50


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Result:
    requests: int
    errors: int
    error_kinds: dict[str, int]
    warmup_errors: dict[str, int]
    seconds: float
    requests_per_second: float
    p50_ms: float
    p95_ms: float


class ProtocolError(Exception):
    """The server's response was not HTTP/1.1 as we expect it."""


def encode_request(job: Job) -> bytes:
    body = job.body.encode()
    lines = [f"{job.method} {job.path} HTTP/1.1", f"Host: {HOST}:{job.port}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in job.headers.items()]
    if body or job.method not in {"GET", "HEAD"}:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one whole response; return its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ProtocolError(f"bad status line {status_line!r}")
    status = int(parts[1])
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    keep_alive = headers.get("connection", "").lower() != "close"

    if status in STATUSES_WITHOUT_BODY or 100 <= status < 200:
        pass
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        await read_chunked_body(reader)
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:
        await reader.read()  # the body runs until the server closes the connection
        keep_alive = False
    return status, keep_alive


async def read_chunked_body(reader: asyncio.StreamReader) -> None:
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the blank line
                pass
            return
        await reader.readexactly(size + 2)


async def run_client(job: Job, request: bytes, deadline: float, max_requests: int, tally: Tally) -> None:
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    try:
        for _ in range(max_requests):
            if time.monotonic() >= deadline:
                break
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = await asyncio.wait_for(
                        asyncio.open_connection(HOST, job.port), CONNECT_TIMEOUT_SECONDS
                    )
                reader, writer = connection
                async with asyncio.timeout(RESPONSE_TIMEOUT_SECONDS):
                    writer.write(request)
                    await writer.drain()
                    status, keep_alive = await read_response(reader)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
                tally.errors[type(error).__name__] += 1
                close_quietly(connection)
                connection = None
                await asyncio.sleep(RECONNECT_PAUSE_SECONDS)
                continue
            except (ProtocolError, ValueError) as error:
                tally.errors[f"{type(error).__name__}: {error}"[:80]] += 1
                close_quietly(connection)
                connection = None
                continue
            if 200 <= status < 300:
                tally.latencies.append(time.perf_counter() - started)
            else:
                tally.errors[f"HTTP {status}"] += 1
            if not keep_alive:
                close_quietly(connection)
                connection = None
    finally:
        close_quietly(connection)


def close_quietly(connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None) -> None:
    if connection is not None:
        connection[1].close()


async def run_clients(
    job: Job, clients: int, seconds: float, requests_per_client: int
) -> tuple[Tally, float]:
    request = encode_request(job)
    tally = Tally()
    started = time.perf_counter()
    deadline = time.monotonic() + seconds
    await asyncio.gather(
        *(run_client(job, request, deadline, requests_per_client, tally) for _ in range(clients))
    )
    return tally, time.perf_counter() - started


def percentile_ms(latencies: list[float], percent: int) -> float:
    if not latencies:
        return float("nan")
    if len(latencies) == 1:
        return latencies[0] * 1000
    return statistics.quantiles(latencies, n=100, method="inclusive")[percent - 1] * 1000


async def measure(job: Job) -> Result:
    warmup_clients = min(WARMUP_CLIENTS, job.concurrency, max(job.warmup_requests, 1))
    warmup, _ = await run_clients(
        job,
        clients=warmup_clients,
        seconds=RESPONSE_TIMEOUT_SECONDS * 2,
        requests_per_client=-(-job.warmup_requests // warmup_clients),
    )
    tally, elapsed = await run_clients(
        job, clients=job.concurrency, seconds=job.seconds, requests_per_client=MAX_REQUESTS_PER_CLIENT
    )
    return Result(
        requests=len(tally.latencies),
        errors=sum(tally.errors.values()),
        error_kinds=dict(tally.errors),
        warmup_errors=dict(warmup.errors),
        seconds=elapsed,
        requests_per_second=len(tally.latencies) / elapsed,
        p50_ms=percentile_ms(tally.latencies, 50),
        p95_ms=percentile_ms(tally.latencies, 95),
    )


def main() -> int:
    job = Job(**json.load(sys.stdin))
    try:
        result = asyncio.run(measure(job))
    except KeyboardInterrupt:
        return 130
    json.dump(asdict(result), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
