/**
 * `TcpProxy`: a TCP relay in front of a test server that can cut every
 * connection through it at once — a network blip, as a client sees it (the
 * socket ends without a close frame: 1006).
 *
 * @module
 */

/** A relay from a free local port to `127.0.0.1:target`. */
export class TcpProxy {
  readonly port: number;
  /** Where new connections go; change it to move clients to another server. */
  target: number;
  #listener: Deno.TcpListener;
  #pairs = new Set<[Deno.TcpConn, Deno.TcpConn]>();
  #accepting: Promise<void>;

  private constructor(listener: Deno.TcpListener, target: number) {
    this.#listener = listener;
    this.port = (listener.addr as Deno.NetAddr).port;
    this.target = target;
    this.#accepting = this.#accept();
  }

  /**
   * Listens on a free port and relays to `target`.
   *
   * @example
   * ```ts ignore
   * const proxy = TcpProxy.start(server.port);
   * proxy.cut(); // every client through it loses its connection
   * ```
   */
  static start(target: number): TcpProxy {
    return new TcpProxy(
      Deno.listen({ hostname: "127.0.0.1", port: 0 }),
      target,
    );
  }

  /** Connections relayed now. */
  get open(): number {
    return this.#pairs.size;
  }

  /** Ends every relayed connection at once; returns how many there were. */
  cut(): number {
    const n = this.#pairs.size;
    for (const pair of this.#pairs) close(pair);
    this.#pairs.clear();
    return n;
  }

  async close(): Promise<void> {
    this.#listener.close();
    this.cut();
    await this.#accepting;
  }

  async #accept(): Promise<void> {
    for (;;) {
      let client: Deno.TcpConn;
      try {
        client = await this.#listener.accept();
      } catch {
        return; // closed
      }
      this.#relay(client);
    }
  }

  async #relay(client: Deno.TcpConn): Promise<void> {
    let server: Deno.TcpConn;
    try {
      server = await Deno.connect({ hostname: "127.0.0.1", port: this.target });
    } catch {
      client.close();
      return;
    }
    const pair: [Deno.TcpConn, Deno.TcpConn] = [client, server];
    this.#pairs.add(pair);
    const pipe = (from: Deno.TcpConn, to: Deno.TcpConn) =>
      from.readable.pipeTo(to.writable, { preventClose: true }).catch(() => {});
    await Promise.race([pipe(client, server), pipe(server, client)]);
    if (this.#pairs.delete(pair)) close(pair);
  }
}

function close(pair: [Deno.TcpConn, Deno.TcpConn]): void {
  for (const c of pair) {
    try {
      c.close();
    } catch { /* already closed */ }
  }
}
