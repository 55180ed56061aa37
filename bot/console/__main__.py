"""Agent console: the web app and its account commands.

    python -m bot.console serve [--port 5006]          # the console (make run starts it)
    python -m bot.console add-agent anna --name "Anna"  # asks for the password twice
    echo "$PW" | python -m bot.console add-agent anna --name "Anna" --password-stdin
    python -m bot.console list-agents
    python -m bot.console set-password anna             # logs the agent out everywhere
    python -m bot.console disable-agent anna | enable-agent anna
    python -m bot.console demo-agent                    # make run: the demo account, printed

The database is DATABASE_URL (default: SQLite under var/), the Rasa API is
RASA_URL with RASA_API_TOKEN (never in the repository).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import secrets
import sys

from bot.handoff.agents import AccountError, AgentDirectory
from bot.paths import PROJECT_ROOT
from bot.tickets.store import TicketStore

DEMO_USER = "demo"
DEMO_NAME = "Alex"
DEMO_PASSWORD_FILE = PROJECT_ROOT / "var" / "console-demo-password"


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Passwort: ")
    if getpass.getpass("Noch einmal: ") != first:
        raise AccountError("Die beiden Passwörter sind verschieden.")
    return first


def demo_password() -> str:
    """CONSOLE_DEMO_PASSWORD, else one generated on first use and kept under var/."""
    configured = os.environ.get("CONSOLE_DEMO_PASSWORD")
    if configured:
        return configured
    if DEMO_PASSWORD_FILE.exists():
        return DEMO_PASSWORD_FILE.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(9)
    DEMO_PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
    DEMO_PASSWORD_FILE.write_text(password + "\n", encoding="utf-8")
    DEMO_PASSWORD_FILE.chmod(0o600)
    return password


def ensure_demo_agent(directory: AgentDirectory) -> str:
    password = demo_password()
    if directory.get(DEMO_USER) is None:
        directory.add(DEMO_USER, DEMO_NAME, password)
    else:
        directory.set_password(DEMO_USER, password)
    return password


def watch() -> int:
    """The queue watcher alone (`make run-scaled`, a pod of its own): works while it
    holds the database lease, so any number of them can run."""
    from bot.console.watcher import QueueWatcher, watch_rounds
    from bot.handoff.desk import ServiceDesk
    from bot.logging_mask import install as install_mask
    from bot.logging_mask import protect_process_output
    from bot.rasa_api import RasaClient

    protect_process_output()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_mask(logging.getLogger(""))
    desk = ServiceDesk()
    try:
        asyncio.run(watch_rounds(QueueWatcher(desk, RasaClient()), desk.store))
    except KeyboardInterrupt:
        pass
    return 0


def serve(host: str, port: int, with_watcher: bool = True) -> int:
    from bot.console.app import create_app
    from bot.console.service import Console
    from bot.handoff.desk import ServiceDesk
    from bot.logging_mask import install as install_mask
    from bot.logging_mask import protect_process_output
    from bot.rasa_api import RasaClient

    protect_process_output()
    from bot import sanic_fix

    sanic_fix.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    console = Console(ServiceDesk(), RasaClient())
    app = create_app(
        console, secure_cookies=os.environ.get("CONSOLE_SECURE_COOKIES") == "1", with_watcher=with_watcher
    )
    # Personal data never reaches the log unmasked, also through Sanic's own handlers.
    for name in ("", "sanic.root", "sanic.error", "sanic.access"):
        install_mask(logging.getLogger(name))
    app.run(host=host, port=port, workers=1, access_log=False, motd=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.console", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", help="run the console")
    run.add_argument("--host", default=os.environ.get("CONSOLE_HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("CONSOLE_PORT", "5006")))
    run.add_argument("--no-watcher", action="store_true", help="the queue watcher runs as `watch` elsewhere")
    sub.add_parser("watch", help="run the queue watcher alone (one of any number is active)")
    add = sub.add_parser("add-agent", help="create an agent account")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="shown to customers, e.g. Anna")
    add.add_argument("--password-stdin", action="store_true")
    sub.add_parser("list-agents", help="all accounts")
    setpw = sub.add_parser("set-password", help="new password; logs the agent out")
    setpw.add_argument("username")
    setpw.add_argument("--password-stdin", action="store_true")
    for name in ("disable-agent", "enable-agent"):
        sub.add_parser(name).add_argument("username")
    sub.add_parser("demo-agent", help="create or refresh the demo account and print it")
    args = parser.parse_args(argv)

    if args.command == "serve":
        return serve(args.host, args.port, with_watcher=not args.no_watcher)
    if args.command == "watch":
        return watch()
    directory = AgentDirectory(TicketStore())
    try:
        if args.command == "add-agent":
            agent = directory.add(args.username, args.name, _password(args))
            print(f"Konto angelegt: {agent.username} ({agent.display_name})")
        elif args.command == "list-agents":
            for agent in directory.all():
                print(f"{agent.username:20} {agent.display_name:30} {'aktiv' if agent.active else 'gesperrt'}")
        elif args.command == "set-password":
            directory.set_password(args.username, _password(args))
            print("Passwort geändert; alle Sitzungen sind abgemeldet.")
        elif args.command in ("disable-agent", "enable-agent"):
            directory.set_active(args.username, args.command == "enable-agent")
            print("Gesperrt." if args.command == "disable-agent" else "Entsperrt.")
        elif args.command == "demo-agent":
            password = ensure_demo_agent(directory)
            print(f"Demo-Konto der Konsole: {DEMO_USER} / {password}")
    except AccountError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
