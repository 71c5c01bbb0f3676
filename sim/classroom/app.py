"""The classroom web app: server-rendered pages for students, the instructor and the projector.

Built on Starlette (routing, requests, responses) and Jinja2 (templates with
autoescaping), served by uvicorn; the pages need no JavaScript framework and
load nothing from outside the server. A small script of our own, served from
``/static``, polls for changes and counts down the stage's time.

Security, in one place:

- A student holds a random token (in an HttpOnly, SameSite=Strict cookie)
  bound to one role in one world. Every student page and order is read from
  the token alone, never from the request, so no student can act for another
  role or read another role's briefing.
- The instructor's pages need the instructor token, printed once when the
  server starts; the server keeps only its hash.
- POST requests from another origin are refused; request bodies are capped at
  :data:`MAX_BODY` bytes; each client has a token bucket of requests
  (:class:`RateLimiter`): by token, or before joining by address, with five times
  the room (a class may share one address).
- Pages carry a strict Content-Security-Policy (no inline scripts, nothing
  from other origins), ``nosniff``, a same-origin referrer policy and ``no-store``.
"""

from __future__ import annotations

import hmac
import html
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from sim.classroom.session import Classroom, Participant, Play, Session, token_hash
from sim.classroom.store import Store
from sim.errors import InputError, UsageError
from sim.scenario.model import Scenario

__all__ = ["MAX_BODY", "RateLimiter", "create_app"]

HERE = Path(__file__).parent
#: The largest request body accepted (bytes): forms here are a few hundred bytes.
MAX_BODY = 8_192
STUDENT_COOKIE = "sim_student"
INSTRUCTOR_COOKIE = "sim_instructor"
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "connect-src 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


class RateLimiter:
    """A token bucket per client: ``rate`` requests a second, bursts of ``burst``.

    Examples
    --------
    >>> limiter = RateLimiter(rate=1.0, burst=2)
    >>> [limiter.allow("a", now=0.0) for _ in range(3)]
    [True, True, False]
    >>> limiter.allow("a", now=1.0)
    True
    """

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self.lock:
            tokens, last = self.buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self.buckets[key] = (tokens, now)
                return False
            self.buckets[key] = (tokens - 1, now)
            if len(self.buckets) > 100_000:  # forget idle clients rather than grow forever
                self.buckets.clear()
            return True


@dataclass
class _Context:
    """What the routes share."""

    store: Store
    scenario: Scenario
    instructor_hash: str
    templates: Any
    background: str  # the public background page (briefings are made per settings)
    limiter: RateLimiter  # per token
    address_limiter: RateLimiter  # per address, for requests without a token (5x as many)
    join_limiter: RateLimiter  # joins per address: a class's worth at once, then 2 a second
    public_base: str | None  # the address students use, when it differs from the request's


def _form(body: bytes) -> dict[str, str]:
    """A URL-encoded form as single values (the first of repeated fields)."""
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise UsageError("the form could not be read") from None
    return {k: v[0] for k, v in fields.items()}


def create_app(
    store: Store,
    scenario: Scenario,
    instructor_token: str,
    *,
    rate: float = 20.0,
    burst: float = 60.0,
    tick_seconds: float = 1.0,
    public_base: str | None = None,
) -> Any:
    """The Starlette application serving ``store``'s sessions of ``scenario``.

    ``instructor_token`` opens the instructor's pages (kept only as a hash).
    A background thread closes stages whose time is up every ``tick_seconds``.
    ``public_base`` is the address students use (with ``--public``, the machine's
    address on the network), for the join link and QR code.
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from sim.classroom.debrief import count
    from sim.classroom.document import to_html
    from sim.classroom.handouts import background, term_title

    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["count"] = count
    environment.filters["term"] = lambda name: term_title(scenario, name).lower()
    context = _Context(
        store,
        scenario,
        token_hash(instructor_token),
        environment,
        to_html(background(scenario)),
        RateLimiter(rate, burst),
        RateLimiter(5 * rate, 5 * burst),
        RateLimiter(2.0, 150),
        public_base,
    )
    view = _Views(context)

    def guarded(handler: Callable[..., Response], method: str = "GET") -> Callable[..., Any]:
        async def endpoint(request: Request) -> Any:
            key = request.cookies.get(STUDENT_COOKIE) or request.cookies.get(INSTRUCTOR_COOKIE)
            hashed = token_hash(key) if key else ""
            if hashed and (hashed == context.instructor_hash or view.known(hashed)):
                allowed = context.limiter.allow(hashed)
            else:  # no valid token: by address (a whole class may join from behind one)
                address = request.client.host if request.client else "?"
                allowed = context.address_limiter.allow(address)
            if not allowed:
                return _headers(HTMLResponse("Too many requests; slow down.", status_code=429))
            body = b""
            if method == "POST":
                origin = request.headers.get("origin")
                if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
                    return _headers(HTMLResponse("Cross-origin request refused.", 403))
                declared = request.headers.get("content-length")
                if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
                    return _headers(HTMLResponse("Request too large.", status_code=413))
                async for chunk in request.stream():
                    body += chunk
                    if len(body) > MAX_BODY:
                        return _headers(HTMLResponse("Request too large.", status_code=413))
            from starlette.concurrency import run_in_threadpool

            try:
                response = await run_in_threadpool(handler, request, body)
            except InputError as error:
                response = view.message(str(error), 400, back=_back(request))
            return _headers(response)

        return endpoint

    routes = [
        Route("/", guarded(view.home)),
        Route("/join", guarded(view.join, "POST"), methods=["POST"]),
        Route("/play", guarded(view.play)),
        Route("/play/order", guarded(view.order, "POST"), methods=["POST"]),
        Route("/play/version", guarded(view.student_version)),
        Route("/background", guarded(view.background)),
        Route("/briefing", guarded(view.briefing)),
        Route("/instructor/login", guarded(view.login)),
        Route("/instructor", guarded(view.instructor)),
        Route("/instructor/sessions", guarded(view.create, "POST"), methods=["POST"]),
        Route("/instructor/session/{sid}", guarded(view.dashboard)),
        Route("/instructor/session/{sid}/version", guarded(view.session_version)),
        Route("/instructor/session/{sid}/projector", guarded(view.projector)),
        Route("/instructor/session/{sid}/debrief", guarded(view.debrief)),
        Route("/instructor/session/{sid}/debrief.pdf", guarded(view.debrief_pdf)),
        Route("/instructor/session/{sid}/log", guarded(view.event_log)),
        Route("/instructor/session/{sid}/moves.csv", guarded(view.moves_csv)),
        Route("/instructor/session/{sid}/anonymised.csv", guarded(view.anonymised_csv)),
        Route("/instructor/briefing/{role}", guarded(view.any_briefing)),
        Route(
            "/instructor/session/{sid}/{action}",
            guarded(view.act, "POST"),
            methods=["POST"],
        ),
        Route("/healthz", lambda request: JSONResponse({"ok": True})),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    stop = threading.Event()

    def ticker() -> None:
        """Close the stages whose time is up; one failure must not stop the clock."""
        while not stop.wait(tick_seconds):
            with store.lock:
                due = [
                    sid
                    for sid, session in list(store.sessions.items())
                    if not session.ended and session.open_plays()
                ]
            for sid in due:
                try:
                    store.run(sid, lambda c: c.tick(time.time()))
                except Exception as error:  # e.g. the database locked by a backup: retry
                    print(f"sim classroom: closing stages failed ({error})", file=sys.stderr)

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: Any) -> Any:
        thread = threading.Thread(target=ticker, name="sim-classroom-ticker", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.context = context
    return app


def _headers(response: Any) -> Any:
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    return response


class _ForbiddenError(Exception):
    """A page that needs the instructor's token was asked for without it."""


def _for_instructor(
    handler: Callable[[Any, Any, Session, bytes], Any],
) -> Callable[[Any, Any, bytes], Any]:
    """A page of one session for the instructor: 403 without the instructor's token."""

    def page(self: Any, request: Any, body: bytes) -> Any:
        try:
            session = self.session_of(request)
        except _ForbiddenError:
            return self.message("Instructors only.", 403, back="/instructor")
        return handler(self, request, session, body)

    return page


class _Views:
    """The pages: each takes the request and its (already capped) body."""

    def __init__(self, context: _Context) -> None:
        self.c = context
        self.briefings: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = {}

    # ------------------------------------------------------------------ helpers
    def render(self, template: str, status: int = 200, **values: Any) -> Any:
        from starlette.responses import HTMLResponse

        page = self.c.templates.get_template(template).render(scenario=self.c.scenario, **values)
        return HTMLResponse(page, status_code=status)

    def message(self, text: str, status: int, back: str = "/") -> Any:
        return self.render("message.html", status=status, message=text, back=back)

    def redirect(self, url: str) -> Any:
        from starlette.responses import RedirectResponse

        return RedirectResponse(url, status_code=303)

    def known(self, hashed: str) -> bool:
        """Whether a token hash belongs to a student (so that made-up cookies count as none)."""
        return any(hashed in session.tokens for session in list(self.c.store.sessions.values()))

    def student(self, request: Any) -> tuple[Classroom, Participant] | None:
        token = request.cookies.get(STUDENT_COOKIE)
        if not token:
            return None
        wanted = token_hash(token)
        for sid, session in list(self.c.store.sessions.items()):
            if wanted in session.tokens:
                classroom = self.c.store.classrooms[sid]
                return classroom, session.participants[session.tokens[wanted]]
        return None

    def is_instructor(self, request: Any) -> bool:
        token = request.cookies.get(INSTRUCTOR_COOKIE, "")
        return hmac.compare_digest(token_hash(token), self.c.instructor_hash)

    def session_of(self, request: Any) -> Session:
        if not self.is_instructor(request):
            raise _ForbiddenError()
        sid = request.path_params["sid"]
        if sid not in self.c.store.sessions:
            raise UsageError("no such session")
        return self.c.store.sessions[sid]

    def world_view(self, session: Session, play: Play | None) -> dict[str, Any]:
        """A world's current play in words, for templates."""
        from sim.report.narrate import action_phrase

        scenario = self.c.scenario
        if play is None:
            return {"history": [], "stage": [], "result": None}
        history = [
            {
                "text": action_phrase(scenario, scenario.move(h["move"]), h["action"]),
                "by": h["by"],
            }
            for h in play.history
        ]
        stage = [
            {
                "move": name,
                "role": scenario.move(name).player,
                "in": name in play.orders,
            }
            for name in play.stage
        ]
        return {"history": history, "stage": stage, "result": play.result, "play": play}

    # ------------------------------------------------------------------ students
    def home(self, request: Any, body: bytes) -> Any:
        if self.student(request) is not None:
            return self.redirect("/play")
        code = request.query_params.get("code", "")[:12]
        return self.render("join.html", code=code, error="")

    def join(self, request: Any, body: bytes) -> Any:
        from starlette.responses import HTMLResponse

        address = request.client.host if request.client else "?"
        if not self.c.join_limiter.allow(address):
            return HTMLResponse("Too many joins from this address; wait a moment.", 429)
        form = _form(body)
        classroom = self.c.store.by_code(form.get("code", ""))
        if classroom is None:
            return self.render(
                "join.html", status=400, code=form.get("code", "")[:12],
                error="No open session has that code.",
            )  # fmt: skip
        try:
            _, token = self.c.store.run(
                classroom.session.id, lambda c: c.join(form.get("pseudonym", ""))
            )
        except InputError as error:
            return self.render(
                "join.html", status=400, code=classroom.session.code, error=str(error)
            )
        response = self.redirect("/play")
        response.set_cookie(
            STUDENT_COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600
        )
        return response

    def play(self, request: Any, body: bytes) -> Any:
        found = self.student(request)
        if found is None:
            return self.redirect("/")
        classroom, me = found
        session = classroom.session
        play = session.current(me.world)
        view = self.world_view(session, play)
        scenario = self.c.scenario
        mine = [
            scenario.move(name)
            for name in (play.stage if play else ())
            if scenario.move(name).player == me.role and name not in play.orders  # type: ignore[union-attr]
        ]
        team = [p.pseudonym for p in session.members(me.world, me.role)]
        past = [
            p for (w, r), p in sorted(session.plays.items()) if w == me.world and r < session.round
        ]
        return self.render(
            "play.html",
            me=me,
            role=_role_name(scenario, me.role),
            team=team,
            session=session,
            view=view,
            mine=mine,
            past=past,
            names={p.id: p.name for p in scenario.players},
            changes=[
                (name, value, scenario.parameters[name].description)
                for name, value in (play.settings if play else {}).items()
            ],
        )

    def order(self, request: Any, body: bytes) -> Any:
        found = self.student(request)
        if found is None:
            return self.redirect("/")
        classroom, me = found
        form = _form(body)
        session = classroom.session
        if form.get("round") != str(session.round):
            raise UsageError("that order was for an earlier round; see the current one")
        self.c.store.run(
            session.id,
            lambda c: c.submit(me, form.get("move", ""), form.get("action", ""), time.time()),
        )
        return self.redirect("/play")

    def student_version(self, request: Any, body: bytes) -> Any:
        from starlette.responses import JSONResponse

        found = self.student(request)
        if found is None:
            return JSONResponse({"error": "not joined"}, status_code=403)
        return JSONResponse({"version": found[0].session.version})

    def background(self, request: Any, body: bytes) -> Any:
        from starlette.responses import HTMLResponse

        if self.student(request) is None and not self.is_instructor(request):
            return self.redirect("/")
        return HTMLResponse(self.c.background)

    def briefing(self, request: Any, body: bytes) -> Any:
        from starlette.responses import HTMLResponse

        found = self.student(request)
        if found is None:
            return self.redirect("/")
        classroom, me = found
        play = classroom.session.current(me.world)
        settings = play.settings if play is not None else classroom.session.settings
        return HTMLResponse(self.briefing_page(me.role, settings))

    def briefing_page(self, role: str, settings: Mapping[str, Any]) -> str:
        """A role's briefing at the parameter values in play (cached)."""
        from sim.classroom.document import to_html
        from sim.classroom.handouts import briefing

        key = (role, tuple(sorted(settings.items())))
        if key not in self.briefings:
            self.briefings[key] = to_html(briefing(self.c.scenario, role, settings=settings))
        return self.briefings[key]

    # ------------------------------------------------------------------ instructor
    def login(self, request: Any, body: bytes) -> Any:
        token = request.query_params.get("token", "")
        if not hmac.compare_digest(token_hash(token), self.c.instructor_hash):
            return self.message("That instructor link is not valid.", 403)
        response = self.redirect("/instructor")
        response.set_cookie(
            INSTRUCTOR_COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600
        )
        return response

    def instructor(self, request: Any, body: bytes) -> Any:
        if not self.is_instructor(request):
            return self.message("Instructors only: open the link the server printed.", 403)
        sessions = sorted(self.c.store.sessions.values(), key=lambda s: -s.created)
        return self.render("instructor.html", sessions=sessions)

    def create(self, request: Any, body: bytes) -> Any:
        if not self.is_instructor(request):
            return self.message("Instructors only.", 403)
        form = _form(body)
        try:
            worlds = int(form.get("worlds", "1"))
            lam = float(form.get("lam", "1"))
            seconds_text = form.get("stage_seconds", "180").strip()
            seconds = float(seconds_text) if seconds_text else None
        except ValueError:
            raise UsageError("worlds, lambda and stage time must be numbers") from None
        classroom = self.c.store.create(
            worlds=worlds,
            bots=form.get("bots", "equilibrium"),
            lam=lam,
            stage_seconds=seconds,
            seating=form.get("seating", "in order"),
        )
        return self.redirect(f"/instructor/session/{classroom.session.id}")

    @_for_instructor
    def dashboard(self, request: Any, session: Session, body: bytes) -> Any:
        join_url, qr = _join_address(self.c.public_base or str(request.base_url), session)
        worlds = []
        for world in range(session.worlds):
            play = session.current(world)
            worlds.append(
                {
                    "number": world + 1,
                    "members": {
                        role: [p.pseudonym for p in session.members(world, role)]
                        for role in session.roles
                    },
                    "view": self.world_view(session, play),
                }
            )
        parameters = [name for name, p in self.c.scenario.parameters.items() if not p.derived]
        students = sorted(
            (p for p in list(session.participants.values()) if not p.removed),
            key=lambda p: (p.world, session.roles.index(p.role), p.pseudonym.casefold()),
        )
        return self.render(
            "session.html",
            session=session,
            students=students,
            join_url=join_url,
            qr=qr,
            worlds=worlds,
            parameters=parameters,
            names={p.id: p.name for p in self.c.scenario.players},
            now=time.time(),
        )

    def session_version(self, request: Any, body: bytes) -> Any:
        from starlette.responses import JSONResponse

        try:
            session = self.session_of(request)
        except _ForbiddenError:
            return JSONResponse({"error": "instructors only"}, status_code=403)
        return JSONResponse({"version": session.version})

    @_for_instructor
    def act(self, request: Any, session: Session, body: bytes) -> Any:
        action = request.path_params["action"]
        form = _form(body)
        now = time.time()
        commands: dict[str, Callable[[Classroom], Any]] = {
            "start": lambda c: c.start_round(now),
            "pause": lambda c: c.pause(),
            "resume": lambda c: c.resume(now),
            "extend": lambda c: c.extend(60),
            "close": lambda c: c.close_stages(now),
            "end": lambda c: c.end(),
            "parameter": lambda c: c.change_parameter(form.get("name", ""), form.get("value", "")),
            "move": lambda c: c.move(
                form.get("participant", ""), _integer(form.get("world", "")) - 1,
                form.get("role", ""),
            ),
            "remove": lambda c: c.remove(form.get("participant", "")),
        }  # fmt: skip
        if action not in commands:
            return self.message(f"No action {action!r}.", 404)
        self.c.store.run(session.id, commands[action])
        return self.redirect(f"/instructor/session/{session.id}")

    @_for_instructor
    def projector(self, request: Any, session: Session, body: bytes) -> Any:
        from sim.classroom.debrief import outcome_counts

        join_url, qr = _join_address(self.c.public_base or str(request.base_url), session)
        submitted = sum(len(p.orders) for p in session.open_plays())
        waiting = sum(len(p.stage) - len(p.orders) for p in session.open_plays())
        return self.render(
            "projector.html",
            session=session,
            submitted=submitted,
            waiting=waiting,
            finished=sum(
                1 for p in list(session.plays.values()) if p.round == session.round and p.finished
            ),
            counts=outcome_counts(self.c.scenario, session, session.round),
            join_url=join_url,
            qr=qr,
        )

    @_for_instructor
    def debrief(self, request: Any, session: Session, body: bytes) -> Any:
        from starlette.responses import HTMLResponse

        from sim.classroom.debrief import debrief_document
        from sim.classroom.document import to_html

        classroom = self.c.store.classrooms[session.id]
        what_if = self._what_if(request)
        page = to_html(debrief_document(classroom, what_if))
        query = (
            "?" + urlencode({"name": next(iter(what_if)), "value": next(iter(what_if.values()))})
            if what_if
            else ""
        )
        options = "".join(
            f'<option value="{name}">{name}</option>'
            for name, parameter in self.c.scenario.parameters.items()
            if not parameter.derived
        )  # parameter names are identifiers: nothing to escape
        tools = (
            f'<form class="screen-only" method="get"><a href="/instructor/session/{session.id}'
            f'/debrief.pdf{html.escape(query)}">Download as PDF</a> \u00b7 What if '
            f'<select name="name" aria-label="parameter">{options}</select> were '
            '<input name="value" size="6" aria-label="value" required> '
            '<button type="submit">Show</button></form>'
        )
        return HTMLResponse(page.replace("</h1>", "</h1>\n" + tools, 1))

    @_for_instructor
    def debrief_pdf(self, request: Any, session: Session, body: bytes) -> Any:
        import tempfile

        from starlette.responses import Response

        from sim.classroom.debrief import debrief_document
        from sim.classroom.document import write_pdf

        document = debrief_document(self.c.store.classrooms[session.id], self._what_if(request))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "debrief.pdf"
            write_pdf(document, path)
            data = path.read_bytes()
        return Response(
            data,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="debrief-{session.code}.pdf"'},
        )

    @_for_instructor
    def event_log(self, request: Any, session: Session, body: bytes) -> Any:
        from starlette.responses import HTMLResponse

        from sim.classroom.debrief import event_log_document
        from sim.classroom.document import to_html

        return HTMLResponse(to_html(event_log_document(self.c.scenario, session)))

    @staticmethod
    def _what_if(request: Any) -> dict[str, str]:
        name = request.query_params.get("name", "")[:64]
        return {name: request.query_params.get("value", "")[:64]} if name else {}

    @_for_instructor
    def moves_csv(self, request: Any, session: Session, body: bytes) -> Any:
        return self._csv(session, anonymised=False)

    @_for_instructor
    def anonymised_csv(self, request: Any, session: Session, body: bytes) -> Any:
        return self._csv(session, anonymised=True)

    def _csv(self, session: Session, anonymised: bool) -> Any:
        from starlette.responses import Response

        from sim.classroom.debrief import moves_table

        text = moves_table(self.c.scenario, session, anonymised=anonymised)
        name = "anonymised" if anonymised else "moves"
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}-{session.code}.csv"'},
        )

    def any_briefing(self, request: Any, body: bytes) -> Any:
        from starlette.responses import HTMLResponse

        if not self.is_instructor(request):
            return self.message("Instructors only.", 403)
        role = request.path_params["role"]
        if role not in self.c.scenario.player_ids:
            return self.message("No such role.", 404, back="/instructor")
        return HTMLResponse(self.briefing_page(role, {}))


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"expected a whole number; got {text[:20]!r}") from None


def _join_address(base: str, session: Session) -> tuple[str, str]:
    """The address students open to join, and its QR code as an image URI."""
    import segno

    url = f"{base.rstrip('/')}/?code={session.code}"
    return url, segno.make(url, error="m").svg_data_uri(scale=5, border=2)


def _back(request: Any) -> str:
    """Where an error page should send its reader: their session, their page, or home."""
    parts = request.url.path.split("/")
    if parts[1:3] == ["instructor", "session"] and len(parts) > 3:
        return f"/instructor/session/{parts[3]}"
    if parts[1:2] == ["instructor"]:
        return "/instructor"
    return "/play" if request.cookies.get(STUDENT_COOKIE) else "/"


def _role_name(scenario: Scenario, role: str) -> str:
    return next(p.name for p in scenario.players if p.id == role)
