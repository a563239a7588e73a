// The benchmark page: throughput through /benchmark_helper, per message size.
//
// Each socket keeps a bounded number of messages in flight, so a large run
// never queues more than a few MiB in the browser. Every payload sent and
// received is counted the way the server counts bytes_in/bytes_out.
import { wsUrl } from "/ws_url.js";
import { formatBytes, parseSize, utf8Length } from "/format.js";

const $ = (id) => document.getElementById(id);
const A = 0x61;
/** The helper's own cap on `receive N`; sending is capped by the server's max message size. */
const MAX_RECEIVE = 64 * 1024 * 1024;
/** Bytes a socket may have in flight at once. */
const WINDOW_BYTES = 4 * 1024 * 1024;
const MAX_WINDOW = 64;

let channels = [];
let stopped = false;

/** One benchmark socket with its byte counts and the reply handler of the job running. */
function openChannel(url) {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const opened = Promise.withResolvers();
  const ch = {
    ws,
    opened: opened.promise,
    bytesSent: 0,
    bytesReceived: 0,
    msgsSent: 0,
    msgsReceived: 0,
    onReply: null,
    onFail: null,
    closed: new Promise((r) => ws.addEventListener("close", r)),
    send(data) {
      ws.send(data);
      ch.msgsSent++;
      ch.bytesSent += typeof data === "string"
        ? utf8Length(data)
        : data.byteLength;
    },
  };
  ws.onopen = () => opened.resolve();
  ws.onerror = () => {};
  ws.onmessage = (e) => {
    ch.msgsReceived++;
    ch.bytesReceived += typeof e.data === "string"
      ? utf8Length(e.data)
      : e.data.byteLength;
    ch.onReply?.(e.data);
  };
  ws.onclose = (e) => {
    const why = new Error(
      `socket closed: code ${e.code}${e.reason ? `, ${e.reason}` : ""}`,
    );
    opened.reject(why);
    ch.onFail?.(why);
  };
  opened.promise.catch(() => {});
  return ch;
}

/** Runs `n` messages of `size` bytes on one channel; resolves when all are answered. */
function runShare(ch, size, n, direction, verify, progress) {
  if (n === 0) return Promise.resolve();
  const inFlightMax = Math.max(
    1,
    Math.min(MAX_WINDOW, Math.floor(WINDOW_BYTES / size)),
  );
  const payload = direction === "send" ? new Uint8Array(size).fill(A) : null;
  let sent = 0;
  let answered = 0;
  return new Promise((resolve, reject) => {
    const fail = (err) => {
      ch.onReply = ch.onFail = null;
      reject(err);
    };
    const pump = () => {
      while (sent < n && sent - answered < inFlightMax && !stopped) {
        ch.send(direction === "send" ? payload : `receive ${size}`);
        sent++;
      }
    };
    ch.onFail = fail;
    ch.onReply = (data) => {
      const problem = check(data, size, direction, verify);
      if (problem) return fail(new Error(problem));
      answered++;
      progress(1);
      if (stopped) return fail(new Error("stopped"));
      if (answered === n) {
        ch.onReply = ch.onFail = null;
        resolve();
      } else pump();
    };
    pump();
  });
}

/** Why a reply is wrong, or "" when it is right. */
function check(data, size, direction, verify) {
  if (typeof data === "string" && data.startsWith("error")) return data;
  if (direction === "send") {
    if (typeof data !== "string") return "expected a size as text";
    return data === String(size) ? "" : `server counted ${data}, sent ${size}`;
  }
  if (typeof data === "string") return `expected binary, got "${data}"`;
  if (data.byteLength !== size) {
    return `received ${data.byteLength} bytes, asked for ${size}`;
  }
  if (verify && !new Uint8Array(data).every((b) => b === A)) {
    return "received bytes are not all 'a'";
  }
  return "";
}

function readForm() {
  const sizes = $("sizes").value.split(",").filter((s) => s.trim() !== "")
    .map((s) => ({ text: s.trim(), n: parseSize(s) }));
  const bad = sizes.find((s) => s.n === null || s.n < 1 || s.n > MAX_RECEIVE);
  if (sizes.length === 0 || bad) {
    throw new Error(
      `invalid size "${
        bad?.text ?? ""
      }": use e.g. 1024, 64k or 1M (1 byte to 64M)`,
    );
  }
  const count = Number($("count").value);
  const sockets = Number($("sockets").value);
  if (!Number.isInteger(count) || count < 1 || count > 100000) {
    throw new Error("messages per size must be 1 to 100000");
  }
  if (!Number.isInteger(sockets) || sockets < 1 || sockets > 64) {
    throw new Error("sockets must be 1 to 64");
  }
  return {
    sizes: sizes.map((s) => s.n),
    count,
    sockets,
    direction: $("direction").value,
    verify: $("verify").checked,
    url: wsUrl($("url").value.trim() || "/benchmark_helper"),
  };
}

function setStatus(text, state) {
  $("status").textContent = text;
  $("status").dataset.state = state;
}

function showTotals() {
  const sum = (k) => channels.reduce((a, c) => a + c[k], 0);
  $("bytes-sent").textContent = String(sum("bytesSent"));
  $("bytes-received").textContent = String(sum("bytesReceived"));
  $("msg-counts").textContent = `${sum("msgsSent")} sent, ${
    sum("msgsReceived")
  } received`;
}

function addRow(r) {
  const tr = document.createElement("tr");
  const cells = [
    formatBytes(r.size),
    String(r.count),
    formatBytes(r.bytes),
    r.ms.toFixed(1),
    r.mbps.toFixed(2),
    r.mps.toFixed(0),
  ];
  for (const text of cells) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.append(td);
  }
  tr.dataset.size = String(r.size);
  tr.dataset.bytes = String(r.bytes);
  $("results").tBodies[0].append(tr);
}

function drawChart(id, rows, value, unit) {
  const max = Math.max(...rows.map(value), 1e-9);
  const box = $(id);
  box.replaceChildren();
  for (const r of rows) {
    const label = document.createElement("span");
    label.textContent = formatBytes(r.size);
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.style.width = `${(value(r) / max) * 100}%`;
    bar.setAttribute("role", "img");
    bar.setAttribute("aria-label", `${value(r).toFixed(2)} ${unit}`);
    const v = document.createElement("span");
    v.className = "value";
    v.textContent = `${value(r).toFixed(value(r) < 10 ? 2 : 0)} ${unit}`;
    box.append(label, bar, v);
  }
}

async function run() {
  let cfg;
  try {
    cfg = readForm();
  } catch (err) {
    setStatus(err.message, "error");
    return;
  }
  stopped = false;
  channels = [];
  $("results").tBodies[0].replaceChildren();
  $("chart-mbps").replaceChildren();
  $("chart-mps").replaceChildren();
  $("start").disabled = true;
  $("stop").disabled = false;
  const total = cfg.sizes.length * cfg.count;
  let done = 0;
  const progress = (k) => {
    done += k;
    $("progress").value = done / total;
  };
  const rows = [];
  try {
    setStatus(`Opening ${cfg.sockets} socket(s) to ${cfg.url}…`, "running");
    channels = Array.from({ length: cfg.sockets }, () => openChannel(cfg.url));
    await Promise.all(channels.map((ch) => ch.opened));
    if (cfg.direction === "send") {
      for (const ch of channels) ch.send(cfg.verify ? "send 1" : "send 0");
    }
    for (const size of cfg.sizes) {
      if (stopped) throw new Error("stopped");
      setStatus(
        `${cfg.direction === "send" ? "Sending" : "Receiving"} ${cfg.count} × ${
          formatBytes(size)
        }…`,
        "running",
      );
      const t0 = performance.now();
      await Promise.all(channels.map((ch, i) => {
        const share = Math.floor(cfg.count / cfg.sockets) +
          (i < cfg.count % cfg.sockets ? 1 : 0);
        return runShare(ch, size, share, cfg.direction, cfg.verify, progress);
      }));
      const ms = Math.max(performance.now() - t0, 0.001);
      const bytes = size * cfg.count;
      const row = {
        size,
        count: cfg.count,
        bytes,
        ms,
        mbps: bytes / 1e6 / (ms / 1000),
        mps: cfg.count / (ms / 1000),
      };
      rows.push(row);
      addRow(row);
      showTotals();
    }
    await closeAll("benchmark done");
    showTotals();
    drawChart("chart-mbps", rows, (r) => r.mbps, "MB/s");
    drawChart("chart-mps", rows, (r) => r.mps, "msgs/s");
    setStatus(
      `Done: ${total} messages on ${cfg.sockets} socket(s).`,
      "done",
    );
  } catch (err) {
    await closeAll("benchmark stopped");
    showTotals();
    setStatus(`Stopped: ${err.message}`, "error");
  } finally {
    $("start").disabled = false;
    $("stop").disabled = true;
  }
}

/** Closes every socket and waits for the close events (so totals are final). */
async function closeAll(reason) {
  for (const ch of channels) {
    if (ch.ws.readyState <= WebSocket.OPEN) ch.ws.close(1000, reason);
  }
  await Promise.all(channels.map((ch) => ch.closed));
}

$("url").value = wsUrl("/benchmark_helper");
$("bench-form").addEventListener("submit", (e) => {
  e.preventDefault();
  run();
});
$("stop").addEventListener("click", () => {
  stopped = true;
  closeAll("benchmark stopped");
});
