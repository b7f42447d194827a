/* Hienfeld clausule-analyse: the analysts' page. Plain JS, no dependencies.
 *
 * Everything that comes from the server or from a file (clause texts, advice, reasons, errors) is
 * written with textContent or as SVG text nodes, never as HTML: clause texts may contain markup.
 */
"use strict";

(function () {
  const POLL_MS = 700;
  const PAGE_SIZE = 200;
  const KEY_STORAGE = "hienfeld.apiKey";
  const SLOTS = {
    policy: {field: "policy_file", types: [".xlsx", ".csv"], multiple: false, label: "Polisexport"},
    conditions: {field: "conditions_files", types: [".pdf", ".docx", ".txt"], multiple: true, label: "Voorwaarden"},
    library: {field: "clause_library_files", types: [".csv", ".xlsx", ".pdf", ".docx", ".txt"], multiple: true,
      label: "Clausulebibliotheek"},
    reference: {field: "reference_file", types: [".xlsx"], multiple: false, label: "Referentierapport"},
  };
  const CONFIDENCE_ORDER = {Hoog: 3, Midden: 2, Laag: 1};
  const HTTP_HINTS = {
    400: "ongeldig verzoek", 401: "niet aangemeld", 403: "geen toegang", 404: "niet gevonden",
    409: "nog niet klaar", 413: "te groot", 415: "bestandstype niet ondersteund", 422: "ongeldige invoer",
    429: "te veel verzoeken", 500: "serverfout", 502: "server niet bereikbaar", 503: "service bezet",
    504: "time-out",
  };

  const state = {
    files: {policy: [], conditions: [], library: [], reference: []},
    jobId: null,
    pollTimer: null,
    polling: false,  // false once a job ended or was cancelled: a status answer still on its way is dropped
    pollFailures: 0,
    results: [],
    sort: {key: "frequency", dir: -1},
    shown: PAGE_SIZE,
    selectedId: null,
    retries: new Set(),  // what to redo once an API key is entered
    previewSeq: 0,
  };

  const $ = (id) => document.getElementById(id);

  function el(tag, props, children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (k === "text") node.textContent = v;
        else if (k === "className") node.className = v;
        else if (k === "dataset") Object.assign(node.dataset, v);
        else node.setAttribute(k, v);
      }
    }
    for (const child of children || []) node.appendChild(child);
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    return node;
  }

  function fmtInt(n) {
    return typeof n === "number" ? n.toLocaleString("nl-NL") : "–";
  }

  // ---- API ------------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
      this.detail = detail;
    }
  }

  function storedKey() {
    try { return sessionStorage.getItem(KEY_STORAGE) || ""; } catch (e) { return ""; }
  }

  function detailText(detail) {
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {  // FastAPI's validation errors: [{loc, msg}, ...]
      return detail.map((d) => {
        if (d && typeof d === "object") {
          const loc = Array.isArray(d.loc) ? d.loc.filter((p) => p !== "body" && p !== "query").join(".") : "";
          return (loc ? loc + ": " : "") + (d.msg || JSON.stringify(d));
        }
        return String(d);
      }).join("; ");
    }
    if (detail == null) return "";
    return JSON.stringify(detail);
  }

  async function readDetail(resp) {
    let text = "";
    try { text = await resp.text(); } catch (e) { /* no body */ }
    try {
      const body = JSON.parse(text);
      if (body && typeof body === "object" && "detail" in body) return detailText(body.detail);
    } catch (e) { /* not JSON */ }
    return text.trim().slice(0, 500) || resp.statusText || "onbekende fout";
  }

  /** fetch with the API key; non-2xx answers become ApiError with the server's detail. */
  async function api(method, path, options) {
    const opts = options || {};
    const headers = {};
    const key = storedKey();
    if (key) headers["X-API-Key"] = key;
    let resp;
    try {
      resp = await fetch(path, {method, headers, body: opts.body, cache: "no-store", credentials: "same-origin"});
    } catch (e) {
      throw new ApiError(0, "de server is niet bereikbaar (" + (e && e.message ? e.message : "netwerkfout") + ")");
    }
    if (!resp.ok) {
      const detail = await readDetail(resp);
      if (resp.status === 401) askForKey(detail, opts.retry);
      throw new ApiError(resp.status, detail);
    }
    return opts.raw ? resp : resp.json();
  }

  // ---- messages -------------------------------------------------------------------------------
  function showAlert(kind, message, status) {
    const box = el("div", {className: "alert alert-" + kind, role: kind === "error" ? "alert" : "status",
      "data-testid": kind === "error" ? "error-alert" : "info-alert"});
    const text = el("p", {className: "alert-text"});
    if (kind === "error") {
      text.appendChild(el("strong", {text: "Fout: "}));
      text.appendChild(document.createTextNode(message));
      if (status) text.appendChild(el("span", {className: "alert-code", text: " (HTTP " + status +
          (HTTP_HINTS[status] ? ", " + HTTP_HINTS[status] : "") + ")"}));
    } else {
      text.textContent = message;
    }
    const close = el("button", {type: "button", className: "alert-close", "aria-label": "Melding sluiten",
      text: "×"});
    close.addEventListener("click", () => box.remove());
    box.appendChild(text);
    box.appendChild(close);
    const alerts = $("alerts");
    alerts.appendChild(box);
    while (alerts.children.length > 4) alerts.firstElementChild.remove();
    if (kind !== "error") setTimeout(() => box.remove(), 6000);
    return box;
  }

  function showError(err) {
    if (err instanceof ApiError) {
      if (err.status === 401) return;  // the key panel says it
      return showAlert("error", err.detail, err.status || undefined);
    }
    return showAlert("error", String(err && err.message ? err.message : err));
  }

  function clearErrors() {
    for (const node of Array.from($("alerts").querySelectorAll(".alert-error"))) node.remove();
  }

  // ---- API key --------------------------------------------------------------------------------
  function askForKey(detail, retry) {
    if (retry) state.retries.add(retry);
    const panel = $("api-key-panel");
    const wasHidden = panel.hidden;
    panel.hidden = false;
    if (storedKey()) {
      showAlert("error", "de opgeslagen API-sleutel wordt niet geaccepteerd (" + detail + ")", 401);
    }
    if (wasHidden) $("api-key-input").focus();
  }

  function setupKeyPanel() {
    $("api-key-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const key = $("api-key-input").value.trim();
      if (!key) return;
      try { sessionStorage.setItem(KEY_STORAGE, key); } catch (e) { /* private mode */ }
      $("api-key-input").value = "";
      $("api-key-panel").hidden = true;
      clearErrors();
      showAlert("info", "API-sleutel opgeslagen voor dit tabblad.");
      const retries = Array.from(state.retries);
      state.retries.clear();
      if (!retries.includes(loadModels)) retries.push(loadModels);
      for (const retry of retries) retry();
    });
    $("api-key-forget").addEventListener("click", () => {
      try { sessionStorage.removeItem(KEY_STORAGE); } catch (e) { /* ignore */ }
      showAlert("info", "API-sleutel verwijderd.");
    });
  }

  // ---- files ----------------------------------------------------------------------------------
  function extOf(name) {
    const i = name.lastIndexOf(".");
    return i < 0 ? "" : name.slice(i).toLowerCase();
  }

  function fmtSize(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(0) + " kB";
    return (bytes / 1024 / 1024).toFixed(1).replace(".", ",") + " MB";
  }

  function addFiles(slot, fileList) {
    const cfg = SLOTS[slot];
    const accepted = [];
    for (const file of Array.from(fileList)) {
      if (!cfg.types.includes(extOf(file.name))) {
        showAlert("error", cfg.label + ": '" + file.name + "' heeft een bestandstype dat hier niet kan; toegestaan: " +
            cfg.types.join(", "));
        continue;
      }
      if (file.size === 0) {
        showAlert("error", cfg.label + ": '" + file.name + "' is leeg");
        continue;
      }
      accepted.push(file);
    }
    if (!accepted.length) return;
    if (cfg.multiple) {
      const names = new Set(state.files[slot].map((f) => f.name));
      for (const f of accepted) if (!names.has(f.name)) state.files[slot].push(f);
    } else {
      state.files[slot] = [accepted[accepted.length - 1]];
    }
    renderFileList(slot);
    if (slot === "policy") previewPolicy();
    updateStartButton();
  }

  function removeFile(slot, index) {
    state.files[slot].splice(index, 1);
    renderFileList(slot);
    if (slot === "policy") {
      state.previewSeq += 1;
      $("preview").hidden = true;
      $("preview-error").hidden = true;
    }
    updateStartButton();
  }

  function renderFileList(slot) {
    const list = $("list-" + slot);
    list.replaceChildren();
    $("drop-" + slot).classList.toggle("has-files", state.files[slot].length > 0);
    state.files[slot].forEach((file, i) => {
      const remove = el("button", {type: "button", className: "file-remove", text: "×",
        "aria-label": file.name + " verwijderen", title: "Verwijderen"});
      remove.addEventListener("click", (ev) => { ev.stopPropagation(); removeFile(slot, i); });
      list.appendChild(el("li", {}, [
        el("span", {className: "file-name", text: file.name, title: file.name}),
        el("span", {className: "file-size muted", text: fmtSize(file.size)}),
        remove,
      ]));
    });
  }

  function setupDropzones() {
    for (const slot of Object.keys(SLOTS)) {
      const zone = $("drop-" + slot);
      const input = $("file-" + slot);
      zone.addEventListener("click", (ev) => {
        if (ev.target.closest(".file-remove")) return;
        input.click();
      });
      zone.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); input.click(); }
      });
      input.addEventListener("click", (ev) => ev.stopPropagation());
      input.addEventListener("change", () => {
        addFiles(slot, input.files);
        input.value = "";  // choosing the same file again fires change again
      });
      zone.addEventListener("dragenter", (ev) => { ev.preventDefault(); zone.classList.add("dragover"); });
      zone.addEventListener("dragover", (ev) => {
        ev.preventDefault();
        ev.dataTransfer.dropEffect = "copy";
        zone.classList.add("dragover");
      });
      zone.addEventListener("dragleave", (ev) => {
        if (!zone.contains(ev.relatedTarget)) zone.classList.remove("dragover");
      });
      zone.addEventListener("drop", (ev) => {
        ev.preventDefault();
        zone.classList.remove("dragover");
        if (ev.dataTransfer && ev.dataTransfer.files.length) addFiles(slot, ev.dataTransfer.files);
      });
    }
    // A file dropped next to a zone must not make the browser open it and leave the page.
    window.addEventListener("dragover", (ev) => ev.preventDefault());
    window.addEventListener("drop", (ev) => ev.preventDefault());
  }

  async function previewPolicy() {
    const file = state.files.policy[0];
    if (!file) return;
    const seq = ++state.previewSeq;
    $("preview").hidden = true;
    const err = $("preview-error");
    err.hidden = false;
    err.className = "muted";
    err.textContent = "Polisexport controleren…";
    const body = new FormData();
    body.append("policy_file", file, file.name);
    try {
      const info = await api("POST", "/api/upload/preview", {body, retry: previewPolicy});
      if (seq !== state.previewSeq) return;
      err.hidden = true;
      $("preview-text-column").textContent = info.text_column || "–";
      $("preview-policy-column").textContent = info.policy_column || "niet gevonden";
      $("preview-row-count").textContent = fmtInt(info.row_count);
      $("preview-columns").textContent = (info.columns || []).join(", ");
      $("preview").hidden = false;
    } catch (e) {
      if (seq !== state.previewSeq) return;
      err.className = "inline-error";
      err.textContent = e instanceof ApiError && e.status === 401
        ? "Voor het controleren is een API-sleutel nodig."
        : "Fout: " + (e.detail || e.message);
      showError(e);
    }
  }

  // ---- settings -------------------------------------------------------------------------------
  function setupSettings() {
    const slider = $("setting-accuracy");
    const show = () => { $("accuracy-value").textContent = slider.value + "%"; };
    slider.addEventListener("input", show);
    show();
  }

  function intSetting(id, label, min, max) {
    const raw = $(id).value.trim();
    const value = Number(raw);
    if (!raw || !Number.isInteger(value) || value < min || value > max) {
      throw new Error(label + " moet een geheel getal van " + min + " tot en met " + max + " zijn (nu: '" +
          raw + "')");
    }
    return value;
  }

  function buildForm() {
    const form = new FormData();
    for (const [slot, cfg] of Object.entries(SLOTS)) {
      for (const file of state.files[slot]) form.append(cfg.field, file, file.name);
    }
    form.append("cluster_accuracy", String(intSetting("setting-accuracy", "Clusternauwkeurigheid", 80, 100)));
    form.append("min_frequency", String(intSetting("setting-min-frequency", "Minimale frequentie", 1, 1000)));
    form.append("window_size", String(intSetting("setting-window-size", "Venstergrootte", 10, 1000)));
    form.append("analysis_mode", $("setting-mode").value);
    form.append("use_window_limit", String($("setting-use-window-limit").checked));
    form.append("use_conditions", String($("setting-use-conditions").checked));
    form.append("use_semantic", String($("setting-use-semantic").checked));
    const instructions = $("setting-instructions").value;
    if (instructions.length > 10000) throw new Error("Eigen instructies zijn langer dan 10.000 tekens");
    form.append("extra_instruction", instructions);
    return form;
  }

  // ---- running a job --------------------------------------------------------------------------
  function updateStartButton() {
    const hasPolicy = state.files.policy.length > 0;
    const busy = !$("cancel-button").hidden;
    $("start-button").disabled = !hasPolicy || busy;
    $("start-hint").textContent = busy ? "De analyse loopt…"
      : hasPolicy ? "Klaar om te starten." : "Kies eerst een polisexport.";
  }

  function setBusy(busy) {
    $("cancel-button").hidden = !busy;
    $("cancel-button").disabled = false;
    updateStartButton();
  }

  function setProgress(pct, message, kind) {
    const value = Math.max(0, Math.min(100, Number(pct) || 0));
    $("progress").hidden = false;
    $("progress").dataset.state = kind || "running";
    $("progress-bar").setAttribute("aria-valuenow", String(value));
    $("progress-fill").style.width = value + "%";
    $("progress-percent").textContent = Math.round(value) + "%";
    $("progress-message").textContent = message;
  }

  async function startAnalysis() {
    clearErrors();
    let form;
    try { form = buildForm(); } catch (e) { showAlert("error", e.message); return; }
    setBusy(true);
    $("cancel-button").disabled = true;  // nothing to cancel until the server gave an id
    $("results").hidden = true;
    setProgress(0, "Bestanden versturen…");
    try {
      const job = await api("POST", "/api/analyze", {body: form, retry: startAnalysis});
      state.jobId = job.job_id;
      $("results").dataset.jobId = job.job_id;
      $("cancel-button").disabled = false;
      setProgress(0, "In de wachtrij…");
      state.pollFailures = 0;
      schedulePoll(0);
    } catch (e) {
      setBusy(false);
      setProgress(0, e.status === 401 ? "API-sleutel nodig" : "Niet gestart", "failed");
      showError(e);
    }
  }

  function schedulePoll(delay) {
    clearTimeout(state.pollTimer);
    state.polling = true;
    state.pollTimer = setTimeout(poll, delay);
  }

  function stopPolling() {
    state.polling = false;
    clearTimeout(state.pollTimer);
    state.pollTimer = null;
  }

  async function poll() {
    const jobId = state.jobId;
    if (!jobId) return;
    let status;
    try {
      status = await api("GET", "/api/status/" + encodeURIComponent(jobId), {retry: () => schedulePoll(0)});
    } catch (e) {
      if (jobId !== state.jobId || !state.polling) return;
      if (e.status === 0 && ++state.pollFailures < 8) {  // a short network hiccup: keep trying
        schedulePoll(POLL_MS * 2);
        return;
      }
      stopPolling();
      if (e.status !== 401) {
        setBusy(false);
        setProgress($("progress-bar").getAttribute("aria-valuenow"), "Status onbekend", "failed");
      }
      showError(e);
      return;
    }
    if (jobId !== state.jobId || !state.polling) return;
    state.pollFailures = 0;
    const st = status.status;
    if (st === "pending" || st === "running") {
      setProgress(status.progress, status.status_message || (st === "pending" ? "In de wachtrij…" : "Bezig…"));
      schedulePoll(POLL_MS);
      return;
    }
    stopPolling();
    setBusy(false);
    if (st === "completed") {
      setProgress(100, status.status_message || "Analyse voltooid!", "done");
      await loadResults(jobId);
      loadModels();
    } else if (st === "cancelled") {
      setProgress(status.progress, status.status_message || "Analyse geannuleerd", "cancelled");
      showAlert("info", "De analyse is geannuleerd.");
    } else {
      setProgress(status.progress, status.status_message || "Analyse mislukt", "failed");
      showAlert("error", "de analyse is mislukt: " + (status.error || "geen reden opgegeven"));
    }
  }

  async function cancelAnalysis() {
    const jobId = state.jobId;
    if (!jobId) return;
    $("cancel-button").disabled = true;
    try {
      const status = await api("POST", "/api/cancel/" + encodeURIComponent(jobId), {retry: cancelAnalysis});
      if (status.status === "cancelled") {
        stopPolling();
        setBusy(false);
        setProgress(status.progress, status.status_message || "Analyse geannuleerd", "cancelled");
        showAlert("info", "De analyse is geannuleerd.");
      }
    } catch (e) {
      $("cancel-button").disabled = false;
      showError(e);
      schedulePoll(0);  // e.g. 409: it just finished; the next poll shows the outcome
    }
  }

  // ---- results --------------------------------------------------------------------------------
  /** The advice codes as the server defines them (hienfeld/advice_codes.py, sent as /static/advice_codes.js):
   * label -> family. */
  const ADVICE_FAMILIES = new Map((window.HIENFELD_ADVICE_CODES || []).map((c) => [c.label, c.family]));

  /** The family of an advice label ("🔄 VERVANGEN" -> "replace"); a custom instruction's own action: "custom". */
  function adviceFamily(code) {
    return ADVICE_FAMILIES.get(String(code || "")) || "custom";
  }

  const FAMILY_COLOURS = {
    remove: "#c62828", replace: "#2e7d32", check: "#e69100", keep: "#1565c0", info: "#757575",
    hygiene: "#7b1fa2", custom: "#00838f",
  };

  function badge(code) {
    return el("span", {className: "badge badge-" + adviceFamily(code), text: code || "–",
      "data-testid": "advice-badge"});
  }

  async function loadResults(jobId) {
    let body;
    try {
      body = await api("GET", "/api/results/" + encodeURIComponent(jobId), {retry: () => loadResults(jobId)});
    } catch (e) {
      showError(e);
      return;
    }
    if (jobId !== state.jobId) return;
    state.results = body.results || [];
    state.shown = PAGE_SIZE;
    state.selectedId = null;
    renderTotals(body.stats || {});
    renderChart((body.stats || {}).advice_distribution || {});
    fillAdviceFilter((body.stats || {}).advice_distribution || {});
    $("table-search").value = "";
    $("results-table").querySelector(".col-status").hidden = !state.results.some((r) => r.action_status);
    renderDetail(null);
    renderTable();
    $("results").hidden = false;
    $("results").dataset.jobId = jobId;
  }

  function renderTotals(stats) {
    $("total-rows").textContent = fmtInt(stats.total_rows);
    $("total-clusters").textContent = fmtInt(stats.unique_clusters);
    const pct = Number(stats.reduction_percentage);
    $("total-reduction").textContent = Number.isFinite(pct)
      ? pct.toLocaleString("nl-NL", {maximumFractionDigits: 1}) + "%" : "–";
    $("total-mode").textContent = stats.analysis_mode === "with_conditions" ? "voorwaarden" : "alleen onderling";
  }

  function renderChart(distribution) {
    const box = $("advice-chart");
    box.replaceChildren();
    const entries = Object.entries(distribution).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (!entries.length) {
      box.appendChild(el("p", {className: "muted", text: "Geen adviezen."}));
      return;
    }
    const width = 760, labelW = 250, countW = 60, barH = 22, gap = 8, top = 4;
    const max = Math.max(...entries.map((e) => e[1]));
    const height = top * 2 + entries.length * (barH + gap) - gap;
    const chart = svg("svg", {viewBox: "0 0 " + width + " " + height, width: "100%", role: "img",
      "aria-label": "Adviesverdeling", "data-testid": "advice-chart-svg", preserveAspectRatio: "xMinYMin meet"});
    chart.style.maxHeight = height * 1.4 + "px";
    entries.forEach(([advice, count], i) => {
      const y = top + i * (barH + gap);
      const barW = Math.max(2, (width - labelW - countW) * count / max);
      const group = svg("g", {class: "bar", tabindex: 0, role: "button", "data-testid": "chart-bar",
        "data-advice": advice, "data-count": count});
      const title = svg("title");
      title.textContent = advice + ": " + count + " clusters (klik om te filteren)";
      const label = svg("text", {x: labelW - 10, y: y + barH / 2, "text-anchor": "end",
        "dominant-baseline": "central", class: "bar-label"});
      label.textContent = advice.length > 34 ? advice.slice(0, 33) + "…" : advice;
      const rect = svg("rect", {x: labelW, y, width: barW, height: barH, rx: 3,
        fill: FAMILY_COLOURS[adviceFamily(advice)]});
      const value = svg("text", {x: labelW + barW + 6, y: y + barH / 2, "dominant-baseline": "central",
        class: "bar-value"});
      value.textContent = String(count);
      group.append(title, label, rect, value);
      const pick = () => {
        $("advice-filter").value = $("advice-filter").value === advice ? "" : advice;
        state.shown = PAGE_SIZE;
        renderTable();
      };
      group.addEventListener("click", pick);
      group.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); pick(); }
      });
      chart.appendChild(group);
    });
    box.appendChild(chart);
  }

  function fillAdviceFilter(distribution) {
    const select = $("advice-filter");
    select.replaceChildren(el("option", {value: "", text: "Alle adviezen"}));
    for (const [advice, count] of Object.entries(distribution).sort((a, b) => a[0].localeCompare(b[0]))) {
      select.appendChild(el("option", {value: advice, text: advice + " (" + count + ")"}));
    }
  }

  function filteredRows() {
    const advice = $("advice-filter").value;
    const terms = $("table-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let rows = state.results;
    if (advice) rows = rows.filter((r) => r.advice_code === advice);
    if (terms.length) {
      rows = rows.filter((r) => {
        const hay = [r.cluster_id, r.cluster_name, r.original_text, r.reason, r.reference_article, r.advice_code,
          r.action_status].filter(Boolean).join(" ").toLowerCase();
        return terms.every((t) => hay.includes(t));
      });
    }
    const {key, dir} = state.sort;
    const value = (r) => key === "confidence" ? (CONFIDENCE_ORDER[r.confidence] || 0) : r[key];
    return rows.slice().sort((a, b) => {
      const va = value(a), vb = value(b);
      let cmp;
      if (typeof va === "number" && typeof vb === "number") cmp = va - vb;
      else cmp = String(va == null ? "" : va).localeCompare(String(vb == null ? "" : vb), "nl", {numeric: true});
      return cmp * dir || String(a.cluster_id).localeCompare(String(b.cluster_id));
    });
  }

  function renderTable() {
    const rows = filteredRows();
    const body = $("results-body");
    const withStatus = !$("results-table").querySelector(".col-status").hidden;
    body.replaceChildren();
    const frag = document.createDocumentFragment();
    for (const r of rows.slice(0, state.shown)) {
      const tr = el("tr", {tabindex: 0, "data-testid": "result-row", "data-cluster-id": r.cluster_id});
      if (r.cluster_id === state.selectedId) tr.classList.add("selected");
      tr.append(
        el("td", {className: "mono", text: r.cluster_id}),
        el("td", {className: "name", text: r.cluster_name || "", title: r.cluster_name || ""}),
        el("td", {className: "num", text: fmtInt(r.frequency)}),
        el("td", {}, [badge(r.advice_code)]),
        el("td", {text: r.confidence || ""}),
        el("td", {className: "article", text: r.reference_article || "", title: r.reference_article || ""}),
      );
      if (withStatus) tr.appendChild(el("td", {text: r.action_status || ""}));
      tr.addEventListener("click", () => selectRow(r, tr));
      tr.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); selectRow(r, tr); }
      });
      frag.appendChild(tr);
    }
    body.appendChild(frag);
    const total = state.results.length;
    $("table-count").textContent = rows.length === total
      ? total + " clusters" : rows.length + " van " + total + " clusters";
    $("table-empty").hidden = rows.length > 0;
    const more = $("show-more");
    more.hidden = rows.length <= state.shown;
    more.textContent = "Meer tonen (" + Math.min(PAGE_SIZE, rows.length - state.shown) + " van " +
        (rows.length - state.shown) + " resterend)";
    for (const th of $("results-table").querySelectorAll("th[data-key]")) {
      const on = th.dataset.key === state.sort.key;
      th.setAttribute("aria-sort", on ? (state.sort.dir > 0 ? "ascending" : "descending") : "none");
    }
    for (const bar of $("advice-chart").querySelectorAll(".bar")) {
      bar.classList.toggle("dimmed", !!$("advice-filter").value && bar.dataset.advice !== $("advice-filter").value);
    }
  }

  function selectRow(r, tr) {
    state.selectedId = r.cluster_id;
    for (const other of $("results-body").querySelectorAll("tr.selected")) other.classList.remove("selected");
    tr.classList.add("selected");
    renderDetail(r);
  }

  function renderDetail(r) {
    $("detail-empty").hidden = !!r;
    $("detail-body").hidden = !r;
    if (!r) return;
    $("detail-title").textContent = r.cluster_id + " — " + (r.cluster_name || "");
    $("detail-advice").replaceChildren(badge(r.advice_code));
    $("detail-frequency").textContent = fmtInt(r.frequency) + (r.frequency === 1 ? " polis" : " polissen");
    $("detail-confidence").textContent = r.confidence || "–";
    $("detail-article").textContent = r.reference_article || "–";
    $("detail-status-row").hidden = !r.action_status;
    $("detail-status").textContent = r.action_status || "";
    $("detail-reason").textContent = r.reason || "–";
    const hasText = !!(r.original_text && r.original_text.trim());
    $("detail-text").textContent = hasText ? r.original_text : "(geen tekst)";
    $("detail-text").classList.toggle("muted", !hasText);
  }

  function setupTable() {
    for (const th of $("results-table").querySelectorAll("th[data-key]")) {
      th.querySelector("button").addEventListener("click", () => {
        const key = th.dataset.key;
        if (state.sort.key === key) state.sort.dir = -state.sort.dir;
        else state.sort = {key, dir: key === "frequency" || key === "confidence" ? -1 : 1};
        renderTable();
      });
    }
    let searchTimer = null;
    $("table-search").addEventListener("input", () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => { state.shown = PAGE_SIZE; renderTable(); }, 120);
    });
    $("advice-filter").addEventListener("change", () => { state.shown = PAGE_SIZE; renderTable(); });
    $("show-more").addEventListener("click", () => { state.shown += PAGE_SIZE; renderTable(); });
  }

  async function downloadReport() {
    const jobId = state.jobId;
    if (!jobId) return;
    const button = $("download-report");
    button.disabled = true;
    try {
      const resp = await api("GET", "/api/report/" + encodeURIComponent(jobId), {raw: true, retry: downloadReport});
      const blob = await resp.blob();
      const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(resp.headers.get("content-disposition") || "");
      const name = match ? decodeURIComponent(match[1]) : "Hienfeld_Analyse.xlsx";
      const url = URL.createObjectURL(blob);
      const a = el("a", {href: url, download: name});
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (e) {
      showError(e);
    } finally {
      button.disabled = false;
    }
  }

  // ---- models panel ---------------------------------------------------------------------------
  async function loadModels() {
    const button = $("models-refresh");
    button.disabled = true;
    try {
      const stats = await api("GET", "/api/cache/stats", {retry: loadModels});
      renderModels(stats);
    } catch (e) {
      $("models-summary").textContent = e.status === 401 ? "API-sleutel nodig." : "Niet beschikbaar.";
      showError(e);
    } finally {
      button.disabled = false;
    }
  }

  function fmtMB(bytes) {
    return typeof bytes === "number"
      ? (bytes / 1024 / 1024).toLocaleString("nl-NL", {maximumFractionDigits: 1}) + " MB" : "–";
  }

  function renderModels(stats) {
    const body = $("models-body");
    body.replaceChildren();
    const replicas = stats.replicas || [];
    for (const r of replicas) {
      const entries = Object.entries(r.entries || {});
      const cache = r.result_cache || {};
      const models = el("td", {className: "models-keys"});
      for (const [key] of entries) models.appendChild(el("div", {className: "mono", text: key}));
      if (!entries.length) models.textContent = "–";
      const uses = el("td", {className: "num"});
      for (const [, e] of entries) uses.appendChild(el("div", {text: fmtInt(e.access_count)}));
      const hitRate = typeof cache.hit_rate === "number"
        ? (cache.hit_rate * 100).toLocaleString("nl-NL", {maximumFractionDigits: 1}) + "%" : "–";
      const hits = el("td", {className: "num", text: hitRate,
        title: fmtInt(cache.hits) + " hits, " + fmtInt(cache.misses) + " misses, " + fmtInt(cache.size) + " van " +
            fmtInt(cache.capacity) + " plaatsen" + (typeof cache.bytes === "number"
              ? ", " + fmtMB(cache.bytes) + " van " + fmtMB(cache.max_bytes) : "")});
      const rss = typeof r.rss_bytes === "number"
        ? (r.rss_bytes / 1024 / 1024).toLocaleString("nl-NL", {maximumFractionDigits: 0}) + " MB" : "–";
      body.appendChild(el("tr", {"data-testid": "model-row"}, [
        el("td", {text: r.deployment || "–"}),
        el("td", {className: "mono", text: String(r.replica_id || "").slice(-10), title: r.replica_id || ""}),
        models, uses, hits,
        el("td", {className: "num", text: rss}),
      ]));
    }
    if (!replicas.length) {
      body.appendChild(el("tr", {}, [el("td", {colspan: "6", className: "muted", text: "Geen replica's actief."})]));
    }
    const keys = Object.entries(stats.entries || {})
      .map(([k, e]) => k + ": " + fmtInt(e.access_count) + "× gebruikt, " + e.replicas + " replica('s)");
    const unreachable = stats.unreachable_replicas
      ? " " + stats.unreachable_replicas + " replica('s) niet bereikbaar (herstarten?)." : "";
    $("models-summary").textContent = (stats.total_entries || 0) + " modellen geladen" +
        (keys.length ? " — " + keys.join("; ") : "") + "." + unreachable + " Bijgewerkt om " +
        new Date().toLocaleTimeString("nl-NL") + ".";
  }

  // ---- health ---------------------------------------------------------------------------------
  async function loadHealth() {
    const node = $("service-state");
    try {
      const h = await api("GET", "/api/health");
      node.textContent = "Service actief · versie " + h.version;
      node.className = "service-state ok";
    } catch (e) {
      node.textContent = "Service niet bereikbaar";
      node.className = "service-state bad";
    }
  }

  function init() {
    setupKeyPanel();
    setupDropzones();
    setupSettings();
    setupTable();
    $("start-button").addEventListener("click", startAnalysis);
    $("cancel-button").addEventListener("click", cancelAnalysis);
    $("download-report").addEventListener("click", downloadReport);
    $("models-refresh").addEventListener("click", loadModels);
    updateStartButton();
    loadHealth();
    loadModels();
    document.body.dataset.ready = "true";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
