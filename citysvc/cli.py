"""The `citysvc` command: parse arguments, then hand over to one function per command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections.abc import Coroutine, MutableMapping, Sequence
from typing import Any

from core.errors import SettingsError
from core.settings import Settings, environment


def _settings() -> Settings:
    environment().setdefault("TZ", "Asia/Shanghai")
    time.tzset()  # the Alipay SDK and our logs read local time: it must be China Standard Time
    return Settings.from_env(environment())


def cmd_migrate(args: argparse.Namespace) -> int:
    from core.db import migrate
    from core.settings import database_url

    # migrating needs only the database: no secrets, so operators can run it first
    asyncio.run(migrate(database_url()))
    print("database schema is up to date")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    # before anything imports prometheus_client: it picks its storage at import
    if not environment().get("PROMETHEUS_MULTIPROC_DIR"):
        environment()["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="citysvc-metrics-")
    from citysvc.serve import serve

    return serve(_settings(), args.host, args.port, args.workers)


def cmd_worker(args: argparse.Namespace) -> int:
    from citysvc.worker import check_workers, run_worker
    from core.logs import TEXT_FORMAT, configure_logs

    settings = _settings()
    if args.check:
        return run_loop(check_workers(settings))
    # the worker has no Sanic to set up logging: say what it does, with PII masked
    logging.basicConfig(level=logging.INFO, format=TEXT_FORMAT)
    configure_logs(settings.ops.log_format, root=True)
    return run_loop(run_worker(settings))


def run_loop(main: Coroutine[Any, Any, int]) -> int:
    """Run on uvloop where it is installed, as `citysvc serve` (Sanic) does: the worker's
    sends spent a third of its time in asyncio's pure-Python transport."""
    try:
        import uvloop
    except ImportError:  # not on every platform: asyncio's own loop works the same
        return asyncio.run(main)
    return uvloop.run(main)


def cmd_demo(args: argparse.Namespace) -> int:
    from citysvc.demo import run_demo

    environment().setdefault("TZ", "Asia/Shanghai")
    time.tzset()
    return run_loop(run_demo(args.host, args.port))


def cmd_staff_add(args: argparse.Namespace) -> int:
    from citysvc.staff_cmd import run_add

    return run_add(args.username, args.role, args.department, args.citizen)


def cmd_staff_link(args: argparse.Namespace) -> int:
    from citysvc.staff_cmd import run_link

    return run_link(args.username, args.citizen_id)


def cmd_staff_reset_otp(args: argparse.Namespace) -> int:
    from citysvc.staff_cmd import run_reset_otp

    return run_reset_otp(args.username)


def cmd_audit(args: argparse.Namespace) -> int:
    from citysvc.audit_cmd import run_anchor, run_verify

    if args.action == "anchor":
        return run_anchor(args.out)
    return run_verify(args.anchor)


def cmd_bundles(args: argparse.Namespace) -> int:
    from citysvc.bundles_cmd import run_bundles_import

    return run_bundles_import(args.file)


def cmd_policies(args: argparse.Namespace) -> int:
    from citysvc.bundles_cmd import run_policies_import

    return run_policies_import(args.file)


def cmd_catalogue(args: argparse.Namespace) -> int:
    from citysvc.catalogue_cmd import run_import

    return run_import(args.file)


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from citysvc.keys_cmd import run_rotate

    return run_rotate(args.batch_size)


def cmd_exams_import(args: argparse.Namespace) -> int:
    from citysvc.exams_cmd import run_import

    return run_import(args.exam, args.file, args.release_at, args.topic)


def cmd_calendar(args: argparse.Namespace) -> int:
    from citysvc.calendar_cmd import run

    return run(args.action, args.day, args.kind, args.note)


def cmd_feedback(args: argparse.Namespace) -> int:
    from citysvc.feedback_cmd import run_export

    return run_export(args.date, args.out)


def cmd_kb(args: argparse.Namespace) -> int:
    from citysvc.kb_cmd import run_kb_import

    return run_kb_import(args.file)


def cmd_robots(args: argparse.Namespace) -> int:
    from citysvc.kb_cmd import run_robots_list, run_robots_set

    if args.action == "list":
        return run_robots_list()
    if not args.department:
        print("citysvc robots set: DEPARTMENT is required", file=sys.stderr)
        return 2
    return run_robots_set(args.department, args.key)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citysvc", description="City-service backend.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=cmd_serve)
    worker = sub.add_parser("worker", help="dispatcher and schedulers")
    worker.add_argument(
        "--check", action="store_true", help="exit 0 when a worker is alive (its heartbeat)"
    )
    worker.set_defaults(run=cmd_worker)
    sub.add_parser("migrate", help="bring the schema up to date").set_defaults(run=cmd_migrate)
    demo = sub.add_parser("demo", help="everything in one process with sandboxes and demo data")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(run=cmd_demo)
    _add_pending(sub)
    _add_bot(sub)
    return parser


def _add_bot(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kb = sub.add_parser("kb", help="the Official Account bot's knowledge base")
    kb.add_argument("action", choices=["import"])
    kb.add_argument("file")
    kb.set_defaults(run=cmd_kb)
    robots = sub.add_parser("robots", help="WeCom group robot keys per department")
    robots.add_argument("action", choices=["set", "list"])
    robots.add_argument("department", nargs="?")
    robots.add_argument("key", nargs="?", help="omit to read it from standard input (safer)")
    robots.set_defaults(run=cmd_robots)


def _add_staff(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    staff = sub.add_parser("staff", help="staff accounts")
    actions = staff.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create an account; the password from standard input")
    add.add_argument("username")
    add.add_argument("--role", required=True)
    add.add_argument("--department")
    add.add_argument(
        "--citizen", metavar="CITIZEN_ID", help="the member's own citizen account (test sends)"
    )
    add.set_defaults(run=cmd_staff_add)
    link = actions.add_parser(
        "link", help="link a member to their own citizen account (campaign test messages)"
    )
    link.add_argument("username")
    link.add_argument("citizen_id", metavar="CITIZEN_ID", help="the id GET /api/v1/me shows")
    link.set_defaults(run=cmd_staff_link)
    reset = actions.add_parser(
        "reset-otp", help="(re-)enrol a member for two-factor sign-in; prints the otpauth:// URI"
    )
    reset.add_argument("username")
    reset.set_defaults(run=cmd_staff_reset_otp)


def _add_pending(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    catalogue = sub.add_parser("catalogue", help="service catalogue")
    catalogue.add_argument("action", choices=["import"])
    catalogue.add_argument("file")
    catalogue.set_defaults(run=cmd_catalogue)
    bundles = sub.add_parser("bundles", help="one-thing bundles (一件事)")
    bundles.add_argument("action", choices=["import"])
    bundles.add_argument("file")
    bundles.set_defaults(run=cmd_bundles)
    policies = sub.add_parser("policies", help="benefits without applying (免申即享)")
    policies.add_argument("action", choices=["import"])
    policies.add_argument("file")
    policies.set_defaults(run=cmd_policies)
    _add_staff(sub)
    exams = sub.add_parser("exams", help="exam results")
    exams.add_argument("action", choices=["import"])
    exams.add_argument("exam")
    exams.add_argument("file")
    exams.add_argument("--release-at", required=True)
    exams.add_argument(
        "--topic", help="zhongkao, gaokao or vocational_exam (default: the one EXAM names)"
    )
    exams.set_defaults(run=cmd_exams_import)
    audit = sub.add_parser("audit", help="audit trail")
    audit.add_argument("action", choices=["verify", "anchor"])
    audit.add_argument("--anchor", metavar="FILE", help="verify: also check this checkpoint")
    audit.add_argument("--out", metavar="FILE", help="anchor: where to write the checkpoint")
    audit.set_defaults(run=cmd_audit)
    calendar = sub.add_parser("calendar", help="working-day overrides (调休, local closures)")
    calendar.add_argument("action", choices=["set", "list", "recompute"])
    calendar.add_argument("day", nargs="?", help="YYYY-MM-DD")
    calendar.add_argument("kind", nargs="?", choices=["workday", "holiday"])
    calendar.add_argument("--note", default="")
    calendar.set_defaults(run=cmd_calendar)
    feedback = sub.add_parser("feedback", help="ratings and complaints for the province")
    feedback.add_argument("action", choices=["export"])
    feedback.add_argument("--date", help="China date YYYY-MM-DD (default: yesterday)")
    feedback.add_argument("--out", required=True, help="the CSV file to write")
    feedback.set_defaults(run=cmd_feedback)
    keys = sub.add_parser("keys", help="personal-data encryption keys")
    keys.add_argument("action", choices=["rotate"])
    keys.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
    keys.set_defaults(run=cmd_keys_rotate)


# the operator's own commands on the demo's database need the demo's keys, found here
_OWN_KEYS = frozenset({"serve", "worker", "demo", "migrate"})


def use_demo_keys(command: str, environ: MutableMapping[str, str] | None = None) -> bool:
    """On the demo's database (DATABASE_URL unset) with no keys set, take the keys
    `citysvc demo` made (data/demo-secrets.json), so `citysvc exams import` and the like work
    there as they are. Never for the servers, and never when any key or database is set."""
    environ = environment() if environ is None else environ
    names = ("DATABASE_URL", "SECRET_KEY", "PII_KEY")
    if command in _OWN_KEYS or any(environ.get(n) for n in names):
        return False  # decided before importing the demo: the servers start without it
    from citysvc.demo import SECRETS_FILE

    if not SECRETS_FILE.exists():
        return False
    import json

    keys = json.loads(SECRETS_FILE.read_text())
    environ["SECRET_KEY"], environ["PII_KEY"] = keys["SECRET_KEY"], keys["PII_KEY"]
    print(f"citysvc: the demo database, with the demo's keys from {SECRETS_FILE}", file=sys.stderr)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    from tortoise.exceptions import BaseORMException

    args = build_parser().parse_args(argv)
    use_demo_keys(args.command)
    try:
        code: int = args.run(args)
    except SettingsError as exc:
        print(f"citysvc: {exc}", file=sys.stderr)
        return 2
    except (BaseORMException, OSError) as exc:  # every command's database, in one place
        url = environment().get("DATABASE_URL") or "the default SQLite file"
        print(
            f"citysvc {args.command}: database ({url.split('://')[0]}): {exc} "
            "(is DATABASE_URL right, and has `citysvc migrate` been run?)",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
