/**
 * Runs the compiled load generator once and parses its JSON line.
 *
 * @module
 */
import type { LoadgenResult } from "./model.ts";
import { wrap } from "./proc.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * A Sec-WebSocket-Key and the Accept a correct server must answer, computed
 * here so the C client needs no SHA-1 of its own.
 */
export async function handshakeKey(): Promise<{ key: string; accept: string }> {
  const key = btoa(
    String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))),
  );
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(key + GUID),
  );
  return { key, accept: btoa(String.fromCharCode(...new Uint8Array(digest))) };
}

/** Where and how to run the load generator. */
export interface LoadgenTarget {
  binary: string;
  port: number;
  serverPid: number;
  key: string;
  accept: string;
  /** CPU to pin the client to, or null. */
  core: number | null;
}

/** Runs one scenario; never throws for a server fault, reports it instead. */
export async function runLoadgen(
  t: LoadgenTarget,
  args: string[],
  timeoutS: number,
): Promise<LoadgenResult> {
  const argv = wrap([
    t.binary,
    ...args,
    "--port",
    String(t.port),
    "--pid",
    String(t.serverPid),
    "--key",
    t.key,
    "--accept",
    t.accept,
  ], t.core);
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutS * 1000), // bounded, whatever happens
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  try {
    return JSON.parse(text.split("\n").pop()!) as LoadgenResult;
  } catch {
    const err = new TextDecoder().decode(out.stderr).trim();
    return {
      ok: false,
      error: out.signal
        ? `loadgen killed after ${timeoutS} s`
        : `loadgen: ${err || text || "no output"}`,
    };
  }
}
