/**
 * Helpers for tests of the `denosocket.topics.v1` protocol: a raw client
 * that reads frames as JSON, and a recorder for `/denosocket.js`'s events.
 *
 * @module
 */
import { TopicsClient } from "../../static/denosocket.js";
import { TestClient } from "./ws_client.ts";

/** The subprotocol. */
export const V1 = "denosocket.topics.v1";

/** A frame the server sent, parsed. */
// deno-lint-ignore no-explicit-any
export type Frame = Record<string, any>;

/** A raw v1 client: sends objects, reads frames as objects. */
export class V1Client {
  readonly c: TestClient;
  private constructor(c: TestClient) {
    this.c = c;
  }
  static async open(url: string): Promise<V1Client> {
    return new V1Client(await TestClient.open(url, V1));
  }
  send(req: unknown): void {
    this.c.send(typeof req === "string" ? req : JSON.stringify(req));
  }
  async next(ms = 10_000): Promise<Frame> {
    return JSON.parse(String(await this.c.next(ms)));
  }
  /** Reads until a frame matches `pred`; returns it and the frames before. */
  async until(
    pred: (f: Frame) => boolean,
    ms = 10_000,
  ): Promise<{ frame: Frame; before: Frame[] }> {
    const before: Frame[] = [];
    for (;;) {
      const f = await this.next(ms);
      if (pred(f)) return { frame: f, before };
      before.push(f);
    }
  }
  close() {
    return this.c.close();
  }
}

/** Everything a `TopicsClient` reported, in order. */
export interface Recording {
  client: TopicsClient;
  // deno-lint-ignore no-explicit-any
  messages: any[];
  subscribed: Frame[];
  errors: Frame[];
  states: string[];
}

/** Makes a `TopicsClient` and records its events. */
export function recordClient(
  url: string,
  options: { minDelay?: number; maxDelay?: number } = {},
): Recording {
  const client = new TopicsClient(url, {
    minDelay: 20,
    maxDelay: 200,
    ...options,
  });
  const r: Recording = {
    client,
    messages: [],
    subscribed: [],
    errors: [],
    states: [],
  };
  const on = (type: string, fn: (d: Frame) => void) =>
    client.addEventListener(type, (e) => fn((e as CustomEvent).detail));
  on("message", (d) => r.messages.push(d));
  on("subscribed", (d) => r.subscribed.push(d));
  on("error", (d) => r.errors.push(d));
  on("state", (d) => r.states.push(d.state));
  return r;
}

/** `[from, …, to]`. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** A seeded random generator, so a failing run can be repeated. */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
