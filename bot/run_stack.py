"""`make run`: starts the Procfile processes with honcho and stops them all reliably.

`make run-scaled` (--scaled) starts Procfile.scaled instead: two Rasa processes
behind HAProxy on the same public port, the PostgreSQL database (created if
missing, migrated), Redis and RabbitMQ of this machine, and the queue watcher as
a process of its own (scaled_environment says which variables it sets).

Honcho stops its processes on Ctrl-C and SIGTERM. When the terminal window is
closed, though, honcho either dies alone or hangs writing to the vanished
terminal, and the servers keep running and holding their ports. So this launcher
runs honcho in its own session, relays its output (and stops relaying once the
terminal is gone), and turns Ctrl-C, hang-up and SIGTERM into an orderly honcho
shutdown. It also refuses to start when a port is taken, and says what to do.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bot.endpoints import LocalEndpoints
from bot.paths import PROJECT_ROOT


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def watch_parent(on_gone, getppid=os.getppid, poll_seconds: float = 1.0, rounds: int | None = None) -> bool:
    """Call on_gone once the parent process is gone (the launcher was re-parented)."""
    parent = getppid()
    while rounds is None or rounds > 0:
        if getppid() != parent:
            on_gone()
            return True
        time.sleep(poll_seconds)
        rounds = None if rounds is None else rounds - 1
    return False


def stack_environment(environ, endpoints: LocalEndpoints) -> dict[str, str]:
    """The processes' environment (the Procfile and endpoints.yml read it).

    The Rasa HTTP API only runs with a token (the agent console is its only
    user), and the action server only answers the Rasa server, which sends a
    shared secret. Tokens not set in the environment are made fresh and random
    for this run, and never written anywhere."""
    env = {**environ, "PYTHONUNBUFFERED": "1"}  # lines through the pipe at once
    for name in ("RASA_API_TOKEN", "ACTION_SERVER_TOKEN"):
        if not env.get(name):
            env[name] = secrets.token_urlsafe(32)
    env.setdefault("RASA_URL", endpoints.rasa_url)
    env.update(
        RASA_PORT=str(endpoints.rasa_port),
        ACTION_PORT=str(endpoints.action_port),
        LINE_SIMULATOR_PORT=str(endpoints.line_simulator_port),
        CONSOLE_PORT=str(endpoints.console_port),
    )
    env.setdefault("TRACKER_DB", str(PROJECT_ROOT / "var" / "tracker.db"))
    return env


SCALED_DATABASE = "postgresql://postgres@127.0.0.1:5432/stoerungschat"


def scaled_environment(environ, endpoints: LocalEndpoints) -> dict[str, str]:
    """What Procfile.scaled and deploy/endpoints.scaled.yml read, for this
    machine's PostgreSQL, Redis and RabbitMQ unless the environment names others
    (DATABASE_URL, REDIS_URL, RABBITMQ_URL)."""
    from urllib.parse import urlparse

    env = stack_environment(environ, endpoints)
    database = urlparse(env.setdefault("DATABASE_URL", SCALED_DATABASE))
    redis = urlparse(env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0"))
    rabbit = urlparse(env.setdefault("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    env.setdefault("RASA_PORT_1", str(endpoints.rasa_port + 10))
    env.setdefault("RASA_PORT_2", str(endpoints.rasa_port + 11))
    env.update(
        ACTION_URL=f"http://127.0.0.1:{endpoints.action_port}/webhook",
        POSTGRES_HOST=database.hostname or "127.0.0.1",
        POSTGRES_PORT=str(database.port or 5432),
        POSTGRES_DB=database.path.lstrip("/"),
        POSTGRES_USER=database.username or "postgres",
        POSTGRES_PASSWORD=database.password or "",
        REDIS_HOST=redis.hostname or "127.0.0.1",
        REDIS_PORT=str(redis.port or 6379),
        REDIS_DB=(redis.path or "/0").lstrip("/") or "0",
        WEBCHAT_REDIS_URL=env["REDIS_URL"],
        RABBITMQ_HOST=rabbit.hostname or "127.0.0.1",
        RABBITMQ_USER=rabbit.username or "guest",
        RABBITMQ_PASSWORD=rabbit.password or "guest",
    )
    return env


def prepare_scaled(env: dict[str, str], endpoints: LocalEndpoints) -> None:
    """The database (created if missing, then migrated), the demo agent in it, and
    the proxy's configuration under var/scaled/."""
    import psycopg2
    from psycopg2 import sql
    from sqlalchemy.engine import make_url

    from bot.proxy import haproxy_config

    url = make_url(env["DATABASE_URL"])
    admin = psycopg2.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password or None, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,))
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database)))
    admin.close()
    for command in (["-m", "bot.tickets", "migrate"], ["-m", "bot.console", "demo-agent"]):
        subprocess.run([sys.executable, *command], cwd=PROJECT_ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    folder = PROJECT_ROOT / "var" / "scaled"
    folder.mkdir(parents=True, exist_ok=True)
    backends = [int(env["RASA_PORT_1"]), int(env["RASA_PORT_2"])]
    (folder / "haproxy.cfg").write_text(haproxy_config(endpoints.rasa_port, backends, endpoints.host))


def main(argv: list[str] | None = None) -> int:
    scaled = "--scaled" in (sys.argv[1:] if argv is None else argv)
    endpoints = LocalEndpoints.from_env()
    ports = (endpoints.rasa_port, endpoints.action_port, endpoints.line_simulator_port, endpoints.console_port)
    busy = [port for port in ports if port_in_use(port, endpoints.host)]
    if busy:
        print(
            f"Port {', '.join(map(str, busy))} is already in use: the bot may already be running "
            "(chat with it via `make shell`), or old processes are left over "
            "(`pkill -f 'rasa run'; pkill -f bot.linecheck.simulator`). "
            "Other ports: RASA_PORT=... ACTION_PORT=... LINE_SIMULATOR_PORT=... CONSOLE_PORT=... make run",
            file=sys.stderr,
        )
        return 1
    honcho = Path(sys.executable).with_name("honcho")
    if scaled:
        env = scaled_environment(os.environ, endpoints)
        prepare_scaled(env, endpoints)
    else:
        env = stack_environment(os.environ, endpoints)
    process = subprocess.Popen(
        [str(honcho), "start", "-f", "Procfile.scaled" if scaled else "Procfile"],
        cwd=PROJECT_ROOT,
        env=env,
        start_new_session=True,  # terminal signals reach this launcher, not honcho
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    terminal_gone = False
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal terminal_gone, stopping
        stopping = True
        terminal_gone = terminal_gone or signum == signal.SIGHUP
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)

    for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    # `make run` does not pass a SIGTERM on to its children: when make is killed,
    # this launcher is orphaned. Then stop everything, as if asked to.
    threading.Thread(target=watch_parent, args=(lambda: stop(signal.SIGTERM, None),), daemon=True).start()
    assert process.stdout is not None
    for line in iter(process.stdout.readline, b""):
        if terminal_gone:
            continue  # keep draining so honcho never blocks on a full pipe
        try:
            sys.stdout.buffer.write(line)
            sys.stdout.flush()
        except OSError:
            terminal_gone = True
    code = process.wait()
    return 0 if stopping else code  # an asked-for stop is not a failure


if __name__ == "__main__":
    sys.exit(main())
