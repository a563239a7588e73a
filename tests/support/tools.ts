/**
 * The one list of programs the tests run besides Deno: for each, the Debian
 * package that provides it, where the tests run it from and how to tell it
 * works. `deno task test` (`scripts/test.ts`) checks this list before any
 * test, and installs or names what is missing; the tests take their paths
 * from here, so what was checked is what runs. `docs/testing.md` shows it as
 * a table, which `tests/test_runner_test.ts` keeps equal to this list.
 *
 * @module
 */
import { childEnv } from "./spawn.ts";

/** A program the tests run. */
export interface Tool {
  /** The name messages use. */
  name: string;
  /** The Debian package that installs it. */
  pkg: string;
  /** What the tests run: an absolute path once found, else the bare name. */
  path: string;
  /** Arguments after `path` that exit 0 when the tool works. */
  probe: string[];
  /** Which tests need it. */
  usedBy: string;
  /** Set to `1`, this variable makes those tests ignored (never passed). */
  skipEnv?: string;
  /** Set, this variable chose `path`: installing the package cannot help. */
  pathEnv?: string;
}

/**
 * `name` on `PATH` as an absolute path, or `null`.
 *
 * @example
 * ```ts ignore
 * onPath("sh", "/nowhere:/bin"); // "/bin/sh"
 * ```
 */
export function onPath(
  name: string,
  path = Deno.env.get("PATH") ?? "",
): string | null {
  for (const dir of path.split(":")) {
    if (!dir) continue;
    try {
      const info = Deno.statSync(`${dir}/${name}`);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111)) {
        return `${dir}/${name}`;
      }
    } catch { /* not in this folder */ }
  }
  return null;
}

function found(name: string): string {
  return onPath(name) ?? name;
}

const chromiumEnv = "DENOSOCKET_CHROMIUM";

/** Every program the tests need, in the order messages list them. */
export const TOOLS = {
  chromium: {
    name: "chromium",
    pkg: "chromium",
    path: Deno.env.get(chromiumEnv) ?? found("chromium"),
    probe: ["--version"],
    usedBy: "the page, accessibility and browser-deflate tests",
    skipEnv: "DENOSOCKET_SKIP_BROWSER",
    pathEnv: chromiumEnv,
  },
  // Debian's interpreter, not the first python3 on PATH: the package
  // installs the module for /usr/bin/python3 only (a pyenv python lacks it).
  python3: {
    name: "python3-websockets",
    pkg: "python3-websockets",
    path: "/usr/bin/python3",
    probe: ["-c", "import websockets"],
    usedBy: "the independent-client tests (python3 websockets)",
  },
  redisServer: {
    name: "redis-server",
    pkg: "redis-server",
    path: found("redis-server"),
    probe: ["--version"],
    usedBy: "the Redis bus tests and the fan-out bench smoke test",
  },
  redisCli: {
    name: "redis-cli",
    pkg: "redis-tools",
    path: found("redis-cli"),
    probe: ["--version"],
    usedBy: "the Redis bus tests",
  },
  openssl: {
    name: "openssl",
    pkg: "openssl",
    path: found("openssl"),
    probe: ["version"],
    usedBy: "the TLS tests (self-signed certificates)",
  },
  promtool: {
    name: "promtool",
    pkg: "prometheus",
    path: found("promtool"),
    probe: ["--version"],
    usedBy: "the /_metrics exposition checks",
  },
  websocketd: {
    name: "websocketd",
    pkg: "websocketd",
    path: found("websocketd"),
    probe: ["--version"],
    usedBy: "the program-endpoint tests (side by side with websocketd)",
  },
  // The bench's C load generator is built by its self-check, a test.
  cc: {
    name: "cc",
    pkg: "gcc",
    path: found("cc"),
    probe: ["--version"],
    usedBy: "building the bench's load generator (bench/selfcheck.ts)",
  },
  zlib: {
    name: "zlib.h",
    pkg: "zlib1g-dev",
    path: found("cc"),
    // Preprocesses an empty file that includes zlib.h: exits 0 only with it.
    probe: [
      "-E",
      "-include",
      "zlib.h",
      "-x",
      "c",
      "/dev/null",
      "-o",
      "/dev/null",
    ],
    usedBy: "the load generator's permessage-deflate (bench/selfcheck.ts)",
  },
} as const satisfies Record<string, Tool>;

/** `TOOLS` as a list, for the check and the docs test. */
export const TOOL_LIST: readonly Tool[] = Object.values(TOOLS);

/**
 * The reason a test that needs `tool` is ignored, or `undefined` when it
 * runs. `browserTest()` appends it to the test's name as `(ignored: …)`,
 * which is how `deno task test` says why each ignored test was ignored.
 *
 * @example
 * ```ts ignore
 * ignoredBecause(TOOLS.chromium); // "DENOSOCKET_SKIP_BROWSER=1" when set
 * ```
 */
export function ignoredBecause(tool: Tool): string | undefined {
  return tool.skipEnv && Deno.env.get(tool.skipEnv) === "1"
    ? `${tool.skipEnv}=1`
    : undefined;
}

/**
 * Whether `tool` runs: its probe exits 0.
 *
 * @example
 * ```ts ignore
 * await works(TOOLS.openssl); // true where `openssl version` exits 0
 * ```
 */
export async function works(tool: Tool): Promise<boolean> {
  try {
    const out = await new Deno.Command(tool.path, {
      args: tool.probe,
      clearEnv: true,
      env: childEnv(),
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false; // not found, not executable
  }
}

/**
 * The tools in `tools` whose probe fails, in list order (probed at once).
 *
 * @example
 * ```ts ignore
 * (await missingTools()).map((t) => t.pkg); // [] on a ready machine
 * ```
 */
export async function missingTools(
  tools: readonly Tool[] = TOOL_LIST,
): Promise<Tool[]> {
  const ok = await Promise.all(tools.map(works));
  return tools.filter((_, i) => !ok[i]);
}

/**
 * The one command that installs every package of `tools`.
 *
 * @example
 * ```ts ignore
 * installLine([TOOLS.promtool]); // "sudo apt-get install -y prometheus"
 * ```
 */
export function installLine(tools: readonly Tool[], sudo = true): string {
  const pkgs = [...new Set(tools.map((t) => t.pkg))];
  return `${sudo ? "sudo " : ""}apt-get install -y ${pkgs.join(" ")}`;
}
