"""The deployment files under deploy/ are checked with the real tools where this machine has
them (systemd-analyze, nginx -t) and by their structure where it has none (no Docker engine)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
CITYSVC = Path(sys.executable).with_name("citysvc")


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found is None:
        pytest.skip(f"{name} is not installed here")
    return found


@pytest.mark.parametrize("unit", ["citysvc-api.service", "citysvc-worker.service"])
def test_systemd_units_verify(unit: str, tmp_path: Path) -> None:
    text = (DEPLOY / "systemd" / unit).read_text()
    assert "/opt/citysvc/.venv/bin/citysvc" in text
    # verified as installed: the binary where this checkout has it, the service user root's
    copy = tmp_path / unit
    copy.write_text(
        text.replace("/opt/citysvc/.venv/bin/citysvc", str(CITYSVC))
        .replace("User=citysvc", "User=root")
        .replace("Group=citysvc", "Group=root")
    )
    result = subprocess.run(
        [tool("systemd-analyze"), "verify", str(copy)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "KillSignal=SIGTERM" in text and "EnvironmentFile=/etc/citysvc/citysvc.env" in text


def test_a_broken_unit_fails_the_same_check(tmp_path: Path) -> None:
    broken = tmp_path / "broken.service"
    broken.write_text("[Service]\nExecStart=citysvc-not-a-path serve\n")
    result = subprocess.run(
        [tool("systemd-analyze"), "verify", str(broken)], capture_output=True, text=True
    )
    assert result.returncode != 0


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        [
            tool("openssl"),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=citysvc.test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    site = (DEPLOY / "nginx" / "citysvc.conf").read_text()
    site = site.replace("/etc/citysvc/tls/fullchain.pem", str(cert))
    site = site.replace("/etc/citysvc/tls/privkey.pem", str(key))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/body; "
        f"include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run(
        [tool("nginx"), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    stream = re.search(r"location = /api/v1/public/board/stream \{(.*?)\}", site, re.S)
    assert stream and "proxy_buffering off;" in stream.group(1)
    assert "client_max_body_size 12m;" in site
    # the client address is set by the proxy, never appended to what the caller sent
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site


def test_dockerfile_copies_what_exists_and_runs_unprivileged() -> None:
    lines = (DEPLOY / "Dockerfile").read_text().splitlines()
    copies = [
        line.split()[1] for line in lines if line.startswith("COPY ") and "--from" not in line
    ]
    assert copies == ["requirements.lock", "wheelhouse/"]  # `make wheelhouse` builds the second
    assert (ROOT / "requirements.lock").exists()
    assert "--no-index" in "\n".join(lines)  # nothing from an index: the air-gapped build
    final = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")) :]
    assert any(line.startswith("USER citysvc") for line in final)
    assert any("--require-hashes" in line for line in lines)
    assert any(line.startswith("HEALTHCHECK") for line in final)


def test_compose_file_is_complete_and_names_only_known_settings() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "api", "worker"}
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["worker"]["command"] == ["citysvc", "worker"]
    env = services["api"]["environment"]
    assert env["SECRET_KEY"] == "${SECRET_KEY:?}"  # a secret is required, never defaulted
    known = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PII_KEY", "PUBLIC_BASE_URL", "TZ"}
    assert set(env) <= known
    # the environment it passes is one the server accepts
    resolved = {key: value for key, value in env.items() if "${" not in value}
    resolved.update(SECRET_KEY="s" * 40, PII_KEY="cCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCc=")
    resolved["DATABASE_URL"] = "postgres://citysvc:pw@postgres:5432/citysvc"
    Settings.from_env(resolved)
