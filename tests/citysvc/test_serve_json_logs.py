"""LOG_FORMAT=json under `citysvc serve`: one object a line, with the request id, masked."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from tests import harness
from tests.citysvc.processes import answers, citysvc_env, citysvc_process, free_port, wait_for


def test_every_line_is_json_with_request_ids_and_no_id_numbers(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'db.sqlite3'}"
    harness.migrate_with_cli(url)
    env = citysvc_env(url, LOG_FORMAT="json")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with citysvc_process(env, "serve", "--port", str(port), log=log):
        wait_for(lambda: answers(base + "/healthz"))
        request = urllib.request.Request(
            base + "/api/v1/applications/320102199001011234", headers={"X-Request-ID": "j-1"}
        )
        try:
            urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as refused:
            assert refused.code == 401 and refused.headers["X-Request-ID"] == "j-1"
        wait_for(lambda: "j-1" in log.read_text())
    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert "320102199001011234" not in text
    [access] = [line for line in lines if line["request_id"] == "j-1"]
    assert access["logger"] == "citysvc.access" and access["time"].endswith("+08:00")
    assert access["message"].startswith("GET /api/v1/applications/3201**********1234 401 ")
