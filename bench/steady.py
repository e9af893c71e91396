"""Load at a constant rate (like wrk2): requests start on schedule whether or not earlier ones
have finished, and each one's time counts from when it was due, so a server that falls behind
shows it in the percentiles instead of being asked less.

Each request opens its own connection, as many visitors do. Pages are GETs; comments are POSTs
of forms scraped beforehand (bench/forms.py), one each.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.servers import HOST

TIMEOUT_SECONDS = 10.0


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


def encode(method: str, path: str, port: int, cookie: str | None = None, body: str = "") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body.encode())}"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


async def one_request(port: int, request: bytes, expected: int, due: float, tally: Tally) -> None:
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            reader, writer = await asyncio.open_connection(HOST, port)
            try:
                writer.write(request)
                await writer.drain()
                response = await reader.read()
            finally:
                writer.close()
        status = int(response.split(b" ", 2)[1])
    except (OSError, TimeoutError, IndexError, ValueError) as error:
        tally.errors[type(error).__name__] += 1
        return
    if status != expected:
        tally.errors[f"HTTP {status}"] += 1
        return
    tally.latencies.append(time.monotonic() - due)


async def run(port: int, seconds: float, pages: list[tuple[float, bytes, int]]) -> Tally:
    """pages: (requests a second, request, expected status), each kind on its own schedule.
    A POST kind's request is a list of requests, sent one each."""
    tally = Tally()
    start = time.monotonic() + 0.1
    schedule = []
    for rate, requests, expected in pages:
        count = int(rate * seconds)
        for n in range(count):
            request = requests[n % len(requests)] if isinstance(requests, list) else requests
            schedule.append((start + n / rate, request, expected))
    schedule.sort(key=lambda entry: entry[0])
    tasks = []
    for due, request, expected in schedule:
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one_request(port, request, expected, due, tally)))
    await asyncio.gather(*tasks)
    return tally


@dataclass(frozen=True)
class SteadyResult:
    requests: int
    errors: dict[str, int]
    p50_ms: float
    p95_ms: float
    generator_cpu_share: float


def measure(port: int, seconds: float, pages: list) -> SteadyResult:
    before = resource.getrusage(resource.RUSAGE_SELF)
    tally = asyncio.run(run(port, seconds, pages))
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    latencies = sorted(tally.latencies)
    quantiles = (
        statistics.quantiles(latencies, n=100, method="inclusive")
        if len(latencies) > 1
        else [float("nan")] * 99
    )
    return SteadyResult(
        requests=len(latencies) + sum(tally.errors.values()),
        errors=dict(tally.errors),
        p50_ms=quantiles[49] * 1000,
        p95_ms=quantiles[94] * 1000,
        generator_cpu_share=cpu / seconds / (os.cpu_count() or 1),
    )
