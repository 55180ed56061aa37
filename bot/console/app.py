"""The agent console: a small Sanic app in its own process (`python -m bot.console`).

Pages are rendered with Jinja2 (autoescape on); the queue is JSON polled every
1.5 s by static/console.js, an open chat is pushed to the page as server-sent
events (bot/console/live.py polls Rasa for it), with the 1.5 s poll as the
fallback when the stream drops. The script only ever sets textContent.
Security: login with argon2-hashed passwords (bot/handoff/agents.py), an
HttpOnly SameSite=Strict session cookie, a CSRF token on every state change
(form field or X-CSRF-Token header) plus a same-origin check, a strict CSP,
and growing delays after failed logins that never lock out an agent's own
browser (bot/console/throttle.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Awaitable, Callable

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.console.live import ChatFeed
from bot.console.service import TICKET_STATUS, Console, ConsoleError, as_json
from bot.console.throttle import DatabaseCounts, LoginThrottle, attempt_keys
from bot.console.watcher import QueueWatcher, watch_rounds
from bot.diagnosis.model import PROBLEM_AREAS
from bot.handoff.agents import DEVICE_DAYS, Login
from bot.sanic_fix import german_errors
from bot.server_keys import issue, issued, server_key
from bot.tickets.models import TicketStatus

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"
DEVICE_COOKIE = "console_device"  # a browser the agent logged in from (bot/console/throttle.py)
_STATIC = {"console.js": "application/javascript", "console.css": "text/css"}
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null"
    # on form posts, and the origin check below would refuse the login.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
STREAM_REFRESH_SECONDS = 10  # a full view now and then (ticket changes, the login still valid), and a keep-alive

_templates = Environment(
    loader=FileSystemLoader(str(HERE / "templates")),
    autoescape=select_autoescape(("html",), default=True),
)


def _render(name: str, status: int = 200, **context: Any) -> HTTPResponse:
    return response.html(_templates.get_template(name).render(**context), status=status, headers=_SECURITY_HEADERS)


def _json(data: Any, status: int = 200) -> HTTPResponse:
    return response.json(data, status=status, headers=_SECURITY_HEADERS)


def _same_origin(request: Request) -> bool:
    """Browsers send Origin on POST; a different one means another site is posting.
    Behind a TLS proxy set CONSOLE_ORIGIN (e.g. https://konsole.example.de): the
    console itself then only sees http and the proxy's upstream host."""
    origin = request.headers.get("origin")
    expected = os.environ.get("CONSOLE_ORIGIN") or f"{request.scheme}://{request.host}"
    return origin is None or origin == expected.rstrip("/")


def create_app(
    console: Console, name: str = "agent_console", secure_cookies: bool = False, with_watcher: bool = True
) -> Sanic:
    app = german_errors(Sanic(name))
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.REQUEST_MAX_SIZE = 64 * 1024
    # Behind a TLS proxy: how many proxies add X-Forwarded-For, so that
    # request.remote_addr is the client's address (the login throttle needs it).
    app.config.PROXIES_COUNT = int(os.environ.get("CONSOLE_PROXIES_COUNT", "0") or 0)
    directory = console.desk.agents
    # Counts in the database: every console process sees the same (bot/console/throttle.py).
    throttle = LoginThrottle(clock=time.time, counts=DatabaseCounts(console.desk.store))
    login_key = server_key("console-login", "CONSOLE_LOGIN_KEY")
    run = asyncio.to_thread  # database and Rasa calls are blocking; keep the loop free

    def _set_cookie(resp: HTTPResponse, key: str, value: str, max_age: int) -> None:
        resp.cookies[key] = value
        resp.cookies[key]["httponly"] = True
        resp.cookies[key]["samesite"] = "Strict"
        resp.cookies[key]["path"] = "/"
        resp.cookies[key]["max-age"] = max_age
        if secure_cookies:
            resp.cookies[key]["secure"] = True

    async def _login_of(request: Request) -> Login | None:
        return await run(directory.session, request.cookies.get(SESSION_COOKIE))

    def page(handler: Callable[..., Awaitable[HTTPResponse]]):
        async def wrapped(request: Request, *args, **kwargs) -> HTTPResponse:
            login = await _login_of(request)
            if login is None:
                return response.redirect("/login")
            return await handler(request, login, *args, **kwargs)

        wrapped.__name__ = handler.__name__
        return wrapped

    def api(handler: Callable[..., Awaitable[HTTPResponse]]):
        async def wrapped(request: Request, *args, **kwargs) -> HTTPResponse:
            login = await _login_of(request)
            if login is None:
                return _json({"error": "Bitte melden Sie sich neu an.", "login": True}, 401)
            if request.method == "POST":
                token = request.headers.get("x-csrf-token") or ""
                if not _same_origin(request) or not secrets.compare_digest(token, login.csrf_token):
                    return _json({"error": "Die Anfrage wurde abgelehnt (CSRF). Bitte laden Sie die Seite neu."}, 403)
            try:
                return await handler(request, login, *args, **kwargs)
            except ConsoleError as error:
                return _json({"error": str(error)}, error.status)

        wrapped.__name__ = handler.__name__
        return wrapped

    def _body(request: Request) -> dict[str, Any]:
        data = request.json if request.content_type.startswith("application/json") else None
        return data if isinstance(data, dict) else {}

    # -- login --------------------------------------------------------------------------

    @app.get("/login")
    async def login_form(request: Request) -> HTTPResponse:
        if await _login_of(request):
            return response.redirect("/")
        return _login_page(request, error=None)

    def _login_page(request: Request, error: str | None, status: int = 200) -> HTTPResponse:
        csrf = issue(login_key)  # signed: a value an attacker planted in a cookie is no token
        resp = _render("login.html", status=status, csrf=csrf, error=error)
        _set_cookie(resp, LOGIN_CSRF_COOKIE, csrf, 1800)
        return resp

    @app.post("/login")
    async def login(request: Request) -> HTTPResponse:
        form = request.form
        expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
        sent = form.get("csrf") or ""
        if not issued(login_key, expected) or not _same_origin(request) or not secrets.compare_digest(sent, expected):
            return _login_page(request, "Die Anmeldeseite war zu alt. Bitte versuchen Sie es noch einmal.", 403)
        username = (form.get("username") or "").strip()[:40]
        password = (form.get("password") or "")[:200]
        address = request.remote_addr or request.ip or "?"
        device = request.cookies.get(DEVICE_COOKIE)
        known = bool(device) and await run(directory.device_owner, device) == username.lower()
        keys = attempt_keys(username, address, hashlib.sha256(device.encode()).hexdigest() if known else None)
        wait = throttle.wait_seconds(keys)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            text = "einer Sekunde" if seconds == 1 else f"{seconds} Sekunden"
            return _login_page(request, f"Zu viele Fehlversuche. Bitte versuchen Sie es in {text} noch einmal.", 429)
        result = await run(directory.login, username, password)
        if result is None:
            throttle.failed(keys)
            # Never the typed name: people type passwords into the wrong field.
            logger.warning("console login failed (from %s)", address)
            return _login_page(request, "Benutzername oder Passwort stimmt nicht.", 401)
        throttle.succeeded(keys)
        logger.info("agent %s logged in", result.agent.username)
        resp = response.redirect("/")
        _set_cookie(resp, SESSION_COOKIE, result.token, int(result.expires_at.timestamp() - time.time()))
        if not known:
            token = await run(directory.remember_device, result.agent.id)
            _set_cookie(resp, DEVICE_COOKIE, token, DEVICE_DAYS * 86400)
        del resp.cookies[LOGIN_CSRF_COOKIE]
        return resp

    @app.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        login = await _login_of(request)
        if login is None:
            return response.redirect("/login")
        # A logout is a change too: only with the session's token (another site
        # must not be able to log an agent out, or half out).
        if not _same_origin(request) or not secrets.compare_digest(request.form.get("csrf") or "", login.csrf_token):
            return response.redirect("/")  # nothing changed: the agent stays logged in
        await run(directory.logout, login.token)
        await run(directory.mark_offline, login.agent.id)
        logger.info("agent %s logged out", login.agent.username)
        resp = response.redirect("/login")
        del resp.cookies[SESSION_COOKIE]
        return resp

    # -- pages ----------------------------------------------------------------------------

    @app.get("/")
    @page
    async def queue_page(request: Request, login: Login) -> HTTPResponse:
        return _render("queue.html", agent=login.agent, csrf=login.csrf_token)

    @app.on_request
    async def bounded_ids(request: Request):
        # Route integers beyond the database's range are "not found", not a 500.
        for part in request.path.split("/"):
            if part.isdigit() and len(part) > 9:
                return _json({"error": "Diesen Chat gibt es nicht."}, 404)
        return None

    @app.get("/chats/<handoff_id:int>")
    @page
    async def chat_page(request: Request, login: Login, handoff_id: int) -> HTTPResponse:
        return _render(
            "chat.html",
            agent=login.agent,
            csrf=login.csrf_token,
            handoff_id=handoff_id,
            areas=[(area, console.area_title(area)) for area in PROBLEM_AREAS],
            statuses=[(s.value, TICKET_STATUS.get(s.value, s.value)) for s in TicketStatus],
        )

    @app.get("/static/<name>")
    async def static(request: Request, name: str) -> HTTPResponse:
        if name not in _STATIC:  # a fixed list: no path traversal
            return response.text("Nicht gefunden", status=404)
        return response.raw(
            (HERE / "static" / name).read_bytes(), content_type=_STATIC[name], headers=_SECURITY_HEADERS
        )

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return _json({"status": "ok"})

    # -- JSON API for console.js ----------------------------------------------------------

    @app.get("/api/queue")
    @api
    async def queue(request: Request, login: Login) -> HTTPResponse:
        return _json(await run(console.overview, login.agent))

    @app.get("/api/chats/<handoff_id:int>")
    @api
    async def chat(request: Request, login: Login, handoff_id: int) -> HTTPResponse:
        return _json(as_json(await run(console.chat, handoff_id, login.agent)))

    feed = ChatFeed(console.snapshot)

    @app.get("/api/chats/<handoff_id:int>/stream")
    @api
    async def chat_stream(request: Request, login: Login, handoff_id: int):
        """The chat as server-sent events: `event: chat` with the same JSON as
        /api/chats/<id>, whenever something changed; `event: login` when the
        session ended."""
        await run(console._get, handoff_id)  # 404 before the stream starts
        stream = await request.respond(
            content_type="text/event-stream; charset=utf-8",
            headers={**_SECURITY_HEADERS, "X-Accel-Buffering": "no"},
        )
        await stream.send("retry: 1000\n\n")
        sent = None
        async with feed.listen(handoff_id) as inbox:
            while True:
                try:
                    item = await asyncio.wait_for(inbox.get(), STREAM_REFRESH_SECONDS)
                except asyncio.TimeoutError:
                    if await _login_of(request) is None:
                        await stream.send('event: login\ndata: {}\n\n')
                        break
                    item = feed.latest(handoff_id)
                if isinstance(item, Exception) or item is None:
                    await stream.send(": waiting\n\n")  # keeps the connection; the page keeps its lines
                    continue
                data = json.dumps(as_json(await run(console.view, item, login.agent)), ensure_ascii=False)
                if data != sent:
                    await stream.send(f"event: chat\ndata: {data}\n\n")
                    sent = data
                else:
                    await stream.send(": ping\n\n")
        await stream.eof()

    @app.post("/api/chats/<handoff_id:int>/claim")
    @api
    async def claim(request: Request, login: Login, handoff_id: int) -> HTTPResponse:
        greeting = await run(console.claim, handoff_id, login.agent)
        return _json({"ok": True, "greeting": greeting})

    @app.post("/api/chats/<handoff_id:int>/typing")
    @api
    async def typing(request: Request, login: Login, handoff_id: int) -> HTTPResponse:
        await run(console.typing, handoff_id, login.agent)
        return _json({"ok": True})

    @app.post("/api/chats/<handoff_id:int>/reply")
    @api
    async def reply(request: Request, login: Login, handoff_id: int) -> HTTPResponse:
        await run(console.reply, handoff_id, login.agent, str(_body(request).get("text") or ""))
        return _json({"ok": True})

    @app.post("/api/chats/<handoff_id:int>/handback")
    @api
    async def hand_back(request: Request, login: Login, handoff_id: int) -> HTTPResponse:
        await run(console.hand_back, handoff_id, login.agent)
        return _json({"ok": True})

    @app.post("/api/chats/<handoff_id:int>/close")
    @api
    async def close(request: Request, login: Login, handoff_id: int) -> HTTPResponse:
        await run(console.close, handoff_id, login.agent)
        return _json({"ok": True})

    @app.post("/api/chats/<handoff_id:int>/ticket")
    @api
    async def ticket(request: Request, login: Login, handoff_id: int) -> HTTPResponse:
        body = _body(request)
        result = await run(
            console.ticket,
            handoff_id,
            login.agent,
            str(body.get("note") or ""),
            str(body.get("status") or "") or None,
            str(body.get("area") or "") or None,
        )
        return _json(result)

    @app.post("/api/callbacks/<handoff_id:int>/done")
    @api
    async def callback_done(request: Request, login: Login, handoff_id: int) -> HTTPResponse:
        await run(console.callback_done, handoff_id, login.agent, str(_body(request).get("note") or ""))
        return _json({"ok": True})

    # -- the queue watcher ----------------------------------------------------------------

    # In every console process, but only the one holding the database lease works
    # (bot/handoff/lease.py); `make run-scaled` runs it as a process of its own.
    watcher = QueueWatcher(console.desk, console.rasa)

    async def watch() -> None:
        if with_watcher:
            await watch_rounds(watcher, console.desk.store)

    tasks: list[asyncio.Task] = []

    @app.after_server_start
    async def start_watcher(app_: Sanic, loop) -> None:
        # Blocking work (database, Rasa, argon2) runs in threads; enough of them
        # that a slow Rasa cannot starve the queue page and logins.
        loop.set_default_executor(ThreadPoolExecutor(max_workers=32, thread_name_prefix="console"))
        tasks.append(asyncio.ensure_future(watch()))

    @app.before_server_stop
    async def stop_watcher(app_: Sanic, _loop) -> None:
        for task in tasks:
            task.cancel()
        await feed.close()

    return app
