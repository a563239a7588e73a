// @ts-check
// denosocket.js: a client for the denosocket.topics.v1 protocol (the
// server's /topics endpoint, the chat). An ES module with no build step and
// no dependency, for browsers and for Deno (`import { TopicsClient } from
// "./static/denosocket.js"`). It reconnects by itself (backoff with
// jitter), resumes every subscription from the last offset it saw, drops
// what it has already seen, and tells the app what was recovered.
// The protocol and its guarantees: docs/topics.md.

/** The subprotocol this client speaks. */
export const TOPICS_PROTOCOL = "denosocket.topics.v1";

/**
 * Milliseconds to wait before reconnect attempt `attempt` (1, 2, …):
 * `minDelay` doubling up to `maxDelay`, then a random 50–100 % of that, so
 * clients dropped together do not all come back in the same instant.
 *
 * @param {number} attempt
 * @param {number} minDelay
 * @param {number} maxDelay
 * @param {() => number} [random]
 * @returns {number}
 * @example
 * reconnectDelay(1, 250, 10000, () => 1); // 250
 * reconnectDelay(9, 250, 10000, () => 0); // 5000: half of the 10 s cap
 */
export function reconnectDelay(
  attempt,
  minDelay,
  maxDelay,
  random = Math.random,
) {
  const base = Math.min(maxDelay, minDelay * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + random() * 0.5));
}

/**
 * @typedef {{ epoch: string, offset: number }} Position
 * @typedef {{ last?: number }} SubscribeOptions
 * @typedef {"connecting" | "open" | "reconnecting" | "closed"} ClientState
 */

/**
 * A connection to a denosocket.topics.v1 endpoint that survives
 * disconnects. Events (`addEventListener`), each a `CustomEvent` whose
 * `detail` is:
 * - `state`: `{ state, code?, reason?, delay? }` — "connecting", "open",
 *   "reconnecting" (with the delay before the next try) or "closed";
 * - `subscribed`: `{ topic, epoch, offset, recovered, reason?, resumed }`,
 *   before the messages of that subscription; `resumed` is true when the
 *   client asked to resume, and then `recovered: false` means messages were
 *   lost: reload the state the topic feeds;
 * - `message`: `{ topic, data, epoch, offset }`, each offset once, in order;
 * - `error`: the server's `{ code, message, topic?, id? }`.
 */
export class TopicsClient extends EventTarget {
  /**
   * @param {string} url e.g. `wss://example.com/topics`
   * @param {{ minDelay?: number, maxDelay?: number, WebSocket?: typeof WebSocket }} [options]
   */
  constructor(url, options = {}) {
    super();
    this.url = url;
    this.minDelay = options.minDelay ?? 250;
    this.maxDelay = options.maxDelay ?? 10_000;
    this._WebSocket = options.WebSocket ?? globalThis.WebSocket;
    /** @type {ClientState} */
    this.state = "connecting";
    /** @type {WebSocket | null} */
    this._ws = null;
    this._attempt = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this._timer = undefined;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this._steady = undefined;
    /** Wanted subscriptions: topic → options. @type {Map<string, SubscribeOptions>} */
    this._wanted = new Map();
    /** The last position seen per topic. @type {Map<string, Position>} */
    this._seen = new Map();
    /** Messages held until their `subscribed` arrives. @type {Map<string, any[]>} */
    this._held = new Map();
    /** Whether each subscribe sent `since`. @type {Map<string, boolean>} */
    this._resumed = new Map();
    /** @type {Map<number, { resolve: (p: Position | null) => void, reject: (e: Error) => void }>} */
    this._pending = new Map();
    this._nextId = 1;
    /**
     * `reconnects`: connections made after a loss; `duplicates`: messages
     * dropped as already seen (0 unless the server sent one twice).
     */
    this.stats = { reconnects: 0, duplicates: 0 };
    // After the caller's addEventListener calls: it hears "connecting" too.
    queueMicrotask(() => this._connect());
  }

  /**
   * Subscribes (now, and again after every reconnect, from the last offset
   * seen). `last`: on the first subscribe, replay up to that many recent
   * messages; on a resume that cannot be met, replay those instead.
   *
   * @param {string} topic
   * @param {SubscribeOptions} [options]
   */
  subscribe(topic, options = {}) {
    this._wanted.set(topic, options);
    this._sendSubscribe(topic);
  }

  /** @param {string} topic */
  unsubscribe(topic) {
    this._wanted.delete(topic);
    this._seen.delete(topic);
    this._held.delete(topic);
    this._send({ type: "unsubscribe", topic });
  }

  /**
   * Publishes `data` (any JSON value). Resolves with where it was stored
   * (`null` for a topic without history); rejects when not connected, when
   * the server refuses, or when the connection drops first (then it may or
   * may not have been published).
   *
   * @param {string} topic
   * @param {unknown} data
   * @returns {Promise<Position | null>}
   */
  publish(topic, data) {
    if (this.state !== "open") {
      return Promise.reject(new Error(`not connected (${this.state})`));
    }
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject });
      this._send({ type: "publish", topic, data, id });
    });
  }

  /**
   * The last position seen on `topic`, or `null`.
   *
   * @param {string} topic
   * @returns {Position | null}
   */
  position(topic) {
    return this._seen.get(topic) ?? null;
  }

  /** Closes for good (no reconnect). */
  close() {
    clearTimeout(this._timer);
    clearTimeout(this._steady);
    const ws = this._ws;
    this._ws = null;
    if (ws && ws.readyState <= 1) ws.close(1000, "bye");
    this._failPending("closed");
    this._setState("closed");
  }

  _connect() {
    if (this.state === "closed") return;
    // A reconnect was announced when the connection was lost.
    if (this._attempt > 0) this.stats.reconnects++;
    else this._setState("connecting");
    const ws = new this._WebSocket(this.url, TOPICS_PROTOCOL);
    this._ws = ws;
    ws.onopen = () => {
      if (this._ws !== ws) return;
      this._setState("open");
      for (const topic of this._wanted.keys()) this._sendSubscribe(topic);
      // Backoff starts over once a connection has held for a while.
      this._steady = setTimeout(() => (this._attempt = 0), 2000);
    };
    ws.onmessage = (e) => {
      if (this._ws === ws && typeof e.data === "string") this._receive(e.data);
    };
    ws.onclose = (e) => {
      if (this._ws !== ws) return;
      clearTimeout(this._steady);
      this._ws = null;
      this._failPending("connection lost");
      this._held.clear();
      this._attempt++;
      const delay = reconnectDelay(this._attempt, this.minDelay, this.maxDelay);
      this._setState("reconnecting", { code: e.code, reason: e.reason, delay });
      this._timer = setTimeout(() => this._connect(), delay);
    };
  }

  /** @param {string} topic */
  _sendSubscribe(topic) {
    if (this.state !== "open") return;
    const options = this._wanted.get(topic) ?? {};
    const since = this._seen.get(topic);
    /** @type {Record<string, unknown>} */
    const req = { type: "subscribe", topic };
    if (since) req.since = since;
    if (options.last) req.last = options.last;
    this._held.set(topic, []);
    this._resumed.set(topic, !!since);
    this._send(req);
  }

  /** @param {string} text */
  _receive(text) {
    let m;
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    if (m.type === "message") this._message(m);
    else if (m.type === "subscribed") this._subscribed(m);
    else if (m.type === "published") this._settle(m.id, m);
    else if (m.type === "error") {
      if (m.id !== undefined && this._pending.has(m.id)) {
        this._settle(m.id, null, new Error(`${m.code}: ${m.message}`));
      }
      const refused = m.code === "unknown_topic" ||
        m.code === "too_many_topics";
      if (refused && m.id === undefined) {
        // A subscribe refused: asking again after a reconnect would not help.
        this._held.delete(m.topic);
        this._wanted.delete(m.topic);
      }
      this._emit("error", m);
    }
  }

  /** @param {any} m */
  _message(m) {
    const held = this._held.get(m.topic);
    if (held) {
      held.push(m);
      return;
    }
    if (!this._wanted.has(m.topic)) return;
    const seen = this._seen.get(m.topic);
    if (m.epoch !== undefined && seen && seen.epoch === m.epoch) {
      if (m.offset <= seen.offset) {
        this.stats.duplicates++; // seen already: at-least-once
        return;
      }
      if (m.offset > seen.offset + 1) {
        // A hole the server should never leave: ask again from what we have.
        this._sendSubscribe(m.topic);
        return;
      }
    }
    if (m.epoch !== undefined) {
      this._seen.set(m.topic, { epoch: m.epoch, offset: m.offset });
    }
    const data = m.base64 === undefined ? m.data : fromBase64(m.base64);
    this._emit("message", {
      topic: m.topic,
      data,
      epoch: m.epoch,
      offset: m.offset,
    });
  }

  /** @param {any} m */
  _subscribed(m) {
    const asked = this._held.has(m.topic);
    const held = this._held.get(m.topic) ?? [];
    this._held.delete(m.topic);
    // Unasked, it says the sequence jumped under a live subscription.
    const resumed = asked ? (this._resumed.get(m.topic) ?? false) : true;
    const seen = this._seen.get(m.topic);
    const kept = m.recovered && seen && seen.epoch === m.epoch;
    if (m.epoch && !kept) {
      // A new sequence from here; the held replay comes after.
      const first = held.find((h) => h.epoch === m.epoch);
      const start = first ? first.offset - 1 : m.offset;
      this._seen.set(m.topic, { epoch: m.epoch, offset: start });
    }
    this._attempt = 0;
    const { topic, epoch, offset, recovered, reason } = m;
    this._emit("subscribed", {
      topic,
      epoch,
      offset,
      recovered,
      reason,
      resumed,
    });
    if (!asked && !recovered && this._wanted.get(topic)?.last) {
      // Lost under it: start again from the latest `last`, as on a first visit.
      this._seen.delete(topic);
      this._sendSubscribe(topic);
      return;
    }
    for (const h of held) this._message(h);
  }

  /**
   * @param {unknown} id
   * @param {any} m
   * @param {Error} [err]
   */
  _settle(id, m, err) {
    const p = this._pending.get(/** @type {number} */ (id));
    if (!p) return;
    this._pending.delete(/** @type {number} */ (id));
    if (err) p.reject(err);
    else {p.resolve(
        m.epoch === undefined ? null : { epoch: m.epoch, offset: m.offset },
      );}
  }

  /** @param {string} why */
  _failPending(why) {
    for (const p of this._pending.values()) p.reject(new Error(why));
    this._pending.clear();
  }

  /** @param {Record<string, unknown>} msg */
  _send(msg) {
    if (this._ws && this._ws.readyState === 1) {
      this._ws.send(JSON.stringify(msg));
    }
  }

  /**
   * @param {ClientState} state
   * @param {Record<string, unknown>} [extra]
   */
  _setState(state, extra = {}) {
    this.state = state;
    this._emit("state", { state, ...extra });
  }

  /**
   * @param {string} type
   * @param {unknown} detail
   */
  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/**
 * @param {string} text
 * @returns {Uint8Array}
 */
function fromBase64(text) {
  const U8 = /** @type {any} */ (Uint8Array);
  if (typeof U8.fromBase64 === "function") return U8.fromBase64(text);
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
