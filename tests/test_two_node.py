"""The server job store on a real two-node Ray cluster on this machine (issue 12).

The test starts its own PostgreSQL (tests/pg_server.py) and its own Ray cluster: a head node
(`ray start --head`) and a second node (`ray start --address=...`) with a custom resource
`worker_node`, each with its own --temp-dir and its own HIENFELD_DATA_DIR (the nodes share no disk).
It deploys serve_config.yaml with the server store (HIENFELD_DATABASE_URL) and the Analyzer placed
on the second node only, then shows:

1. a job uploaded through the head's HTTP proxy completes on the second node with the same result
   rows and report as a single-node run (the session's app, tests/conftest.py);
2. the second node's processes killed mid-job: the job is queued again for its next attempt (or
   completes), never fails or stays `running` (no Analyzer can be placed until the node is back);
3. after a full restart (every process of the cluster killed, a new cluster started, the app
   deployed again), the jobs and the report are still there, and the job queued in step 2
   resumes in the new cluster and completes.

It prints which node ran which replica and the job timings. Ports and processes are its own (GCS
26379, dashboard 28266, HTTP 28100, worker ports 30000-30999): the session's Ray instance is never
touched, and cleanup kills only the processes whose command line names this test's folder (and
their children), never `ray stop`.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import openpyxl
import psutil
import pytest
import yaml
from hienfeld.config import packaged_config
from pg_server import PostgresServer
from service_helpers import ROOT, analyse, distinct_clauses, upload, wait_until

RAY = str(Path(sys.executable).parent / "ray")
GCS_PORT, DASHBOARD_PORT, HTTP_PORT, CLIENT_PORT = 26379, 28266, 28100, 26380
ROOT_PREFIX = "hf2n-"
# per node: dashboard agent http/grpc, runtime env agent, node manager, object manager, metrics, workers
NODE_PORTS = {
    "head": (26390, 26392, 26394, 26396, 26398, 26386, 30000, 30499),
    "worker": (26391, 26393, 26395, 26397, 26399, 26387, 30500, 30999),
}
START_TIMEOUT_S = 120


def _our_processes(marker: str) -> set[psutil.Process]:
    """Processes whose command line names `marker` (this test's folders), and all their children
    (Ray's agents rename themselves `ray::...`)."""
    found: set[psutil.Process] = set()
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if proc.pid != os.getpid() and any(marker in arg for arg in proc.info["cmdline"] or ()):
                found.add(proc)
                found.update(proc.children(recursive=True))
        except psutil.Error:
            continue
    return found


def _kill(marker: str) -> int:
    victims = _our_processes(marker)
    for proc in victims:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(list(victims), timeout=15)
    return len(victims)


class Cluster:
    """A Ray cluster of processes started by `ray start`, all under one folder of its own."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.root, self.env = root, env
        self.nodes: dict[str, Path] = {}
        self.generation = 0

    def _start(self, name: str, args: list[str], data_dir: Path) -> None:
        self.generation += 1
        temp = self.root / f"{name}{self.generation}"
        temp.mkdir(parents=True)
        data_dir.mkdir(parents=True, exist_ok=True)
        agent, agent_grpc, runtime_env, node_manager, object_manager, metrics, low, high = NODE_PORTS[name]
        command = [RAY, "start", *args, f"--temp-dir={temp}", f"--dashboard-agent-listen-port={agent}",
                   f"--dashboard-agent-grpc-port={agent_grpc}", f"--runtime-env-agent-port={runtime_env}",
                   f"--node-manager-port={node_manager}", f"--object-manager-port={object_manager}",
                   f"--metrics-export-port={metrics}", f"--min-worker-port={low}", f"--max-worker-port={high}",
                   "--object-store-memory=209715200", "--disable-usage-stats"]  # small objects only
        env = {**self.env, "HIENFELD_DATA_DIR": str(data_dir)}  # no disk shared between the nodes
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=START_TIMEOUT_S,
                                cwd=ROOT)
        assert result.returncode == 0, f"ray start ({name}) failed:\n{result.stdout}\n{result.stderr}"
        self.nodes[name] = temp

    def start_head(self) -> None:
        self._start("head", ["--head", f"--port={GCS_PORT}", f"--dashboard-port={DASHBOARD_PORT}",
                             "--dashboard-host=127.0.0.1", "--include-dashboard=true",
                             f"--ray-client-server-port={CLIENT_PORT}", "--num-cpus=2",
                             '--resources={"head_node": 1}'], self.root / "data-head")

    def start_worker(self) -> None:
        self._start("worker", [f"--address=127.0.0.1:{GCS_PORT}", "--num-cpus=1",
                               '--resources={"worker_node": 1}'], self.root / "data-worker")

    def kill_node(self, name: str) -> int:
        return _kill(str(self.nodes.pop(name)))

    def kill_all(self) -> int:
        self.nodes.clear()
        return _kill(str(self.root))

    def worker_logs_mention(self, text: str) -> list[str]:
        """Serve replica logs of every worker-node generation that contain `text`."""
        logs = {log.resolve() for log in self.root.glob("worker*/session_*/logs/serve/replica_*.log")}
        return sorted(log.name for log in logs if text in log.read_text(errors="replace"))


def _dashboard(path: str, **kwargs) -> httpx.Response:
    return httpx.request(kwargs.pop("method", "GET"), f"http://127.0.0.1:{DASHBOARD_PORT}{path}", timeout=30,
                         **kwargs)


def _config() -> dict:
    """serve_config.yaml for this cluster: its own HTTP port, the Analyzer on the second node only,
    one replica per model deployment (memory: two apps run on this machine during the test)."""
    config = yaml.safe_load(packaged_config("serve_config.yaml").read_text())
    config["http_options"] = {"host": "127.0.0.1", "port": HTTP_PORT}
    for deployment in config["applications"][0]["deployments"]:
        options = deployment.setdefault("ray_actor_options", {})
        if deployment["name"] == "Analyzer":
            options["resources"] = {"worker_node": 0.01}
        if deployment["name"] == "Ingress":
            options["resources"] = {"head_node": 0.01}  # the fault case kills the other node only
        if "autoscaling_config" in deployment:
            deployment["autoscaling_config"].update(min_replicas=1, max_replicas=1)
    return config


def _deploy() -> float:
    before = time.time()
    response = _dashboard("/api/serve/applications/", method="PUT", json=_config())
    assert response.status_code == 200, response.text
    return before


def _app_running(since: float):
    apps = _dashboard("/api/serve/applications/").json()["applications"]
    app = apps.get("hienfeld")
    ok = (app and app["status"] == "RUNNING" and app["last_deployed_time_s"] >= since - 1
          and all(d["status"] == "HEALTHY" and d["replicas"] and all(r["state"] == "RUNNING" for r in d["replicas"])
                  for d in app["deployments"].values()))
    return app if ok else None


def _nodes() -> dict[str, str]:
    """node id -> 'head' / 'second node' (dashboard state API); empty while the dashboard starts."""
    try:
        body = _dashboard("/api/v0/nodes?limit=100").json()
    except (httpx.HTTPError, ValueError):
        return {}
    rows = body["data"]["result"]["result"]
    return {n["node_id"]: ("head" if n.get("is_head_node") else "second node") for n in rows
            if n.get("state") == "ALIVE"}


def _placement(app: dict) -> dict[str, list[str]]:
    nodes = _nodes()
    return {name: [f"{nodes.get(r['node_id'], r['node_id'][:12])} (node {r['node_id'][:12]}, pid {r.get('pid')})"
                   for r in d["replicas"]]
            for name, d in sorted(app["deployments"].items())}


def _timed_job(client: httpx.Client, files: list, timeout_s: float = 180) -> tuple[dict, float]:
    started = time.perf_counter()
    status = analyse(client, files, timeout_s=timeout_s)
    return status, round(time.perf_counter() - started, 2)


def _sheet_values(content: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {name: [tuple(row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames}


def _owner_alive(folder: Path) -> bool:
    try:
        return psutil.pid_exists(int((folder / "owner.pid").read_text()))
    except (OSError, ValueError):
        return False


def _clear_leftovers() -> None:
    """A run interrupted before its cleanup left processes on our ports: end them. A run of this test
    still going in another session (same ports) is waited for, never touched."""
    deadline = time.time() + 300
    for folder in Path(tempfile.gettempdir()).glob(f"{ROOT_PREFIX}*"):
        while _owner_alive(folder) and time.time() < deadline:
            time.sleep(2)
        if not _owner_alive(folder):
            _kill(str(folder))
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def cluster(postgres_server):
    _clear_leftovers()
    root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX))
    (root / "owner.pid").write_text(str(os.getpid()))
    url = postgres_server.create_database("twonode")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAY_", "HIENFELD_"))}
    env.update(RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0", HF_HUB_OFFLINE="1",
               TOKENIZERS_PARALLELISM="false", HIENFELD_DATABASE_URL=url, HIENFELD_STALE_JOB_SECONDS="20",
               PYTHONPATH=str(ROOT))
    cluster = Cluster(root, env)
    cluster.url = url
    try:
        yield cluster
    finally:
        cluster.kill_all()
        shutil.rmtree(root, ignore_errors=True)


def test_two_node_cluster_with_server_store(cluster, client, synth_dir, tmp_path, capsys):
    files = [upload(synth_dir["policies"]), upload(synth_dir["conditions"], "conditions_files"),
             upload(synth_dir["library"], "clause_library_files")]
    evidence: dict = {"store": "PostgreSQL " + cluster.url.rsplit("@", 1)[-1]}
    t0 = time.perf_counter()

    # -- the cluster: head, then the second node; the app deployed -----------------------------------
    cluster.start_head()
    cluster.start_worker()
    wait_until(lambda: len(_nodes()) == 2, timeout_s=60, interval_s=0.5)
    evidence["cluster_started_s"] = round(time.perf_counter() - t0, 1)
    since = _deploy()
    app = wait_until(lambda: _app_running(since), timeout_s=240, interval_s=1)
    evidence["deployed_s"] = round(time.perf_counter() - t0, 1)
    evidence["replicas"] = placement = _placement(app)
    assert all(p.startswith("second node") for p in placement["Analyzer"]), placement
    assert all(p.startswith("head") for p in placement["Ingress"]), placement

    # -- 1. a job through the head's proxy runs on the second node, same result as single-node ------
    # The same job twice on each app (the second run has warm model caches on both), the single-node
    # one on the session's app (tests/conftest.py), while the two-node app stands idle.
    single_runs = [_timed_job(client, files) for _ in range(2)]
    assert all(s["status"] == "completed" for s, _ in single_runs), single_runs
    single_bodies = [client.get(f"/api/results/{s['job_id']}").json() for s, _ in single_runs]
    single_report = client.get(f"/api/report/{single_runs[0][0]['job_id']}").content
    with httpx.Client(base_url=f"http://127.0.0.1:{HTTP_PORT}", timeout=60) as two:
        two_runs = [_timed_job(two, files) for _ in range(2)]
        assert all(s["status"] == "completed" for s, _ in two_runs), two_runs
        job_id = two_runs[0][0]["job_id"]
        bodies = [two.get(f"/api/results/{s['job_id']}").json() for s, _ in two_runs]
        body = bodies[0]
        for label, other in (("single-node", single_bodies[0]), ("single-node repeat", single_bodies[1]),
                             ("two-node repeat", bodies[1])):
            differ = [i for i, (a, b) in enumerate(zip(other["results"], body["results"])) if a != b]
            assert other["results"] == body["results"], (  # the same result rows
                f"{label} differs from the two-node run at rows {differ[:10]} (of {len(body['results'])})")
        report = two.get(f"/api/report/{job_id}")
        assert report.status_code == 200 and report.headers["content-length"] == str(len(report.content))
        assert _sheet_values(report.content) == _sheet_values(single_report)  # the same report
        ran_on = cluster.worker_logs_mention(job_id)
        assert any("Analyzer" in name for name in ran_on), ran_on  # the second node's Analyzer log has it
        def runs(timed, results):
            return [{"wall_s": wall, "timings": b["stats"]["timings"]} for (_, wall), b in zip(timed, results)]
        evidence["job"] = {
            "rows": body["stats"]["total_rows"], "clusters": len(body["results"]),
            "single_node (first, repeat)": runs(single_runs, single_bodies),
            "two_node (first, repeat)": runs(two_runs, bodies), "analyzer_log_on_second_node": ran_on,
        }

        # -- 2. the second node's processes killed mid-job -----------------------------------------
        policy = tmp_path / "groot.csv"
        policy.write_text("Polisnummer;Tekst\n" + "\n".join(
            f"P{i:05d};{text}" for i, text in enumerate(distinct_clauses(3000, seed=12))) + "\n", encoding="utf-8")
        response = two.post("/api/analyze", files=[upload(policy), upload(synth_dir["conditions"],
                                                                          "conditions_files")])
        assert response.status_code == 202, response.text
        victim = response.json()["job_id"]
        wait_until(lambda: two.get(f"/api/status/{victim}").json()["progress"] >= 20, timeout_s=120,
                   interval_s=0.1)
        at_kill = two.get(f"/api/status/{victim}").json()
        killed_at = time.perf_counter()
        killed = cluster.kill_node("worker")
        final = wait_until(lambda: (s := two.get(f"/api/status/{victim}").json())["status"] == "completed"
                           or (s["status"] == "pending" and s["attempt"] == 2) and s, timeout_s=90, interval_s=0.5)
        evidence["fault"] = {"killed_processes": killed, "status_at_kill": at_kill["status"],
                             "progress_at_kill": at_kill["progress"], "status_after": final["status"],
                             "attempt_after": final["attempt"], "message_after": final["status_message"],
                             "after_s": round(time.perf_counter() - killed_at, 1)}
        assert final["progress"] >= at_kill["progress"] and final["error"] is None, final

    # -- 3. a full restart: every process of the cluster gone, a new cluster, the app again ----------
    restart = time.perf_counter()
    evidence["restart"] = {"killed_processes": cluster.kill_all()}
    cluster.start_head()
    cluster.start_worker()
    wait_until(lambda: len(_nodes()) == 2, timeout_s=60, interval_s=0.5)
    _deploy()
    with httpx.Client(base_url=f"http://127.0.0.1:{HTTP_PORT}", timeout=60) as two:
        def answers():
            try:
                return two.get(f"/api/status/{job_id}").status_code == 200
            except httpx.HTTPError:
                return False
        wait_until(answers, timeout_s=180, interval_s=1)  # the new Ingress reads the same database
        evidence["restart"]["ingress_answers_after_s"] = round(time.perf_counter() - restart, 1)
        again = two.get(f"/api/status/{job_id}").json()
        assert again["status"] == "completed" and again["progress"] == 100
        assert two.get(f"/api/results/{job_id}").json()["results"] == body["results"]
        assert _sheet_values(two.get(f"/api/report/{job_id}").content) == _sheet_values(report.content)
        # the job queued again in step 2 resumes here (the new Ingress's sweeper, once it is silent)
        after = wait_until(lambda: (s := two.get(f"/api/status/{victim}").json())["status"] not in
                           ("pending", "running") and s, timeout_s=300, interval_s=1)
        evidence["restart"]["victim"] = {"status": after["status"], "attempt": after["attempt"]}
        assert after["status"] == "completed" and after["attempt"] == final["attempt"], after
    evidence["total_s"] = round(time.perf_counter() - t0, 1)
    with capsys.disabled():
        print("\n[two-node evidence]\n" + json.dumps(evidence, indent=2, ensure_ascii=False))
