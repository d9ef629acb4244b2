"""Several machines on one: kill hosts in the middle of the work, then count.

Builds hosts in network namespaces joined by a bridge (each with its own address):
``db`` (PostgreSQL and Redis), ``api1`` and ``api2`` (`citysvc serve --workers 2`), ``w1`` and
``w2`` (`citysvc worker`). The WeChat sandbox runs here, on the bridge. Citizens log in, give
consent, subscribe to a topic and file cases through both API hosts; a clerk works the cases
and two publicity users run a campaign. Midway it kills -9 every process of ``api1`` and of
``w1``, restarts PostgreSQL and restarts Redis, and the work goes on through ``api2``. Then:

* lost: a request answered 2xx whose effect is not in the database (case status, campaign);
* undelivered: a message that should have gone (consent held) and did not reach the sandbox;
* duplicates: a message the sandbox received twice, against the bound of sends that were in
  flight at the kills (``NOTIFY_CONCURRENCY`` per killed worker and per database restart);
* stuck: rows still leased (``sending``) once the lease time has passed.

Run as root (namespaces), from the project root: ``sudo .venv/bin/python scripts/multihost.py``
(``make multihost``). Exits 0 when nothing is lost, undelivered or stuck and the duplicates
stay within the bound. Traffic goes only to this machine's own namespaces.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import glob
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from integrations.wechat.sandbox import WeChatSandbox  # noqa: E402
from notifications.templates import DEFAULT_FILE, load_registry  # noqa: E402

NET = "10.231.77"
BRIDGE = "csvcbr0"
HOSTS = {"db": 10, "api1": 11, "api2": 12, "w1": 21, "w2": 22}
APPID, APPSECRET = "wxmultihost00001", "multihost-secret"
DEPARTMENT, ITEM = "MH", "321012-000-MH-00001"
LEASE_SECONDS = 10
CONCURRENCY = 16
PASSWORD = "multihost-password-1"
TAPS = 6
REDIS_PASSWORD = "multihost-redis-password"


def sh(*args: str, check: bool = True, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=check, text=True, capture_output=True, **kw)


def ns(host: str) -> str:
    return f"csvc-{host}"


def addr(host: str) -> str:
    return f"{NET}.{HOSTS[host]}"


def pg_bin(name: str) -> str:
    return sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))[-1]


# -- the network -------------------------------------------------------------------------


def network_up() -> None:
    network_down()
    sh("ip", "link", "add", BRIDGE, "type", "bridge")
    sh("ip", "addr", "add", f"{NET}.1/24", "dev", BRIDGE)
    sh("ip", "link", "set", BRIDGE, "up")
    for host in HOSTS:
        sh("ip", "netns", "add", ns(host))
        outside = f"csvc{host}0"
        sh("ip", "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns(host))
        sh("ip", "link", "set", outside, "master", BRIDGE, "up")
        sh("ip", "-n", ns(host), "addr", "add", f"{addr(host)}/24", "dev", "eth0")
        sh("ip", "-n", ns(host), "link", "set", "eth0", "up")
        sh("ip", "-n", ns(host), "link", "set", "lo", "up")


def network_down() -> None:
    for host in HOSTS:
        kill_host(host)
        sh("ip", "netns", "del", ns(host), check=False)
        sh("ip", "link", "del", f"csvc{host}0", check=False)  # a pair left by a half-made run
    sh("ip", "link", "del", BRIDGE, check=False)


def kill_host(host: str) -> int:
    """kill -9 every process of the host: as abrupt as pulling its power cable."""
    pids = sh("ip", "netns", "pids", ns(host), check=False).stdout.split()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid), 9)
    return len(pids)


# -- the database host ----------------------------------------------------------------------


@dataclass
class DbHost:
    work: Path

    @property
    def data(self) -> Path:
        return self.work / "pgdata"

    def pg(self, *args: str) -> None:
        sh("ip", "netns", "exec", ns("db"), "runuser", "-u", "postgres", "--", *args)

    def start_postgres(self) -> None:
        if not (self.data / "PG_VERSION").exists():
            self.data.mkdir(parents=True)
            shutil.chown(self.data, "postgres")
            self.pg(pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust")
            with (self.data / "pg_hba.conf").open("a") as hba:
                hba.write(f"host all all {NET}.0/24 trust\n")
        opts = (
            f"-c listen_addresses={addr('db')} -p 5432 -k /tmp -c fsync=off -c max_connections=300"
        )
        self.pg(
            pg_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.data / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
            "-o",
            opts,
        )

    def restart_postgres(self) -> None:
        self.pg(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.start_postgres()

    def start_redis(self) -> None:
        sh(
            "ip",
            "netns",
            "exec",
            ns("db"),
            "redis-server",
            "--bind",
            addr("db"),
            "--port",
            "6379",
            "--requirepass",
            REDIS_PASSWORD,
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--logfile",
            str(self.work / "redis.log"),
        )
        wait(lambda: self.redis_cli("ping").stdout.strip() == "PONG")

    def redis_cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return sh(
            "redis-cli",
            "-h",
            addr("db"),
            "-a",
            REDIS_PASSWORD,
            "--no-auth-warning",
            *args,
            check=False,
        )

    def restart_redis(self) -> None:
        self.redis_cli("shutdown", "nosave")
        self.start_redis()


def wait(condition: Any, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {condition}")
        time.sleep(0.2)


# -- the citysvc hosts ------------------------------------------------------------------------


def citysvc_env(wechat_base: str) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=f"postgres://postgres@{addr('db')}:5432/postgres",
        REDIS_URL=f"redis://:{REDIS_PASSWORD}@{addr('db')}:6379/0",
        SECRET_KEY="multihost-secret-key-" + "m" * 32,
        PII_KEY=base64.b64encode(b"m" * 32).decode(),
        WECHAT_MINIAPP_APPID=APPID,
        WECHAT_MINIAPP_SECRET=APPSECRET,
        WECHAT_API_BASE=wechat_base,
        NOTIFY_LEASE_SECONDS=str(LEASE_SECONDS),
        NOTIFY_CONCURRENCY=str(CONCURRENCY),
        PLATFORM_TIMEOUT_SECONDS="5",
        TZ="Asia/Shanghai",
    )


def citysvc(host: str, env: dict[str, str], *args: str, log: Path, stdin: str = "") -> None:
    with log.open("ab") as out:
        subprocess.run(
            ["ip", "netns", "exec", ns(host), sys.executable, "-m", "citysvc", *args],
            env=env,
            input=stdin.encode(),
            stdout=out,
            stderr=out,
            check=True,
        )


def start(host: str, env: dict[str, str], *args: str, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    return subprocess.Popen(
        ["ip", "netns", "exec", ns(host), sys.executable, "-m", "citysvc", *args],
        env=env,
        stdout=out,
        stderr=out,
    )


# -- the traffic --------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the driver was told: the effects that must be in the database at the end."""

    case_status: dict[str, str] = field(default_factory=dict)  # number -> last 200 action's state
    refused: Counter[str] = field(default_factory=Counter)  # answers that were not 2xx
    citizens: dict[str, str] = field(default_factory=dict)  # openid -> token


class Driver:
    def __init__(self, http: aiohttp.ClientSession, sandbox: WeChatSandbox, tally: Tally) -> None:
        self.http, self.sandbox, self.tally = http, sandbox, tally
        self.apis = [f"http://{addr('api1')}:8000", f"http://{addr('api2')}:8000"]
        self.alive = [True, True]
        self.turn = 0

    def base(self) -> str:
        self.turn += 1
        live = [url for url, up in zip(self.apis, self.alive, strict=True) if up]
        return live[self.turn % len(live)]

    async def call(
        self, method: str, path: str, token: str | None = None, **kw: Any
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            async with self.http.request(
                method,
                self.base() + path,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=15),
                **kw,
            ) as resp:
                body = await resp.json() if resp.content_type == "application/json" else None
                if resp.status >= 300:
                    self.tally.refused[f"{resp.status}"] += 1
                return resp.status, body
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.tally.refused[type(exc).__name__] += 1
            return 0, None

    async def until_ok(self, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
        """Setup steps (not counted): retried until they pass."""
        for _ in range(60):
            status, body = await self.call(method, path, token, **kw)
            if 200 <= status < 300:
                return body
            await asyncio.sleep(0.5)
        raise SystemExit(f"{method} {path} never succeeded")

    async def citizen(self, i: int, templates: dict[str, bool]) -> str:
        """Log in, tap consent for every template (a tap holds at most 5 ids of one kind),
        follow the gaokao topic."""
        openid = f"mh-openid-{i:05d}"
        code = self.sandbox.issue_code(APPID, openid=openid)
        token = str(
            (await self.until_ok("POST", "/api/v1/auth/wechat", json={"code": code}))["token"]
        )
        for long_term in (False, True):
            ids = [t for t, kind in templates.items() if kind == long_term]
            for start in range(0, len(ids), 5):
                tap = {"platform": "wechat", "accepted": ids[start : start + 5], "rejected": []}
                for _ in range(1 if long_term else TAPS):  # a tap a milestone
                    await self.until_ok("POST", "/api/v1/consents", token, json=tap)
        for template, long_term in templates.items():
            self.sandbox.grant_consent(openid, template, TAPS, long_term)
        await self.until_ok("PUT", "/api/v1/topics/gaokao/subscription", token)
        self.tally.citizens[openid] = token
        return token

    async def file(self, token: str) -> str:
        form = aiohttp.FormData()
        form.add_field(
            "file", b"%PDF-1.4\n%multihost\n", filename="a.pdf", content_type="application/pdf"
        )
        file_id = (await self.until_ok("POST", "/api/v1/uploads", token, data=form))["file_id"]
        body = {
            "item_code": ITEM,
            "form": {},
            "materials": [{"name": "申请表", "file_id": file_id}],
            "delivery": {"method": "pickup"},
        }
        number = str(
            (await self.until_ok("POST", "/api/v1/applications", token, json=body))["number"]
        )
        self.tally.case_status[number] = "submitted"
        return number

    async def act(self, clerk: str, number: str, action: str, to: str) -> None:
        path = f"/api/v1/staff/applications/{number}"
        body = {"action": action, "note": "多机演练"}
        status, _ = await self.call("POST", path + "/actions", clerk, json=body)
        if status == 200:
            self.tally.case_status[number] = to
        elif status == 409:  # an earlier try went through but its answer was cut off: look
            status, case = await self.call("GET", path, clerk)
            if status == 200:
                self.tally.case_status[number] = case["status"]


ACTIONS = [
    ("accept", "accepted"),
    ("start_review", "under_review"),
    ("approve", "approved"),
    ("hand_over", "collected"),
]


async def work_cases(driver: Driver, clerk: str, numbers: list[str], stop: asyncio.Event) -> None:
    """The clerk moves every case a step at a time, again and again, until told to stop."""
    while not stop.is_set():
        pending = [n for n in numbers if driver.tally.case_status[n] != "collected"]
        if not pending:
            return
        for number in pending:
            state = driver.tally.case_status[number]
            step = {"submitted": 0, "accepted": 1, "under_review": 2, "approved": 3}[state]
            await driver.act(clerk, number, *ACTIONS[step])
            await asyncio.sleep(0.01)


async def scrape_outbox(http: aiohttp.ClientSession, api: str, series: list[str]) -> None:
    """Every 2 s: the queued and sending messages as /metrics of a surviving API host says."""
    while True:
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with http.get(api + "/metrics", timeout=aiohttp.ClientTimeout(total=5)) as resp:
                text = await resp.text()
            waiting = sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith("citysvc_outbox_messages{")
                and ('status="queued"' in line or 'status="sending"' in line)
            )
            series.append(f"{waiting:.0f}")
        await asyncio.sleep(2)


# -- the count ----------------------------------------------------------------------------------


async def count(url: str, sandbox: WeChatSandbox, tally: Tally, bound: int) -> bool:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT number, status FROM application")
        stored = {row["number"]: row["status"] for row in rows}
        lost = [n for n, status in tally.case_status.items() if stored.get(n) != status]
        outbox = Counter(
            (row["status"]) for row in await conn.fetch("SELECT status FROM notify_outbox")
        )
        stuck = await conn.fetchval("SELECT COUNT(*) FROM notify_outbox WHERE status = 'sending'")
        campaign = await conn.fetchrow("SELECT status FROM campaign ORDER BY id DESC LIMIT 1")
        errors = await conn.fetch(
            "SELECT last_error, COUNT(*) AS n FROM notify_outbox WHERE status = 'failed' "
            "GROUP BY last_error ORDER BY n DESC LIMIT 3"
        )
    finally:
        await conn.close()
    keys = Counter(
        json.dumps([m["touser"], m["template_id"], m["data"]], sort_keys=True) for m in sandbox.sent
    )
    duplicates = sum(n - 1 for n in keys.values() if n > 1)
    undelivered = outbox["queued"] + outbox["sending"] + outbox["failed"]
    print(f"requests refused or cut off during the faults: {dict(tally.refused)}")
    print(
        f"cases: {len(tally.case_status)}; "
        f"accepted actions whose effect is missing (lost): {len(lost)}"
    )
    print(f"outbox rows by status: {dict(outbox)}; sandbox received {len(sandbox.sent)} messages")
    print(
        f"undelivered: {undelivered}; duplicates: {duplicates} (bound: {bound}); "
        f"stuck leases: {stuck}"
    )
    print(f"campaign: {campaign['status'] if campaign else 'none'}")
    for row in errors:
        print(f"  failed: {row['n']} x {row['last_error']}")
    return not lost and not undelivered and not stuck and duplicates <= bound


async def drained(url: str) -> bool:
    conn = await asyncpg.connect(url)
    try:
        left = await conn.fetchval(
            "SELECT COUNT(*) FROM notify_outbox WHERE status IN ('queued', 'sending')"
        )
        running = await conn.fetchval(
            "SELECT COUNT(*) FROM campaign WHERE status IN ('scheduled', 'running')"
        )
    finally:
        await conn.close()
    return bool(left == 0 and running == 0)


# -- the run --------------------------------------------------------------------------------------


async def run(citizens: int, work: Path) -> bool:
    db = DbHost(work)
    db.start_postgres()
    db.start_redis()
    async with WeChatSandbox(host=f"{NET}.1") as sandbox:
        sandbox.add_app(APPID, APPSECRET)
        registry = load_registry(DEFAULT_FILE)
        kinds: dict[str, bool] = {}  # template id -> long-term
        for template in registry.templates.values():  # the platform knows our templates
            if template.platform == "wechat":
                keys = [key for key, _ in template.data]
                sandbox.add_template(template.template_id, keys, long_term=template.long_term)
                kinds[template.template_id] = template.long_term
        env = citysvc_env(sandbox.base_url)
        log = work / "citysvc.log"
        citysvc("db", env, "migrate", log=log)
        catalogue = work / "items.json"
        catalogue.write_text(
            json.dumps(
                [
                    {
                        "code": ITEM,
                        "name": "多机演练事项",
                        "department": DEPARTMENT,
                        "kind": "行政确认",
                        "audience": "personal",
                        "conditions": "无",
                        "materials": [{"name": "申请表", "required": True}],
                        "process": ["受理", "审查", "决定"],
                        "legal_days": 20,
                        "promised_days": 5,
                        "fee": None,
                        "no_visit": True,
                        "delivery": ["pickup"],
                    }
                ],
                ensure_ascii=False,
            )
        )
        citysvc("db", env, "catalogue", "import", str(catalogue), log=log)
        for name, role, dept in (
            ("clerk1", "clerk", DEPARTMENT),
            ("pub1", "publicity", None),
            ("pub2", "publicity", None),
        ):
            citysvc(
                "db",
                env,
                "staff",
                "add",
                name,
                "--role",
                role,
                *(["--department", dept] if dept else []),
                log=log,
                stdin=PASSWORD + "\n",
            )
        servers = {
            h: start(
                h,
                env,
                "serve",
                "--host",
                addr(h),
                "--port",
                "8000",
                "--workers",
                "2",
                log=work / f"{h}.log",
            )
            for h in ("api1", "api2")
        }
        workers = {h: start(h, env, "worker", log=work / f"{h}.log") for h in ("w1", "w2")}
        tally = Tally()
        async with aiohttp.ClientSession() as http:
            driver = Driver(http, sandbox, tally)
            for api in driver.apis:
                await wait_async(http, api + "/readyz")
            listed = await driver.until_ok("GET", "/api/v1/notification-templates?platform=wechat")
            templates = {t["template_id"]: kinds.get(t["template_id"], False) for t in listed}
            tokens = [await driver.citizen(i, templates) for i in range(citizens)]
            numbers = [await driver.file(token) for token in tokens]
            clerk = await staff(driver, "clerk1")
            pub1, pub2 = await staff(driver, "pub1"), await staff(driver, "pub2")
            campaign = await driver.until_ok(
                "POST",
                "/api/v1/staff/campaigns",
                pub1,
                json={
                    "name": "多机演练",
                    "topic": "gaokao",
                    "title": "高考成绩今日发布",
                    "summary": "点击查询",
                    "page": "pages/exam/score",
                    "send_at": "2026-01-01T08:00:00+08:00",
                    "quiet_hours": {"start": "00:00", "end": "00:01"},
                    "rate_per_second": 50,
                    "audience": {"realname_only": False, "towns": []},
                },
            )
            await driver.until_ok("POST", f"/api/v1/staff/campaigns/{campaign['id']}/approve", pub2)
            series: list[str] = []
            scraping = asyncio.create_task(scrape_outbox(http, driver.apis[1], series))
            stop = asyncio.Event()
            clerking = asyncio.create_task(work_cases(driver, clerk, numbers, stop))
            await asyncio.sleep(3)
            print(f"kill -9 api1: {kill_host('api1')} processes")
            driver.alive[0] = False  # noqa: E702
            await asyncio.sleep(2)
            print(f"kill -9 w1: {kill_host('w1')} processes")
            await asyncio.sleep(2)
            print("restarting PostgreSQL")
            await asyncio.to_thread(db.restart_postgres)  # noqa: E702
            await asyncio.sleep(2)
            print("restarting Redis")
            await asyncio.to_thread(db.restart_redis)  # noqa: E702
            await asyncio.wait_for(clerking, timeout=600)
            url = env["DATABASE_URL"]
            deadline = time.monotonic() + 300
            while not await drained(url) and time.monotonic() < deadline:
                await asyncio.sleep(1)
            await asyncio.sleep(LEASE_SECONDS + 1)  # any lease of the killed worker has expired
            scraping.cancel()
            print("outbox waiting to send, from /metrics every 2 s: " + " ".join(series))
            # in flight at each fault: a killed worker's sends, and every live worker's at a restart
            bound = CONCURRENCY * (1 + 2 * len(workers))
            ok = await count(url, sandbox, tally, bound)
        for proc in (*servers.values(), *workers.values()):
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
    return ok


async def staff(driver: Driver, name: str) -> str:
    body = await driver.until_ok(
        "POST", "/api/v1/staff/login", json={"username": name, "password": PASSWORD}
    )
    return str(body["token"])


async def wait_async(http: aiohttp.ClientSession, url: str) -> None:
    for _ in range(300):
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with http.get(url, timeout=aiohttp.ClientTimeout(total=2)) as resp:
                if resp.status == 200:
                    return
        await asyncio.sleep(0.2)
    raise SystemExit(f"{url} never became ready")


@contextlib.contextmanager
def workdir(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="citysvc-multihost-"))
    os.chmod(path, 0o755)
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)
        else:
            print(f"logs kept in {path}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--citizens", type=int, default=120)
    parser.add_argument("--keep", action="store_true", help="keep the logs and data folder")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("multihost: network namespaces need root", file=sys.stderr)
        return 2
    random.seed(1)
    try:
        network_up()
        with workdir(args.keep) as work:
            ok = asyncio.run(run(args.citizens, work))
    finally:
        network_down()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
