"""The Sanic application factory: one app per settings, services attached at start."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from collections.abc import Mapping

import orjson
from sanic import Request, Sanic
from sanic.response import HTTPResponse
from sanic_ext import Config as ExtConfig
from sanic_ext.extensions.openapi.extension import OpenAPIExtension

from console import errors as console_errors
from console.mount import mount as mount_console
from core.auth.sessions import SessionService
from core.cases import audit_keys
from core.cases.calendar import load_calendar, refresh_calendar
from core.cases.context import CaseContext
from core.clock import SystemClock
from core.db import close_db, init_db
from core.feedback import privacy as feedback_privacy
from core.feedback.hub import BoardHub
from core.identity.realname import RealnameService
from core.logs import configure_logs
from core.pii import PiiCipher
from core.ports import Clock, IdentityVerifier, LicenceRegistry
from core.privacy import sections as core_sections
from core.privacy.registry import PersonalData
from core.settings import Settings
from integrations.licences.sandbox import SandboxLicenceRegistry
from integrations.wiring import open_platforms
from miniapp_api import boundary, docs, errors, metrics, observe
from miniapp_api.body import row_id
from miniapp_api.context import Services
from miniapp_api.headers import install_security_headers
from miniapp_api.routes import (
    access_log,
    agents,
    applications,
    auth,
    bundles,
    campaigns,
    exams,
    items,
    me,
    ops,
    shipments,
    staff,
    topics,
    uploads,
)
from miniapp_api.routes import bot as bot_routes
from miniapp_api.routes import feedback as feedback_routes
from miniapp_api.routes import notifications as notification_routes
from miniapp_api.routes import public as public_routes
from miniapp_api.routes import warnings as warning_routes
from miniapp_api.server import App
from notifications import privacy as notification_privacy
from notifications.feedback import FeedbackNotifier
from notifications.templates import load_registry
from notifications.worker_jobs import make_chooser, make_sink

_names = itertools.count()


class _RoutesOnly(OpenAPIExtension):  # type: ignore[no-untyped-call]
    """Sanic-ext's route list without its pages (``miniapp_api.docs`` serves /docs)."""

    name = "citysvcdocs"

    def label(self) -> str:
        return "/docs"


# Chinese text as UTF-8, not \uXXXX escapes: a third smaller and readable in any log
def _dumps(body: object) -> bytes:
    """Answers as compact UTF-8 JSON (Chinese text stays readable); orjson is ~5x json.dumps."""
    return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)


async def _handle_error(request: Request, exc: Exception) -> HTTPResponse:
    """The contract's JSON error, or under /console a page for people."""
    if console_errors.is_console(request):
        return await console_errors.handle(request, exc)
    return await errors.handle(request, exc)


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    name: str | None = None,
    licences: LicenceRegistry | None = None,
    verifiers: Mapping[str, IdentityVerifier] | None = None,
) -> App:
    """Build the HTTP app. The database and platform clients open in ``before_server_start``.

    ``verifiers`` replaces the real-name providers by platform (tests, demo: the sandbox);
    by default each configured platform gets its real provider and nothing else.
    """
    app = Sanic(name or f"citysvc{next(_names) or ''}", dumps=_dumps)
    # After Sanic() has configured its handlers: every log line is masked (ID, phone, token),
    # stamped with its request's id, and written as LOG_FORMAT says.
    configure_logs(settings.ops.log_format)
    # row ids in paths: a number the database can hold, so 10**30 is a 404 and not an overflow
    app.router.register_pattern("id", row_id, r"^[1-9][0-9]{0,17}$")
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.REQUEST_MAX_SIZE = 12 * 1024 * 1024
    # Only the OpenAPI document: the dependency-injection extension (unused here) hooks every
    # request and cost a third of a trivial route's time.
    app.extend(
        extensions=[_RoutesOnly],
        built_in_extensions=False,
        config=ExtConfig(
            oas=True,
            # the routes and summaries only: miniapp_api.docs serves the completed document
            # at /docs/openapi.json and its own page at /docs (no CDN)
            oas_ui_default=None,
            oas_ui_redoc=False,
            oas_ui_swagger=False,
            oas_url_prefix="/docs/sanic",
            health=False,
            cors=False,
            http_auto_trace=False,
            http_auto_options=False,
        ),
    )
    app.ext.openapi.describe(
        "citysvc API",
        version="1",
        description="Mini-program, staff, webhook and bot endpoints of the city-service "
        "backend.\n\n" + errors.described(),
    )
    app.error_handler.add(Exception, _handle_error)
    install_security_headers(app, https=settings.public_base_url.startswith("https://"))
    boundary.install(app)
    for bp in (
        ops.bp,
        auth.bp,
        me.bp,
        items.bp,
        uploads.bp,
        applications.bp,
        bundles.bp,
        agents.bp,
        exams.bp,
        staff.bp,
    ):
        app.blueprint(bp)
    app.blueprint(shipments.bp)
    app.blueprint(notification_routes.bp)
    app.blueprint(bot_routes.bp)
    app.blueprint(warning_routes.bp)
    app.blueprint(topics.bp)
    app.blueprint(campaigns.bp)
    app.blueprint(metrics.bp)
    observe.install(app)
    app.blueprint(feedback_routes.citizen_bp)
    app.blueprint(feedback_routes.staff_bp)
    app.blueprint(public_routes.bp)
    app.blueprint(access_log.bp)
    app.blueprint(docs.blueprint())
    mount_console(app)  # the staff console's pages at /console/ (not in the API document)
    # read and checked now: a bad templates file stops the server before it serves
    app.ctx.notify_registry = load_registry(settings.notify.templates_file)
    _attach_services(
        app, settings, clock or SystemClock(), licences or SandboxLicenceRegistry(), verifiers
    )
    return app


def personal_data() -> PersonalData:
    """Every feature's holding of personal data: the export's sections and the erasers of
    account closure (``core/privacy``). A feature that keeps personal data adds itself here."""
    registry = PersonalData()
    core_sections.register(registry)
    notification_privacy.register(registry)
    feedback_privacy.register(registry)
    return registry


def _attach_services(
    app: App,
    settings: Settings,
    clock: Clock,
    licences: LicenceRegistry,
    verifiers: Mapping[str, IdentityVerifier] | None,
) -> None:
    @app.before_server_start
    async def open_services(app: App) -> None:
        await init_db(settings.database_url)
        audit_keys.configure(audit_keys.audit_keys(settings.secret_key, settings.audit_key))
        cipher = PiiCipher.from_env_value(
            settings.pii_key, settings.pii_old_keys, settings.staff_security.pii_cipher
        )
        platforms = open_platforms(settings)
        app.ctx.services = Services(
            settings=settings,
            clock=clock,
            platforms=platforms,
            sessions=SessionService(
                settings.secret_key,
                settings.session_ttl,
                clock,
                staff_idle=settings.staff_security.idle_minutes * 60,
            ),
            cipher=cipher,
            cases=CaseContext(
                clock,
                await load_calendar(),
                cipher,
                licences,
                sink=make_sink(app.ctx.notify_registry, platforms),
            ),
            realname=RealnameService(
                clock, cipher, platforms.verifiers() if verifiers is None else verifiers
            ),
            personal_data=personal_data(),
        )

        app.ctx.feedback_notifier = FeedbackNotifier(
            make_chooser(app.ctx.notify_registry, platforms)
        )

    @app.after_server_start
    async def start_refreshing(app: App) -> None:
        logging.getLogger("citysvc.api").info("serving (process %d)", os.getpid())
        app.ctx.calendar_task = asyncio.create_task(_refresh_calendar(app.ctx.services))
        app.ctx.board_hub = BoardHub(poll=settings.ratings.board_poll)
        app.ctx.board_hub.start()

    @app.before_server_stop
    async def stop_refreshing(app: App) -> None:
        app.ctx.calendar_task.cancel()
        await app.ctx.board_hub.stop()  # open board streams end now, not at the timeout

    @app.after_server_stop
    async def close_services(app: App) -> None:
        await app.ctx.services.platforms.close()
        await close_db()


async def _refresh_calendar(services: Services, every: float = 60.0) -> None:
    """Administrators' working-day overrides reach running servers within ``every`` seconds."""
    while True:
        await asyncio.sleep(every)
        try:
            await refresh_calendar(services.cases.calendar)
        except Exception:  # the database may be briefly away; keep the calendar we have
            logging.getLogger("citysvc.api").warning("calendar refresh failed", exc_info=True)
