// The chat page's script: /chat/ROOM through the denosocket.topics.v1
// client (/denosocket.js), which reconnects by itself and resumes the room
// from the last message shown, so a restart of the server loses no line and
// doubles none. The room's topic is its name.
import { TopicsClient } from "/denosocket.js";
import { wsUrl } from "/ws_url.js";

const joinForm = document.getElementById("join");
const sayForm = document.getElementById("say");
const log = document.getElementById("log");
const status = document.getElementById("status");
const leaveButton = document.getElementById("leave-button");
/** @type {TopicsClient | null} */
let client = null;
let room = "";

// ?room=…&name=… fill the form and join at once (handy for links).
const params = new URLSearchParams(location.search);
if (params.get("room")) joinForm.room.value = params.get("room");
if (params.get("name")) joinForm.name.value = params.get("name");

function add(cls, who, text, ts) {
  const li = document.createElement("li");
  li.className = cls;
  const time = document.createElement("time");
  time.textContent = new Date(ts || Date.now()).toLocaleTimeString();
  li.append(time);
  if (who) {
    const b = document.createElement("b");
    b.textContent = who + ":";
    li.append(b);
  }
  li.append(document.createTextNode(text));
  log.append(li);
  log.scrollTop = log.scrollHeight;
}

function setConnected(on) {
  sayForm.text.disabled = !on;
  document.getElementById("send-button").disabled = !on;
  leaveButton.disabled = !client;
  document.getElementById("join-button").disabled = !!client;
  if (on) sayForm.text.focus();
}

function setStatus(text, down = false) {
  status.textContent = text;
  status.classList.toggle("down", down);
}

function join() {
  client?.close();
  room = joinForm.room.value.trim();
  const name = joinForm.name.value.trim();
  const url = wsUrl(
    "/chat/" + encodeURIComponent(room) +
      (name ? "?name=" + encodeURIComponent(name) : ""),
  );
  log.textContent = "";
  setStatus("connecting to " + url + " …");
  const c = new TopicsClient(url);
  client = c;
  c.addEventListener("state", (e) => {
    if (client !== c) return;
    const { state, code, reason, delay } = e.detail;
    if (state === "open") setStatus("in room " + room);
    else if (state === "reconnecting") {
      const why = code ? ` (lost: ${code}${reason ? " " + reason : ""})` : "";
      const wait = delay ? `, next try in ${(delay / 1000).toFixed(1)} s` : "";
      setStatus("reconnecting…" + why + wait, true);
    }
    setConnected(state === "open");
  });
  c.addEventListener("subscribed", (e) => {
    const { resumed, recovered } = e.detail;
    if (!resumed) return;
    if (recovered) add("notice", "", "reconnected: nothing missed", 0);
    else {
      // Messages were lost: start over from what the server replays.
      log.textContent = "";
      add(
        "notice",
        "",
        "reconnected: some messages were lost; showing the latest",
        0,
      );
    }
  });
  c.addEventListener("message", (e) => {
    const m = e.detail.data;
    if (!m || typeof m.text !== "string") return;
    if (m.type === "message") add("message", m.from, m.text, m.ts);
    else add("notice", "", m.text, m.ts);
  });
  c.addEventListener("error", (e) => add("error", "", e.detail.message, 0));
  c.subscribe(room, { last: 50 });
}

joinForm.addEventListener("submit", (e) => {
  e.preventDefault();
  join();
});
leaveButton.addEventListener("click", () => {
  if (!client) return;
  client.close();
  client = null;
  setConnected(false);
  setStatus("disconnected (1000 bye)");
});
sayForm.addEventListener("submit", (e) => {
  e.preventDefault();
  const text = sayForm.text.value;
  if (!client || client.state !== "open" || !text.trim()) return;
  sayForm.text.value = "";
  client.publish(room, { text }).catch((err) =>
    add("error", "", "not sent: " + err.message, 0)
  );
});
if (params.get("room")) join();
