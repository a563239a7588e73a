/**
 * Helpers for the program-endpoint tests: the fixture programs, an
 * in-process server serving them on either engine, the real websocketd on a
 * free port, a python3-websockets session, and process checks.
 *
 * @module
 */
import { join } from "node:path";
import type { EngineName } from "../../lib/options.ts";
import { programRoutes, scanPrograms } from "../../lib/programs/program_dir.ts";
import type { ProgramOptions } from "../../lib/programs/program_handler.ts";
import { programs, type ProgramSettings } from "../../lib/programs/runtime.ts";
import type { Route } from "../../lib/routing/router.ts";
import type { ServerOptions } from "../../lib/options.ts";
import { startServer, type TestServer } from "./server.ts";
import { childEnv, type Listening, spawnListening } from "./spawn.ts";
import { TOOLS } from "./tools.ts";
import type { CloseInfo, TestClient } from "./ws_client.ts";

const ROOT = join(import.meta.dirname!, "..", "..");
/** The example programs (`programs/`). */
export const EXAMPLES = join(ROOT, "programs");
/** The test programs (`tests/support/programs/`). */
export const FIXTURES = join(import.meta.dirname!, "programs");
const SESSION = join(import.meta.dirname!, "ws_session.py");

/** The routes of every program in `dirs`, each run in its own folder. */
export async function routesOf(
  dirs: string[],
  options: ProgramOptions = {},
): Promise<Route[]> {
  const routes: Route[] = [];
  for (const dir of dirs) {
    routes.push(...programRoutes(await scanPrograms(dir), dir, options));
  }
  return routes;
}

/**
 * An in-process server on `engine` serving `routes`, with the program
 * runtime logging into the server's captured log and using `settings`;
 * the runtime's settings are put back on close.
 */
export async function programServer(
  engine: EngineName,
  routes: Route[],
  settings: Partial<ProgramSettings> = {},
  options: Partial<ServerOptions> = {},
): Promise<TestServer> {
  const saved = { ...programs.settings };
  const server = await startServer({ engine, ...options }, routes);
  programs.configure({
    maxMessageSize: server.app.options.maxMessageSize,
    sendBufferLimit: server.app.options.sendBufferLimit,
    ...settings,
    log: server.app.log,
  });
  return {
    ...server,
    async close() {
      await server.close();
      await programs.endAll(3000);
      programs.configure(saved);
    },
  };
}

/** What one python session saw. */
export interface Session {
  messages: ({ text: string } | { hex: string })[];
  code: number | null;
  reason: string | null;
  error: string | null;
}

/** Runs one python3-websockets session (see `ws_session.py`). */
export async function pythonSession(spec: {
  url: string;
  headers?: Record<string, string>;
  send?: ({ text: string } | { hex: string })[];
  expect?: number;
  expect_bytes?: number;
  pause?: number;
  timeout?: number;
}): Promise<Session> {
  const out = await new Deno.Command(TOOLS.python3.path, {
    args: [SESSION, JSON.stringify(spec)],
    clearEnv: true,
    env: childEnv(),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`ws_session.py failed: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** Every message until the server closes (or `ms` pass), and the close. */
export async function untilClosed(
  client: TestClient,
  ms = 10_000,
): Promise<{ messages: (string | Uint8Array)[]; close: CloseInfo }> {
  const messages: (string | Uint8Array)[] = [];
  const deadline = Date.now() + ms;
  for (;;) {
    const next = await Promise.race([
      client.next(Math.max(1, deadline - Date.now())).catch(() => null),
      client.closed.then(() => null),
    ]);
    if (next === null) break;
    messages.push(next);
  }
  // Messages that raced the close event are still queued.
  for (;;) {
    const rest = await client.next(1).catch(() => null);
    if (rest === null) break;
    messages.push(rest);
  }
  return { messages, close: await client.closed };
}

/** `promise`, or a rejection naming `what` after `ms`: no test hangs. */
export function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no ${what} within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The text messages of a session, in order. */
export function texts(s: Session): string[] {
  return s.messages.map((m) => "text" in m ? m.text : `<binary ${m.hex}>`);
}

/** A free TCP port on loopback (released at once: a small race, fine here). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

/** The real websocketd (Debian's 0.4.1) on a free loopback port. */
export async function startWebsocketd(
  args: string[],
  env: Record<string, string> = {},
): Promise<Listening & { ws: string }> {
  const port = freePort();
  const p = await spawnListening(TOOLS.websocketd.path, [
    "--port",
    String(port),
    "--address",
    "127.0.0.1",
    // info: the start line says it listens; access lines stay out.
    "--loglevel",
    "info",
    ...args,
  ], { listening: /Starting WebSocket server/, port, env });
  return { ...p, ws: `ws://127.0.0.1:${port}` };
}

/** Whether a process with this pid exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // pid (comm) STATE …: the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !==
      "Z";
  } catch {
    return false;
  }
}

/** Whether no process with this pid exists, not even a zombie (it was reaped). */
export function gone(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return false;
  } catch {
    return true;
  }
}

/** Kills a leftover process (websocketd leaves orphans), ignoring errors. */
export function reap(pid: number): void {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch { /* gone */ }
}

/** A fresh folder for marker files, removed by the caller. */
export function markerDir(): Promise<string> {
  return Deno.makeTempDir({ prefix: "denosocket-programs-" });
}

/** Reads a marker file, or "" while it does not exist. */
export function marker(dir: string, name: string): string {
  try {
    return Deno.readTextFileSync(join(dir, name));
  } catch {
    return "";
  }
}
