/**
 * `/chat/:room?name=NICK`: a chat room (page: `/chat.html`) on the
 * `denosocket.topics.v1` protocol, so `/denosocket.js` can resume it after
 * a reconnect without a lost or doubled line.
 *
 * A client subscribes to the topic named like the room (any other →
 * `unknown_topic`), usually with `last: 50`, and publishes `{"text": "…"}`
 * or a string (at most 2,000 characters, else `too_large`). The room keeps
 * its last 200 messages for a day (`topicHistory("chat:*")`). Messages on
 * the topic are `{type, from, text, ts}` with `type` `message`, `join` or
 * `leave`; a join also carries `server`, the id of the process or worker
 * holding the newcomer. A join is published when a client subscribes
 * without `since` (a visit, not a reconnect), a leave when it closes on
 * purpose (1000, or a bare close: 1005); a dropped connection may come
 * back. Rooms are 1-64 of `A-Z a-z 0-9 - _` (else 400).
 */
import {
  defineHandler,
  instanceId,
  publish,
  serveTopics,
  topicHistory,
  TOPICS_PROTOCOL,
  type TopicsRefusal,
} from "../../lib/mod.ts";

const MAX_TEXT = 2000;
const MAX_NAME = 32;
const ROOM = /^[A-Za-z0-9_-]{1,64}$/;

topicHistory("chat:*", { size: 200, ttl: 86400 });

/** A chat message as it goes over the topic. */
export interface ChatMessage {
  type: "message" | "join" | "leave";
  from: string;
  text: string;
  ts: number;
  server?: string;
}

interface ChatState {
  room: string;
  name: string;
  joined: boolean;
}

/** `?name=`: control characters removed, at most 32 characters. */
function nickname(raw: string | null, fallback: string): string {
  const clean = (raw ?? "").replace(/\p{Cc}/gu, "").trim();
  return [...clean].slice(0, MAX_NAME).join("") || fallback;
}

function say(room: string, msg: ChatMessage): void {
  publish(`chat:${room}`, JSON.stringify(msg));
}

/** A client's publish → the chat message stored, or why not. */
function chatLine(from: string, data: unknown): string | TopicsRefusal {
  const raw = typeof data === "object" && data !== null
    ? (data as { text?: unknown }).text
    : data;
  if (typeof raw !== "string") {
    return { code: "bad_request", message: 'send {"text": "..."} or a string' };
  }
  const text = raw.trim();
  if (text === "") return { code: "bad_request", message: "nothing to say" };
  if (text.length > MAX_TEXT) {
    return {
      code: "too_large",
      message: `message over ${MAX_TEXT} characters`,
    };
  }
  const msg: ChatMessage = { type: "message", from, text, ts: Date.now() };
  return JSON.stringify(msg);
}

export default defineHandler<ChatState>({
  protocols: [TOPICS_PROTOCOL],
  accept(_req, info) {
    const room = info.params.room;
    if (!ROOM.test(room)) {
      return new Response(
        "room names are 1-64 letters, digits, '-' or '_'\n",
        { status: 400 },
      );
    }
    return { state: { room, name: "", joined: false } };
  },
  open(conn) {
    conn.state.name = nickname(
      conn.url.searchParams.get("name"),
      `guest-${conn.id}`,
    );
  },
  message(conn, data) {
    const { room, name } = conn.state;
    return serveTopics(conn, data, {
      topic: (topic) => topic === room ? `chat:${room}` : null,
      maxTopics: 1,
      publish: (_conn, _topic, data) => chatLine(name, data),
      subscribed(conn, _topic, _result, resumed) {
        conn.state.joined = true;
        if (resumed) return;
        const text = `${name} joined`;
        say(room, {
          type: "join",
          from: name,
          text,
          ts: Date.now(),
          server: instanceId,
        });
      },
    });
  },
  close(conn, code) {
    const { room, name, joined } = conn.state;
    // Leaving on purpose; a dropped or restarted connection comes back.
    if (!joined || (code !== 1000 && code !== 1005)) return;
    say(room, {
      type: "leave",
      from: name,
      text: `${name} left`,
      ts: Date.now(),
    });
  },
});
