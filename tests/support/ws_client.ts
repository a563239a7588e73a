/**
 * `TestClient`: Deno's `WebSocket` client with awaitable messages and close.
 *
 * @module
 */

/** What a close event carried. */
export interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

/** A client whose messages can be awaited in order. */
export class TestClient {
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseInfo>;
  #messages: (string | Uint8Array)[] = [];
  #waiters: ((m: string | Uint8Array) => void)[] = [];

  constructor(url: string, protocols?: string | string[]) {
    this.socket = new WebSocket(url, protocols);
    this.socket.binaryType = "arraybuffer";
    const opened = Promise.withResolvers<void>();
    const closed = Promise.withResolvers<CloseInfo>();
    this.opened = opened.promise;
    this.closed = closed.promise;
    this.socket.onopen = () => opened.resolve();
    this.socket.onmessage = (e) => {
      const data = typeof e.data === "string" ? e.data : new Uint8Array(e.data);
      const w = this.#waiters.shift();
      if (w) w(data);
      else this.#messages.push(data);
    };
    this.socket.onerror = () => {};
    this.socket.onclose = (e) => {
      opened.reject(new Error(`closed before open: ${e.code} ${e.reason}`));
      closed.resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean });
    };
    opened.promise.catch(() => {});
  }

  /** Opens a client and waits for `open`. */
  static async open(
    url: string,
    protocols?: string | string[],
  ): Promise<TestClient> {
    const c = new TestClient(url, protocols);
    await c.opened;
    return c;
  }

  /** The next message (waits up to `ms`). */
  next(ms = 5000): Promise<string | Uint8Array> {
    const queued = this.#messages.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const waiter = (m: string | Uint8Array) => {
        clearTimeout(timer);
        resolve(m);
      };
      // A timed-out wait must leave the queue, or it would eat the next message.
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no message within ${ms} ms`));
      }, ms);
      this.#waiters.push(waiter);
    });
  }

  send(data: string | Uint8Array): void {
    this.socket.send(data as string | Uint8Array<ArrayBuffer>);
  }

  /** Closes (if open) and waits for the close event. */
  async close(code?: number, reason?: string): Promise<CloseInfo> {
    if (this.socket.readyState <= 1) this.socket.close(code, reason);
    return await this.closed;
  }
}
