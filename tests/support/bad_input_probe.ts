/**
 * Runs one bad-input case against a server and describes the answer in a
 * short, stable phrase ("HTTP 400 …", "close 1002", "TCP closed, no close
 * frame", …) so it can be compared and written into `docs/bad-input.md`.
 *
 * @module
 */
import type { BadInputCase, Step } from "./bad_input_cases.ts";
import { closeCode, readFrames, type ServerFrame } from "./frames.ts";
import { readResponse } from "./raw.ts";
import { KEY } from "./raw.ts";

const enc = new TextEncoder();
const DEFAULT_WAIT_MS = 4000;

/** What happened. */
export interface Observation {
  /** The answer on the wire. */
  answer: string;
  /** The close code the server logged for the connection ("" if none). */
  logged: string;
}

/**
 * Runs `c` against the server on `port`; `output()` is the server's log so far.
 *
 * @example
 * ```ts ignore
 * const { answer } = await probe(CASES[0], server.port, server.output);
 * ```
 */
export async function probe(
  c: BadInputCase,
  port: number,
  output: () => string,
): Promise<Observation> {
  const logStart = output().length;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const local = (conn.localAddr as Deno.NetAddr).port;
  let answer: string;
  try {
    if (c.phase === "http") {
      const gone = await run(conn, c.steps);
      answer = gone ? "(client gone)" : await httpAnswer(conn, c.waitMs);
    } else {
      await conn.write(enc.encode(
        `GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ));
      const res = await readResponse(conn);
      if (res.status !== 101) {
        throw new Error(`handshake failed: ${res.status}`);
      }
      const gone = await run(conn, c.steps);
      answer = gone ? "(client gone)" : await wsAnswer(conn, c);
    }
  } finally {
    try {
      conn.close();
    } catch { /* reset already closed it */ }
  }
  return { answer, logged: await loggedClose(output, logStart, local) };
}

/** Performs the steps; true when the client ended the connection itself. */
async function run(conn: Deno.Conn, steps: Step[]): Promise<boolean> {
  for (const step of steps) {
    if ("write" in step) await writeQuietly(conn, step.write);
    else if ("wait" in step) await sleep(step.wait);
    else if ("reset" in step) {
      // Closing with unread bytes in the receive buffer makes the kernel
      // send RST instead of FIN.
      conn.close();
      return true;
    } else if ("stream" in step) {
      const { header, total, chunk } = step.stream;
      if (!await writeQuietly(conn, header)) continue;
      const block = new Uint8Array(chunk);
      for (let sent = 0; sent < total; sent += chunk) {
        const ok = await Promise.race([
          writeQuietly(conn, block.subarray(0, Math.min(chunk, total - sent))),
          sleep(5000).then(() => false), // the server stopped reading
        ]);
        if (!ok) break;
      }
    } else {
      const deadline = Date.now() + step.forMs;
      for (let i = 0; i < step.drip.length && Date.now() < deadline; i++) {
        if (!await writeQuietly(conn, step.drip.subarray(i, i + 1))) break;
        await sleep(step.everyMs);
      }
    }
  }
  return false;
}

async function httpAnswer(conn: Deno.Conn, waitMs = DEFAULT_WAIT_MS) {
  const res = await readResponse(conn, waitMs).catch(() => null);
  if (!res || res.status === 0) {
    return await endedWithin(conn, 50)
      ? "TCP closed, no HTTP response"
      : "no answer (connection left open)";
  }
  const reason = res.body.split("\n")[0].trim();
  return `HTTP ${res.status}${reason ? " " + reason : ""}`;
}

async function wsAnswer(conn: Deno.Conn, c: BadInputCase) {
  const r = await readFrames(
    conn,
    c.waitMs ?? DEFAULT_WAIT_MS,
    (f) =>
      !c.untilEnd &&
      f.some((x) => x.opcode === 8 || (c.untilEcho && x.opcode <= 2)),
  );
  return describeFrames(r.frames, r.ended);
}

/**
 * "echo, then close 1002" and the like.
 *
 * @example
 * ```ts ignore
 * describeFrames([], true); // "TCP closed, no close frame"
 * ```
 */
export function describeFrames(frames: ServerFrame[], ended: boolean): string {
  const parts: string[] = [];
  for (const f of frames) {
    const what = f.opcode === 8
      ? `close ${closeCode(f.payload)}`
      : f.opcode === 9
      ? "ping"
      : f.opcode === 10
      ? "pong"
      : "echo";
    if (parts[parts.length - 1] !== what) parts.push(what);
  }
  const closed = frames.some((f) => f.opcode === 8);
  if (closed && ended) parts.push("TCP closed");
  if (!closed) {
    parts.push(
      ended
        ? "TCP closed, no close frame"
        : parts.length
        ? "connection stays open"
        : "no answer (connection left open)",
    );
  }
  return parts.join(", then ");
}

/**
 * The close code of the case's connection, from the server log: its lines
 * are the ones naming the client's own port (`remote=`), since a previous
 * case's last lines may be written after this case began (logs are batched).
 */
async function loggedClose(
  output: () => string,
  from: number,
  port: number,
): Promise<string> {
  const remote = `remote=127\\.0\\.0\\.1:${port}\\b`;
  const refusedLine = new RegExp(` refused .*${remote}.*status=(\\d+)`);
  const openLine = new RegExp(`\\bINFO\\s+open .*${remote}`);
  const closeLine = new RegExp(`\\bINFO\\s+close .*${remote}.*?code=(\\d+)`);
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const log = output().slice(from);
    if (!openLine.test(log)) {
      const refused = refusedLine.exec(log);
      if (refused) return `refused ${refused[1]}`;
    } else {
      const closed = closeLine.exec(log);
      if (closed) return `close ${closed[1]}`;
    }
    await sleep(50);
  }
  return "";
}

async function endedWithin(conn: Deno.Conn, ms: number): Promise<boolean> {
  const r = await Promise.race([
    conn.read(new Uint8Array(1)).catch(() => null),
    sleep(ms).then(() => 0),
  ]);
  return r === null;
}

async function writeQuietly(
  conn: Deno.Conn,
  bytes: Uint8Array,
): Promise<boolean> {
  try {
    let at = 0;
    while (at < bytes.length) at += await conn.write(bytes.subarray(at));
    return true;
  } catch {
    return false; // The server already dropped the connection.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
