/**
 * Program endpoints at start: the routes `--programs DIR` and `--program CMD`
 * add to the handler modules' (a module wins a clash), the server-wide
 * program settings, and the checks that must fail before anything listens —
 * no subprocesses on Deno Deploy, no `--allow-run`, a missing command. With
 * no program endpoint at all, the run permission is dropped.
 *
 * @module
 */
import type { ServerOptions } from "../options.ts";
import { HEALTH_PATH, METRICS_PATH } from "../ops/ops.ts";
import {
  programRoutes,
  scanPrograms,
  singleProgramRoute,
} from "../programs/program_dir.ts";
import { programOf } from "../programs/program_handler.ts";
import { resolveCommand } from "../programs/launch.ts";
import { programs } from "../programs/runtime.ts";
import type { Route } from "../routing/router.ts";

/** The routes to serve, and what to warn about at start. */
export interface ProgramSetup {
  routes: Route[];
  warnings: string[];
}

/**
 * Adds the program routes the flags ask for to `routes` and configures the
 * program runtime. Throws an `Error` with a one-line message for anything
 * that must stop the start.
 *
 * @example
 * ```ts ignore
 * const { routes, warnings } = await setUpPrograms(moduleRoutes, options);
 * ```
 */
export async function setUpPrograms(
  moduleRoutes: Route[],
  options: ServerOptions,
): Promise<ProgramSetup> {
  const warnings: string[] = [];
  const flagged = { binary: options.binary, passStderr: options.passStderr };
  const added: Route[] = [];
  if (options.programsDir !== null) {
    const scan = await scanPrograms(options.programsDir);
    for (const s of scan.skipped) {
      warnings.push(`${s.label}: ${s.why}; not served`);
    }
    added.push(...programRoutes(scan, options.programsDir, flagged));
  }
  if (options.program !== null) {
    const [command, ...args] = options.program;
    let path: string;
    try {
      path = resolveCommand(command, Deno.cwd());
    } catch (err) {
      throw new Error(`--program ${(err as Error).message}`);
    }
    added.push(singleProgramRoute([path, ...args], flagged));
  }
  const taken = new Map(moduleRoutes.map((r) => [r.pattern, r.file]));
  const routes = [...moduleRoutes];
  for (const route of added) {
    const owner = taken.get(route.pattern) ??
      ([HEALTH_PATH, METRICS_PATH].includes(route.pattern) && options.ops
        ? "the ops endpoint"
        : undefined);
    if (owner) {
      warnings.push(
        `${route.file} is not served at ${route.pattern}: ${owner} serves it`,
      );
    } else routes.push(route);
  }
  const programRoutesServed = routes.filter((r) => programOf(r.handler));
  for (const r of programRoutesServed) r.note ??= "program";
  if (programRoutesServed.length === 0) {
    // Nothing here spawns: give the permission back (deno task start
    // grants --allow-run for the programs it cannot know in advance).
    Deno.permissions.revokeSync({ name: "run" });
    return { routes, warnings };
  }
  const listed = programRoutesServed.map((r) => `${r.pattern} (${r.file})`)
    .join(", ");
  if (deployed()) {
    throw new Error(
      `program endpoints need subprocesses, which Deno Deploy does not run: ${listed}`,
    );
  }
  for (const r of programRoutesServed) {
    const command = programOf(r.handler)!.argv[0];
    const perm = Deno.permissions.querySync({ name: "run", command });
    if (perm.state !== "granted") {
      throw new Error(
        `${r.pattern} (${r.file}) runs ${command}, which needs --allow-run: ` +
          "`deno task start` grants it; with deno run add --allow-run",
      );
    }
  }
  if (!programs.groupKill) {
    warnings.push(
      "--allow-run is limited to a list: signals reach each program but not the processes it forks (Deno.kill of a process group needs --allow-run without a list)",
    );
  }
  programs.configure({
    maxForks: options.maxForks,
    maxMessageSize: options.maxMessageSize,
    sendBufferLimit: options.sendBufferLimit,
    passEnv: options.passEnv,
    closeMs: options.closeMs,
  });
  return { routes, warnings };
}

/** On Deno Deploy (which sets `DENO_DEPLOYMENT_ID` in every deployment). */
function deployed(): boolean {
  const env = { name: "env", variable: "DENO_DEPLOYMENT_ID" } as const;
  if (Deno.permissions.querySync(env).state !== "granted") return false;
  return Deno.env.get("DENO_DEPLOYMENT_ID") !== undefined;
}
