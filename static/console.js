// The dev console: one WebSocket driven from a form, every event logged.
//
// Query parameters (set by the server when a browser opens a handler's
// address): `url` — a path or ws(s):// URL to fill in; `speaks` — the
// subprotocols that endpoint accepts, shown as buttons; `protocols` — fills
// the subprotocol field.
import { parseProtocols, readyStateText, wsUrl } from "/ws_url.js";
import { whyRefused } from "/upgrade_check.js";
import {
  clock,
  formatBytes,
  hexPreview,
  parseHex,
  textPreview,
  utf8Length,
} from "/format.js";

const $ = (id) => document.getElementById(id);
/** @type {WebSocket | null} */
let socket = null;
let poll = 0;

/** The log's placeholder until the first entry (and after Clear). */
function showEmptyLog() {
  const li = document.createElement("li");
  li.className = "empty";
  li.textContent = socket && socket.readyState <= WebSocket.CLOSING
    ? "Log cleared: new events appear here."
    : "Nothing yet. Press Connect to open a WebSocket to the URL above; " +
      "each event (open, message, close) appears here.";
  $("log").replaceChildren(li);
}

function log(kind, text) {
  $("log").querySelector("li.empty")?.remove();
  const li = document.createElement("li");
  li.className = "entry";
  li.dataset.kind = kind;
  const time = document.createElement("time");
  time.textContent = clock();
  const ev = document.createElement("span");
  ev.className = `ev ev-${kind}`;
  ev.textContent = kind;
  const body = document.createElement("span");
  body.className = "detail";
  body.textContent = text;
  li.append(time, ev, body);
  $("log").append(li);
  followNewest();
  return body;
}

// The log follows its newest entry unless the reader has scrolled up. A
// flag kept by the scroll event, not a check at append time: an entry that
// grows afterwards (a message's preview is filled in later) must not make
// the next append think the reader scrolled away.
let following = true;

function followNewest() {
  const list = $("log");
  if (following) list.scrollTop = list.scrollHeight;
}

function refresh() {
  const s = socket;
  $("ready-state").textContent = s ? readyStateText(s.readyState) : "—";
  $("buffered-amount").textContent = s ? String(s.bufferedAmount) : "—";
  $("protocol").textContent = s ? JSON.stringify(s.protocol) : "—";
  $("extensions").textContent = s ? JSON.stringify(s.extensions) : "—";
  $("socket-url").textContent = s ? s.url : "—";
  const open = s?.readyState === WebSocket.OPEN;
  const live = s !== null && s.readyState <= WebSocket.CLOSING;
  for (const id of ["send-text", "send-hex", "send-file", "close"]) {
    $(id).disabled = !open;
  }
  $("disconnect").disabled = !live;
  $("connect").disabled = live;
}

function describe(data) {
  if (typeof data === "string") {
    return Promise.resolve(
      `text, ${utf8Length(data)} bytes: ${textPreview(data)}`,
    );
  }
  if (data instanceof ArrayBuffer) {
    const bytes = new Uint8Array(data);
    return Promise.resolve(
      `binary (ArrayBuffer), ${bytes.length} bytes: ${hexPreview(bytes)}`,
    );
  }
  // A Blob: its bytes are read asynchronously for the preview.
  return data.slice(0, 32).arrayBuffer().then((head) => {
    const more = data.size > 32 ? " …" : "";
    return `binary (Blob), ${data.size} bytes: ${
      hexPreview(new Uint8Array(head))
    }${more}`;
  });
}

function connect() {
  if (socket && socket.readyState <= WebSocket.CLOSING) return;
  const url = wsUrl($("url").value.trim());
  const protocols = parseProtocols($("protocols").value);
  let s;
  try {
    s = new WebSocket(url, protocols);
  } catch (err) {
    log("error", `${err.name}: ${err.message}`);
    return;
  }
  socket = s;
  let opened = false;
  s.binaryType = $("binary-type").value;
  log(
    "connect",
    `${url}${protocols.length ? ` offering ${protocols.join(", ")}` : ""}`,
  );
  s.onopen = () => {
    opened = true;
    log(
      "open",
      `protocol ${JSON.stringify(s.protocol)}, extensions ${
        JSON.stringify(s.extensions)
      }`,
    );
    refresh();
    $("message").focus();
  };
  s.onmessage = (e) => {
    const body = log("message", "…");
    refresh();
    describe(e.data).then((t) => {
      body.textContent = t;
      followNewest();
    });
  };
  s.onerror = () => {
    // The browser hides why on purpose; the close event that follows has the
    // code, and for a refused handshake the server is asked (below).
    log(
      "error",
      opened
        ? "the connection broke (see the close event)"
        : "the handshake failed; the browser does not say why, so the server is asked",
    );
    refresh();
  };
  s.onclose = (e) => {
    log(
      "close",
      `code ${e.code}, reason ${
        JSON.stringify(e.reason)
      }, wasClean ${e.wasClean}`,
    );
    refresh();
    clearInterval(poll);
    if (!opened) explainRefusal(url, protocols);
  };
  clearInterval(poll);
  // bufferedAmount changes without any event, so it is polled while live.
  poll = setInterval(refresh, 250);
  refresh();
}

/** Logs what the server says about a handshake that never opened. */
async function explainRefusal(url, protocols) {
  const verdict = await whyRefused(url, protocols);
  if (!verdict) {
    log(
      "refused",
      "the server did not say why (it is not a denosocket server, or it is unreachable)",
    );
  } else if (verdict.status === 101) {
    log(
      "refused",
      `the server's own checks pass now (${verdict.reason}); look for a ` +
        "refused line in the server's log",
    );
  } else {
    log("refused", `HTTP ${verdict.status}: ${verdict.reason}`);
  }
}

function send(data, label) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return;
  socket.send(data);
  log("sent", label);
  refresh();
}

function sendText() {
  const text = $("message").value;
  send(text, `text, ${utf8Length(text)} bytes: ${textPreview(text)}`);
  $("message").value = "";
}

function sendHex() {
  const bytes = parseHex($("hex").value);
  if (bytes === null) {
    log("error", "bytes must be pairs of hex digits, e.g. de ad be ef");
    return;
  }
  send(bytes, `binary, ${bytes.length} bytes: ${hexPreview(bytes)}`);
}

function sendFile() {
  const file = $("file").files?.[0];
  if (!file) {
    log("error", "choose a file first");
    return;
  }
  send(file, `binary file ${file.name}, ${formatBytes(file.size)}`);
}

/**
 * Why a browser would refuse `close(code, reason)`, or "" when it is fine:
 * the WebSocket API throws InvalidAccessError for codes other than 1000 and
 * 3000–4999, and SyntaxError for a reason over 123 UTF-8 bytes.
 */
function closeProblem(code, reason) {
  if (code === undefined) return "";
  if (!(code === 1000 || (code >= 3000 && code <= 4999))) {
    const what = code >= 1001 && code <= 2999
      ? `${code} is for the protocol and servers (1001 means going away: a ` +
        "server shutting down, or a tab being closed, says it)"
      : `${code} is no close code`;
    return `a browser cannot close with ${what}. Use 1000 for a normal ` +
      "close, or 3000–4999 for your own codes (4000–4999 are free to use)";
  }
  if (utf8Length(reason) > 123) {
    return `the reason is ${utf8Length(reason)} bytes; a close reason has ` +
      "at most 123";
  }
  return "";
}

function closeWith(code, reason) {
  if (!socket) return;
  const problem = closeProblem(code, reason);
  if (problem) {
    log("error", problem);
    return;
  }
  try {
    if (code === undefined) socket.close();
    else socket.close(code, reason);
    log(
      "closing",
      code === undefined
        ? "close()"
        : `close(${code}, ${JSON.stringify(reason)})`,
    );
  } catch (err) {
    log("error", `${err.name}: ${err.message}`);
  }
  refresh();
}

function showSpeaks(list) {
  const p = $("speaks");
  p.replaceChildren("This endpoint speaks: ");
  list.forEach((proto, i) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "secondary";
    b.textContent = proto;
    b.title = `Offer ${proto}`;
    b.addEventListener("click", () => $("protocols").value = proto);
    p.append(i ? " " : "", b);
  });
  p.hidden = false;
}

function init() {
  const q = new URLSearchParams(location.search);
  $("url").value = wsUrl(q.get("url") || "/echo");
  $("protocols").value = q.get("protocols") ?? "";
  const speaks = parseProtocols(q.get("speaks"));
  if (speaks.length) showSpeaks(speaks);

  $("connect-form").addEventListener("submit", (e) => {
    e.preventDefault();
    connect();
  });
  $("disconnect").addEventListener("click", () => closeWith(undefined));
  $("send-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sendText();
  });
  $("message").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      sendText();
    }
  });
  $("hex").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      sendHex();
    }
  });
  $("send-hex").addEventListener("click", sendHex);
  $("send-file").addEventListener("click", sendFile);
  $("binary-type").addEventListener("change", () => {
    if (socket) socket.binaryType = $("binary-type").value;
  });
  $("close-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("close-code").value.trim();
    closeWith(text === "" ? undefined : Number(text), $("close-reason").value);
  });
  $("clear-log").addEventListener("click", showEmptyLog);
  $("log").addEventListener("scroll", () => {
    const list = $("log");
    following = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
  });
  showEmptyLog();
  refresh();
}

init();
