"""nginx in front of one or two app servers, configured as the README's example, for a `with` block.

One nginx serves two ports: one forwards to the first app server alone, the other shares
requests between both. nginx is installed from Debian when missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.servers import HOST, find_free_port, wait_until_answering

LOCATION = """
    location / {
        proxy_pass http://%(upstream)s;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Request-Start "t=${msec}";
        proxy_connect_timeout 2s;
        proxy_read_timeout 30s;
        proxy_next_upstream off;
    }"""


def ensure_nginx() -> str:
    found = shutil.which("nginx") or (Path("/usr/sbin/nginx").exists() and "/usr/sbin/nginx")
    if not found:
        subprocess.run(["apt-get", "install", "-y", "nginx-light"], capture_output=True, check=False)
        found = shutil.which("nginx") or "/usr/sbin/nginx"
    return str(found)


def configuration(directory: Path, one_port: int, two_port: int, app_ports: list[int]) -> str:
    temp = {name: directory / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    # As root, nginx's workers would otherwise run as nobody, who cannot enter this directory.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes 1;
daemon off;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    client_max_body_size 64k;
    upstream one {{ server {HOST}:{app_ports[0]}; keepalive 16; }}
    upstream two {{ {" ".join(f"server {HOST}:{port};" for port in app_ports)} keepalive 16; }}
    server {{ listen {HOST}:{one_port}; {LOCATION % {"upstream": "one"}} }}
    server {{ listen {HOST}:{two_port}; {LOCATION % {"upstream": "two"}} }}
}}
"""


@contextmanager
def nginx(directory: Path, app_ports: list[int], ready_path: str) -> Iterator[tuple[int, int, int]]:
    """Yield (nginx's pid, the port to the first app server alone, the port to both)."""
    directory.mkdir(parents=True, exist_ok=True)
    one_port, two_port = find_free_port(), find_free_port()
    config = directory / "nginx.conf"
    config.write_text(configuration(directory, one_port, two_port, app_ports))
    log = directory / "nginx.out"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [ensure_nginx(), "-c", str(config), "-p", str(directory)], stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until_answering(process, one_port, ready_path, log)
        wait_until_answering(process, two_port, ready_path, log)
        yield process.pid, one_port, two_port
    finally:
        process.terminate()
        process.wait(timeout=15)
