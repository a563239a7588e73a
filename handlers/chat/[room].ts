/**
 * `/chat/:room?name=NICK`: a chat room on topics (page: `/chat.html`).
 *
 * The server sends JSON `{type, from, text, ts}`: `message`, `join`, `leave`
 * or `error`; join notices also carry `server`, the id of the process or
 * worker that holds the joining connection. Clients send plain text or
 * `{"text": "..."}` (at most 2,000 characters; binary closes with 4003).
 * Rooms are 1-64 of `A-Z a-z 0-9 - _` (else 400). On join the room's last 50 messages are replayed from
 * this process's history, which hears every room: through the bus it also
 * hears the other workers (`broadcast`) or servers (`redis`) — from the time
 * it started, and not while Redis was away.
 */
import { defineHandler, instanceId, listen, publish } from "../../lib/mod.ts";

const HISTORY = 50;
const MAX_ROOMS = 1000;
const MAX_TEXT = 2000;
const MAX_NAME = 32;
const ROOM = /^[A-Za-z0-9_-]{1,64}$/;

/** A chat message as it goes over the wire. */
export interface ChatMessage {
  type: "message" | "join" | "leave" | "error";
  from: string;
  text: string;
  ts: number;
  server?: string;
}

/** Last messages per room, least recently used room first. */
const history = new Map<string, string[]>();

// One listener for every room: messages published here and those the bus
// brings from other workers or servers all pass through it exactly once.
listen("chat:*", (data, topic) => {
  if (typeof data !== "string" || !data.startsWith('{"type":"message"')) return;
  const room = topic.slice("chat:".length);
  const list = history.get(room) ?? [];
  history.delete(room);
  history.set(room, list);
  list.push(data);
  if (list.length > HISTORY) list.shift();
  if (history.size > MAX_ROOMS) history.delete(history.keys().next().value!);
});

function json(msg: ChatMessage): string {
  return JSON.stringify(msg);
}

/** `?name=`: control characters removed, at most 32 characters. */
function nickname(raw: string | null, fallback: string): string {
  const clean = (raw ?? "").replace(/\p{Cc}/gu, "").trim();
  return [...clean].slice(0, MAX_NAME).join("") || fallback;
}

/** The text of a client message: `{"text": ...}` or the whole string. */
function textOf(data: string): string {
  if (data.startsWith("{")) {
    try {
      const v = JSON.parse(data);
      if (v && typeof v.text === "string") return v.text.trim();
    } catch {
      // Not JSON after all: take it as plain text.
    }
  }
  return data.trim();
}

interface ChatState {
  room: string;
  name: string;
}

export default defineHandler<ChatState>({
  accept(_req, info) {
    const room = info.params.room;
    if (!ROOM.test(room)) {
      return new Response(
        "room names are 1-64 letters, digits, '-' or '_'\n",
        { status: 400 },
      );
    }
    return { state: { room, name: "" } };
  },
  open(conn) {
    const { room } = conn.state;
    conn.state.name = nickname(
      conn.url.searchParams.get("name"),
      `guest-${conn.id}`,
    );
    for (const line of history.get(room) ?? []) conn.send(line);
    conn.subscribe(`chat:${room}`);
    const name = conn.state.name;
    publish(
      `chat:${room}`,
      json({
        type: "join",
        from: name,
        text: `${name} joined`,
        ts: Date.now(),
        server: instanceId,
      }),
    );
  },
  message(conn, data) {
    if (typeof data !== "string") {
      conn.close(4003, "chat takes text messages");
      return;
    }
    const text = textOf(data);
    if (text === "") return;
    if (text.length > MAX_TEXT) {
      conn.send(json({
        type: "error",
        from: "server",
        text: `message over ${MAX_TEXT} characters`,
        ts: Date.now(),
      }));
      return;
    }
    // To everyone, the sender too: each client shows the server's order.
    publish(
      `chat:${conn.state.room}`,
      json({
        type: "message",
        from: conn.state.name,
        text,
        ts: Date.now(),
      }),
    );
  },
  close(conn) {
    const name = conn.state.name;
    conn.publish(
      `chat:${conn.state.room}`,
      json({
        type: "leave",
        from: name,
        text: `${name} left`,
        ts: Date.now(),
      }),
    );
  },
});
