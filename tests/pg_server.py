"""A real PostgreSQL server for the tests, started and stopped by them.

The server binaries come from the `pgserver` wheel (PyPI, installed by `make test` through the
`test` extra; no root, no system packages), or from `HIENFELD_PG_BINDIR`, or from a system
installation (`pg_config --bindir`, `/usr/lib/postgresql/*/bin`). `initdb` goes into a fresh temporary
folder, the server listens on 127.0.0.1 at a free port and puts its unix socket in that folder, and
`stop()` ends it and deletes the folder. PostgreSQL refuses to run as root: under root the server
runs as the unprivileged user `nobody` (the folder is handed to it; when the binaries lie where
`nobody` cannot reach them, e.g. a virtualenv under /root, they are copied to a temporary folder).
"""

from __future__ import annotations

import glob
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


def find_bindir() -> Path:
    candidates: list[str] = []
    if os.environ.get("HIENFELD_PG_BINDIR"):
        candidates.append(os.environ["HIENFELD_PG_BINDIR"])
    spec = importlib.util.find_spec("pgserver")  # found without importing it
    if spec and spec.submodule_search_locations:
        candidates += [os.path.join(p, "pginstall", "bin") for p in spec.submodule_search_locations]
    if shutil.which("pg_config"):
        candidates.append(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if folder and os.access(os.path.join(folder, "initdb"), os.X_OK):
            return Path(folder)
    raise RuntimeError("no PostgreSQL server binaries found: `make test` installs the `pgserver` wheel "
                       "(pip install -e '.[test]'), or set HIENFELD_PG_BINDIR to a folder with initdb/pg_ctl")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reachable_bindir(bindir: Path, user: str | None) -> Path:
    """`bindir`, or a copy of its installation that `user` can run (PostgreSQL finds lib/ and share/
    relative to its binaries, so the copy is relocatable)."""
    if user is None:
        return bindir
    try:
        if subprocess.run([str(bindir / "initdb"), "--version"], capture_output=True, user=user,
                          cwd="/").returncode == 0:
            return bindir
    except OSError:  # not reachable for `user`
        pass
    # The wheel's binaries find their libraries at $ORIGIN/../../../pgserver.libs: keep that layout.
    base = bindir.parents[2]
    install = bindir.parent.relative_to(base)
    copy = Path(tempfile.gettempdir()) / f"hienfeld-pgbin-{os.stat(bindir / 'initdb').st_mtime_ns}"
    if not (copy / install / "bin" / "initdb").exists():
        staging = Path(tempfile.mkdtemp(prefix="hienfeld-pgbin-"))
        for part in ("bin", "lib", "share"):
            if (bindir.parent / part).is_dir():
                shutil.copytree(bindir.parent / part, staging / install / part, symlinks=True)
        for libs in base.glob("*.libs"):
            shutil.copytree(libs, staging / libs.name, symlinks=True)
        for folder in [staging, *staging.rglob("*")]:
            if folder.is_dir():
                folder.chmod(0o755)
        try:
            staging.rename(copy)
        except OSError:  # another session made it meanwhile
            shutil.rmtree(staging, ignore_errors=True)
    return copy / install / "bin"


class PostgresServer:
    def __init__(self, port: int | None = None):
        self.bindir = find_bindir()
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="hienfeld-pg-"))
        self.data = self.root / "data"
        self.user = "hienfeld"
        self.run_as = "nobody" if os.geteuid() == 0 else None
        self.bindir = reachable_bindir(self.bindir, self.run_as)
        self.started = False

    def _run(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run([str(self.bindir / args[0]), *args[1:]], capture_output=True, text=True,
                                timeout=timeout, user=self.run_as, cwd=self.root)
        if result.returncode != 0:
            log = (self.root / "server.log").read_text() if (self.root / "server.log").exists() else ""
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr}{result.stdout}\n{log}")

    def start(self) -> PostgresServer:
        if self.run_as:
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            self.root.chmod(0o700)
        self._run("initdb", "-D", str(self.data), "-U", self.user, "-A", "trust", "-E", "UTF8", "--no-sync",
                  "--locale=C")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -F "
                   "-c max_connections=200 -c shared_buffers=32MB")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w",
                  "-t", "60", "start", timeout=90)
        self.started = True
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, prefix: str = "t") -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            if self.started:
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop", timeout=60)
        except Exception:
            self._kill()
        finally:
            self.started = False
            shutil.rmtree(self.root, ignore_errors=True)

    def _kill(self) -> None:
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().split()[0]), 9)
                time.sleep(0.5)
            except (ValueError, ProcessLookupError):
                pass
