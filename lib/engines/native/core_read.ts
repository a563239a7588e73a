/**
 * Reading a `Deno.Conn` through the op its public `read()` wraps. Deno
 * 2.9's `Conn.read(buf)` is an async function around `core.read(rid, buf)`
 * that adds only a set of pending promises (for `unref()`, which this
 * engine never calls) and maps 0 to null. An idle socket always has one
 * read pending, and the wrapper's suspended async function (its generator,
 * promise and resume closures) was ~0.5 KiB of every idle connection
 * (measured, docs/performance.md), plus as much garbage per read.
 *
 * Internals Deno does not document, like `lib/engines/deno/internals.ts`:
 * looked up once, and when they are missing `rawReader()` says so and the
 * socket reads through `conn.read()` as before.
 *
 * @module
 */

interface DenoCore {
  read(rid: number, buf: Uint8Array): Promise<number>;
}

const core: DenoCore | null = (() => {
  const d = Deno as unknown as Record<symbol, { core?: DenoCore } | undefined>;
  const internal = (Deno as unknown as { internal?: symbol }).internal;
  const c = internal ? d[internal]?.core : undefined;
  return typeof c?.read === "function" ? c : null;
})();

let ridKey: symbol | null | undefined; // found on the first connection

/**
 * The resource id to read `conn` with through `coreRead()`, or -1 when
 * this Deno does not offer it (read with `conn.read()` then).
 *
 * @example
 * ```ts
 * import { rawReader } from "./core_read.ts";
 * import assert from "node:assert/strict";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const server = await listener.accept();
 * assert.ok(rawReader(server) >= 0); // on Deno 2.9
 * client.close(), server.close(), listener.close();
 * ```
 */
export function rawReader(conn: Deno.Conn): number {
  if (core === null) return -1;
  if (ridKey === undefined) {
    ridKey = Object.getOwnPropertySymbols(conn).find((s) =>
      s.description === "Deno.internal.rid"
    ) ?? null;
  }
  const rid = ridKey && (conn as unknown as Record<symbol, unknown>)[ridKey];
  return typeof rid === "number" ? rid : -1;
}

/**
 * `conn.read(buf)` for `rid = rawReader(conn)`, except that the end of the
 * stream is 0 rather than null.
 *
 * @example
 * ```ts ignore
 * const n = await coreRead(rid, buf); // 0: the peer closed
 * ```
 */
export function coreRead(rid: number, buf: Uint8Array): Promise<number> {
  return core!.read(rid, buf);
}
