"""The reverse proxy in front of several Rasa processes (`make run-scaled`,
the two-process benchmark and its test): Debian's HAProxy.

Requests go to the process with the fewest in flight (leastconn: under 50
customers its p95 was 2.7 s against 3.3 s round robin); a customer's socket.io
websocket stays on the process it opened (a websocket is one long connection,
and the web chat uses no polling), and messages for it from other processes
come through the shared Redis manager (bot/channels/webchat.py). A Rasa process that stops answering
its health check gets no new requests until it is back.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def haproxy_config(port: int, backends: list[int], host: str = "127.0.0.1") -> str:
    servers = "\n".join(
        f"    server rasa{i} 127.0.0.1:{backend} check inter 2s fall 2 rise 1" for i, backend in enumerate(backends, 1)
    )
    return f"""global
    maxconn 4000

defaults
    mode http
    option http-keep-alive
    timeout connect 5s
    timeout client 90s
    timeout server 90s
    # socket.io websockets: long-lived, kept open by the client's pings
    timeout tunnel 1h
    option forwardfor

frontend chat
    bind {host}:{port}
    default_backend rasa

backend rasa
    # the process with the fewest requests in flight: a slow answer on one does not queue more there
    balance leastconn
    option httpchk GET /
{servers}
"""


def haproxy_binary() -> str | None:
    # /usr/sbin is not on every user's PATH
    return shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)


def start_haproxy(config: Path, log: Path) -> subprocess.Popen:
    binary = haproxy_binary()
    if binary is None:
        raise RuntimeError("HAProxy is missing: `make run-scaled` installs it (apt-get install haproxy)")
    subprocess.run([binary, "-c", "-q", "-f", str(config)], check=True)
    return subprocess.Popen([binary, "-db", "-f", str(config)], stdout=log.open("w"), stderr=subprocess.STDOUT)
