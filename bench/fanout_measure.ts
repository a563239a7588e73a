/**
 * One measured phase of the fan-out bench: publish with a bounded window,
 * time every delivery, read CPU time of this process and the servers.
 *
 * @module
 */
import { cpuSeconds } from "./fanout_procs.ts";

/** What one phase measured. */
export interface Phase {
  /** Distinct deliveries seen (subscriber × message, each counted once). */
  n: number;
  /** Messages a subscriber got more than once (each extra copy counts). */
  duplicates: number;
  /** Subscriber × message pairs never delivered. */
  lost: number;
  seconds: number;
  /** CPU seconds of this process (the client) and of the servers. */
  client: number;
  server: number;
  p50: number;
  p99: number;
  max: number;
}

/** A message of `size` bytes: sequence number, send time, padding. */
function payload(seq: number, size: number): string {
  const head = `${seq} ${performance.now().toFixed(3)} `;
  return head + ".".repeat(Math.max(0, size - head.length));
}

/**
 * Publishes `count` messages with at most `window` in flight and measures.
 *
 * @example
 * ```ts ignore
 * const phase = await measure(subs, pub, [serverPid], 1000, 8, 64);
 * ```
 */
export async function measure(
  subs: WebSocket[],
  pub: WebSocket,
  pids: number[],
  count: number,
  window: number,
  size: number,
): Promise<Phase> {
  const latencies = new Float64Array(subs.length * count);
  let n = 0;
  // Which subscriber got which message: a duplicate must not make up for a
  // loss elsewhere (expected − received would hide both).
  const got = new Uint8Array(subs.length * count);
  let duplicates = 0;
  const remaining = new Int32Array(count).fill(subs.length);
  let done = 0;
  let wake: (() => void) | null = null;
  subs.forEach((ws, sub) => {
    ws.onmessage = (e) => {
      const text = e.data as string;
      const sp = text.indexOf(" ");
      const seq = Number(text.slice(0, sp));
      if (!(seq >= 0 && seq < count)) return; // a late message of a phase before
      if (got[sub * count + seq]++) {
        duplicates++;
        return;
      }
      latencies[n++] = performance.now() -
        Number(text.slice(sp + 1, text.indexOf(" ", sp + 1)));
      if (--remaining[seq] === 0) {
        done++;
        wake?.();
      }
    };
  });
  const serverCpu = () => pids.reduce((a, p) => a + cpuSeconds(p), 0);
  const c0 = cpuSeconds(Deno.pid);
  const s0 = serverCpu();
  const t0 = performance.now();
  let sent = 0;
  let writtenOff = 0;
  while (sent < count) {
    if (sent - done - writtenOff < window) {
      pub.send(payload(sent++, size));
      continue;
    }
    const before = done;
    await new Promise<void>((r) => {
      wake = r;
      // At-most-once: a message some subscriber never gets is written off.
      setTimeout(r, 2000);
    });
    wake = null;
    if (done === before) writtenOff++;
  }
  const deadline = performance.now() + 5000;
  while (done + writtenOff < count && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = (performance.now() - t0) / 1000;
  const client = cpuSeconds(Deno.pid) - c0;
  const server = serverCpu() - s0;
  // Late messages of this phase must not count in the next.
  await new Promise((r) => setTimeout(r, 300));
  const sorted = latencies.subarray(0, n).sort();
  const pct = (p: number) =>
    round(sorted[Math.min(n - 1, Math.floor(n * p))] ?? NaN, 2);
  return {
    n,
    duplicates,
    lost: subs.length * count - n,
    seconds,
    client,
    server,
    p50: pct(0.5),
    p99: pct(0.99),
    max: pct(1),
  };
}

/**
 * Rounds to `digits` decimals.
 *
 * @example
 * ```ts
 * import { round } from "./fanout_measure.ts";
 * round(3.14159, 2); // 3.14
 * ```
 */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
