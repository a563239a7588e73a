/**
 * `deno task deploy:check`: starts `main.ts` the way Deno Deploy does — no
 * flags, the port from `PORT`, `DENO_DEPLOYMENT_ID` set, the manifest's
 * handlers — but with no `--allow-write` (and `--no-prompt`), so any write
 * fails loudly. Then it checks the health endpoint, the tutorial page and an
 * echo, sends SIGINT and checks the process exits cleanly within Deploy's
 * 5 s. A program endpoint in the manifest fails the check first: Deploy runs
 * no subprocesses.
 *
 * `DENOSOCKET_HOST=127.0.0.1` keeps the listener on loopback (a test machine
 * must not listen on every interface); Deploy ignores the interface anyway.
 *
 * @module
 */
import { programOf } from "../lib/programs/program_handler.ts";
import {
  listHandlerFiles,
  routePattern,
  routesFromManifest,
} from "../lib/routing/manifest.ts";
import {
  manifestDrift,
  staleManifestMessage,
} from "../lib/routing/manifest_check.ts";
import type { Route } from "../lib/routing/router.ts";
import { HANDLERS_DIR } from "../lib/paths.ts";

/** What the check saw. */
export interface DeployCheckResult {
  port: number;
  /** Handler patterns the server listed at start. */
  handlers: string[];
  /** Close code the open client got on SIGINT. */
  clientCloseCode: number;
  /** Exit code after SIGINT. */
  exitCode: number;
  /** Milliseconds from SIGINT to exit. */
  exitMs: number;
  /** Everything the server printed. */
  output: string;
}

/**
 * Deploy kills the process this long after SIGINT (Deploy's runtime docs).
 *
 * @example
 * ```ts ignore
 * assert.ok(result.exitMs < DEPLOY_KILL_MS);
 * ```
 */
export const DEPLOY_KILL_MS = 5000;

const ROOT = new URL("../", import.meta.url);

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * What cannot run on Deploy among `routes`: one line per program endpoint
 * (Deploy has no subprocesses), or none.
 *
 * @example
 * ```ts ignore
 * deployProblems(routesFromManifest(manifest)); // [] for this project
 * ```
 */
export function deployProblems(routes: readonly Route[]): string[] {
  return routes.filter((r) => programOf(r.handler)).map((r) =>
    `${r.pattern} (${r.file}) runs a program, and Deno Deploy runs no subprocesses`
  );
}

function fail(message: string, output: string): never {
  throw new Error(`deploy check: ${message}\n--- server output ---\n${output}`);
}

/**
 * Runs the check; throws with the server's output when something is off.
 *
 * @example
 * ```ts ignore
 * const result = await deployCheck();
 * console.log(result.handlers);
 * ```
 */
export async function deployCheck(): Promise<DeployCheckResult> {
  // Deploy serves the manifest's handlers only: a file it lacks would be a
  // 404 there, so a stale manifest fails the check before anything starts.
  const drift = await manifestDrift(HANDLERS_DIR);
  if (drift) {
    throw new Error(
      `deploy check: ${staleManifestMessage(drift, HANDLERS_DIR)}`,
    );
  }
  // Imported only now: a manifest naming a deleted file fails above, in one
  // line, instead of failing this script's own import.
  const { default: manifest } = await import("../handlers/manifest.gen.ts");
  const problems = deployProblems(routesFromManifest(manifest));
  if (problems.length) fail(problems.join("\n"), "(not started)");
  const port = freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    DENOSOCKET_HOST: "127.0.0.1",
    // Deploy sets it in every deployment; main.ts refuses program
    // endpoints when it is there.
    DENO_DEPLOYMENT_ID: "deploy-check",
  };
  for (const k of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--allow-net",
      "--allow-read",
      "--allow-env",
      "main.ts",
    ],
    cwd: ROOT,
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const listening = Promise.withResolvers<void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      output += chunk;
      if (/WebSocket handlers[^\n]*\n {2}\//.test(output)) {
        listening.resolve();
      }
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = child.status;
  exited.then(() => listening.reject(new Error("exited before listening")));
  const timer = setTimeout(
    () => listening.reject(new Error("timeout")),
    20_000,
  );
  try {
    await listening.promise;
  } catch (err) {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await exited;
    await pumps;
    fail(`no listener: ${(err as Error).message}`, output);
  } finally {
    clearTimeout(timer);
  }
  let sigintAt = 0;
  try {
    // Let the handler table finish printing.
    await new Promise((r) => setTimeout(r, 100));
    if (!output.includes(`listening on http://127.0.0.1:${port}/`)) {
      fail(`not listening on PORT ${port}`, output);
    }
    const handlers = [...output.matchAll(/^ {2}(\/\S*)\s+handlers\//gm)]
      .map((m) => m[1]).sort();
    const expected = (await listHandlerFiles(HANDLERS_DIR))
      .map((f) => routePattern(f)!).sort();
    if (JSON.stringify(handlers) !== JSON.stringify(expected)) {
      fail(`handlers ${handlers} are not the manifest's ${expected}`, output);
    }
    const base = `http://127.0.0.1:${port}`;
    const health = await fetch(`${base}/_health`);
    const body = await health.json();
    if (health.status !== 200 || body.status !== "ok") {
      fail(
        `/_health answered ${health.status} ${JSON.stringify(body)}`,
        output,
      );
    }
    const page = await fetch(`${base}/`);
    await page.body?.cancel();
    if (page.status !== 200) fail(`/ answered ${page.status}`, output);

    const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`);
    const closed = new Promise<number>((r) => ws.onclose = (e) => r(e.code));
    const echoed = new Promise<string>((resolve, reject) => {
      ws.onmessage = (e) => resolve(String(e.data));
      ws.onerror = () => reject(new Error("echo socket failed"));
    });
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      setTimeout(() => reject(new Error("echo: no open in 10 s")), 10_000);
    });
    ws.send("deploy check");
    if (await echoed !== "deploy check") fail("echo answered wrong", output);

    sigintAt = performance.now();
    child.kill("SIGINT");
    const status = await exited;
    const exitMs = Math.round(performance.now() - sigintAt);
    const clientCloseCode = await closed;
    await pumps;
    if (/NotCapable|PermissionDenied|Requires write access/.test(output)) {
      fail("the server tried to write to disk", output);
    }
    return {
      port,
      handlers,
      clientCloseCode,
      exitCode: status.code,
      exitMs,
      output,
    };
  } finally {
    if (sigintAt === 0) {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      await exited;
      await pumps;
    }
  }
}

if (import.meta.main) {
  const r = await deployCheck().catch((err) => {
    console.error(err.message);
    console.log("deploy check FAILED");
    Deno.exit(1);
  });
  const ok = r.exitCode === 0 && r.exitMs < DEPLOY_KILL_MS &&
    r.clientCloseCode === 1001;
  console.log(`PORT ${r.port} honoured, no flags, no --allow-write`);
  console.log(`handlers (the manifest's): ${r.handlers.join(" ")}`);
  console.log("/_health 200, / 200, /echo round trip");
  console.log(
    `SIGINT: client closed ${r.clientCloseCode}, exit ${r.exitCode} after ${r.exitMs} ms (Deploy kills at ${DEPLOY_KILL_MS})`,
  );
  console.log(ok ? "deploy check passed" : "deploy check FAILED");
  Deno.exit(ok ? 0 : 1);
}
