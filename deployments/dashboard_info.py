"""Print where the Ray dashboard, the API and the web page will be, before `hienfeld serve` serves.

Why this exists: Ray 2.60 switches token authentication on for a cluster that `ray.init()` starts
itself, which is what `hienfeld serve` (`serve run` of serve_config.yaml) does on a machine without
a running cluster (ray/_private/worker.py calls `enable_token_auth_by_default()`, which sets
RAY_AUTH_MODE=token unless it is already set, and a token is written to ~/.ray/auth_token if none
exists). The dashboard then opens with an "Authentication Token Required" dialog and HTTP calls to
it answer 401 without `Authorization: Bearer <token>`. Operators kept asking where that token is;
these few lines say it, say how to run without auth on a trusted machine, and say where the app
itself answers.

It deliberately imports neither `ray` nor `ray.serve` (slow, and it must not touch a cluster),
starts nothing, and never fails: any error only shortens the message. Ray's own facts it repeats
(checked in the installed Ray 2.60 source):
- RAY_AUTH_MODE (`token` | `disabled`): ray/_private/authentication/authentication_token_setup.py
- token sources, highest first: RAY_AUTH_TOKEN, the file in RAY_AUTH_TOKEN_PATH, ~/.ray/auth_token
  (ray/exceptions.py AuthenticationError text; the C++ loader's log lines in ray/_raylet.so)
- the dashboard's default port 8265 (ray/_private/ray_constants.py DEFAULT_DASHBOARD_PORT); when
  `ray.init()` starts the dashboard on the default port and 8265 is busy, Ray tries the next ports
  (ray/_private/services.py), so the URL `serve run` logs is the authoritative one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hienfeld.config import packaged_config

DEFAULT_DASHBOARD_PORT = 8265
DEFAULT_HTTP = ("127.0.0.1", 8000)
CONFIG_FILE = packaged_config("serve_config.yaml")


def _dashboard_port() -> tuple[int, str]:
    """(port, note). Ray does not read RAY_DASHBOARD_PORT; it only tells this message which port a
    cluster started with `ray start --head --dashboard-port ...` uses."""
    raw = os.environ.get("RAY_DASHBOARD_PORT", "").strip()
    if raw.isdigit():
        return int(raw), " (from RAY_DASHBOARD_PORT)"
    return DEFAULT_DASHBOARD_PORT, " (default; when it is busy Ray takes the next free port: `serve run` logs the URL)"


def _http_address(config_file: Path) -> tuple[str, int]:
    """The Serve config's http_options, else Serve's defaults used by this project."""
    try:
        import yaml  # installed with the project; only needed for the exact port

        options = (yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}).get("http_options") or {}
        host = str(options.get("host") or DEFAULT_HTTP[0])
        port = int(options.get("port") or DEFAULT_HTTP[1])
    except Exception:
        return DEFAULT_HTTP
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"  # listening on every interface; this machine reaches it here
    return host, port


def _token_source() -> tuple[str, str]:
    """(where the token is, a shell expression that yields it), in Ray's order of precedence."""
    if os.environ.get("RAY_AUTH_TOKEN"):
        return "the RAY_AUTH_TOKEN environment variable", "$RAY_AUTH_TOKEN"
    path = os.environ.get("RAY_AUTH_TOKEN_PATH")
    if path:
        return f"{path} (RAY_AUTH_TOKEN_PATH)", f"$(cat {path})"
    default = Path.home() / ".ray" / "auth_token"
    state = "exists" if default.is_file() else "Ray creates it on the first start"
    return f"{default} ({state})", "$(cat ~/.ray/auth_token)"


def lines(config_file: Path = CONFIG_FILE) -> list[str]:
    port, port_note = _dashboard_port()
    dashboard = f"http://127.0.0.1:{port}"
    host, http_port = _http_address(config_file)
    app = f"http://{host}:{http_port}"
    mode = os.environ.get("RAY_AUTH_MODE", "").strip().lower()
    out = [f"Ray dashboard: {dashboard}{port_note}"]
    if mode == "disabled":
        out.append("  Token auth is off (RAY_AUTH_MODE=disabled): no token needed.")
    else:
        if mode == "token":
            out.append("  Token auth is on (RAY_AUTH_MODE=token).")
        else:
            out.append("  Token auth: on for a cluster `serve run` starts itself (Ray 2.60 default); a cluster from "
                       "`ray start --head` has it when RAY_AUTH_MODE=token or a token already existed.")
        where, expr = _token_source()
        out.append(f"  Token: {where}; print it with `ray get-auth-token` (the ray of this environment).")
        out.append("  Browser: the dashboard asks for the token once (it keeps it in a cookie for 30 days).")
        out.append(f"  curl:    curl -H \"Authorization: Bearer {expr}\" {dashboard}/api/serve/applications/")
        out.append("  Without auth, on a trusted single-user machine only: RAY_AUTH_MODE=disabled hienfeld serve")
    out.append(f"Web page: {app}/   API health: {app}/api/health   (readiness: {app}/api/health/ready)")
    if os.environ.get("RAY_ADDRESS"):
        out.append(f"Note: RAY_ADDRESS={os.environ['RAY_ADDRESS']} is set: `serve run` joins that cluster, whose own "
                   "dashboard and auth settings apply.")
    return out


def main(config_file: Path = CONFIG_FILE) -> int:
    try:
        text = "\n".join(lines(config_file))
    except Exception:  # never in the way of `hienfeld serve`
        text = (f"Ray dashboard: http://127.0.0.1:{DEFAULT_DASHBOARD_PORT} (token: ~/.ray/auth_token)\n"
                f"Web page: http://{DEFAULT_HTTP[0]}:{DEFAULT_HTTP[1]}/")
    try:
        print(text, flush=True)
    except Exception:  # closed or broken stdout
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
