/**
 * What `deno task test` does before the first test: make sure every program
 * in `tests/support/tools.ts` works here — installing the missing ones with
 * apt-get when it may (root, or `CI=true` with sudo), or stopping with the one
 * install line when it may not — then fetch the npm packages `deno.json`
 * pins, saying so when there is anything to fetch.
 *
 * @module
 */
import {
  installLine,
  missingTools,
  onPath,
  type Tool,
} from "../tests/support/tools.ts";

/** Where messages go, prefixed so they stand out from the tests' output. */
export function say(line: string): void {
  console.error(`deno task test: ${line}`);
}

/** How this process may run apt-get, or why it may not. */
export type Installer =
  | { argv: string[] }
  | { refused: string };

/**
 * How to run apt-get here: as root directly; with `CI=true` through
 * `sudo -n` (CI runners are rarely root but have password-less sudo);
 * otherwise not at all — a developer's machine is theirs to change.
 */
export function installer(
  uid: number | null = Deno.uid(),
  ci = Deno.env.get("CI") === "true",
): Installer {
  if (uid !== 0 && !ci) return { refused: "not root, and CI is not true" };
  if (!onPath("apt-get")) {
    return { refused: "apt-get is not on PATH (not Debian or Ubuntu?)" };
  }
  if (uid === 0) return { argv: ["apt-get"] };
  const sudo = onPath("sudo");
  if (!sudo) return { refused: "CI=true, but not root and no sudo on PATH" };
  return {
    argv: [sudo, "-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"],
  };
}

/** The message for tools that cannot be installed from here. */
export function missingMessage(missing: readonly Tool[], why: string): string {
  const width = Math.max(...missing.map((t) => t.name.length));
  const lines = [
    `${missing.length} program${missing.length === 1 ? "" : "s"} the tests ` +
    `need ${missing.length === 1 ? "is" : "are"} missing, so no test was run:`,
  ];
  for (const t of missing) {
    lines.push(
      `  ${t.name.padEnd(width)}  Debian package ${t.pkg}: ${t.usedBy}`,
    );
  }
  lines.push(
    "Install them all, then run deno task test again:",
    "",
    `  ${installLine(missing)}`,
    "",
    `(deno task test installs them itself as root, or with CI=true and ` +
      `sudo; here: ${why}.)`,
  );
  return lines.join("\n");
}

async function run(argv: string[]): Promise<boolean> {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return out.success;
}

/**
 * Checks `tools`; installs what is missing when allowed. Resolves `true`
 * when every tool works, `false` (after saying why) when the run must stop.
 */
export async function ensureTools(tools: readonly Tool[]): Promise<boolean> {
  const missing = await missingTools(tools);
  if (missing.length === 0) return true;
  // A path chosen by a variable is the user's: apt-get cannot fix it.
  const chosen = missing.filter((t) => t.pathEnv && Deno.env.get(t.pathEnv));
  if (chosen.length) {
    for (const t of chosen) {
      say(
        `${t.pathEnv}=${t.path} does not run (\`${t.path} ${
          t.probe.join(" ")
        }\` failed): point it at a working ${t.name}, or unset it.`,
      );
    }
    return false;
  }
  const how = installer();
  if ("refused" in how) {
    say(missingMessage(missing, how.refused));
    return false;
  }
  const pkgs = installLine(missing, false).replace("apt-get install -y ", "");
  say(
    `installing ${pkgs} with apt-get (missing: ${
      missing.map((t) => t.name).join(", ")
    })`,
  );
  const installed = await run([...how.argv, "update", "-qq"]) &&
    await run([...how.argv, "install", "-y", "-qq", ...pkgs.split(" ")]);
  const still = await missingTools(tools);
  if (!installed || still.length) {
    say(
      `apt-get did not make ${
        (still.length ? still : missing).map((t) => t.name).join(", ")
      } work; no test was run. Try: ${
        installLine(still.length ? still : missing)
      }`,
    );
    return false;
  }
  say(`installed ${pkgs}`);
  return true;
}

/** The npm packages `deno.json` imports, for the fetching message. */
function npmImports(): string[] {
  try {
    const config = JSON.parse(
      Deno.readTextFileSync(new URL("../deno.json", import.meta.url)),
    );
    return Object.entries(config.imports ?? {})
      .filter(([, spec]) => String(spec).startsWith("npm:"))
      .map(([name]) => name);
  } catch {
    return [];
  }
}

/**
 * `deno install` (with `--frozen` under CI: the committed deno.lock must
 * already hold every package): puts the npm packages of `deno.json` in
 * Deno's cache before the tests import them. Silent when they are cached;
 * otherwise says so before Deno's own "Download" lines.
 */
export async function fetchNpmPackages(ci: boolean): Promise<boolean> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["install", ...(ci ? ["--frozen"] : [])],
    cwd: new URL("../", import.meta.url),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let announced = false;
  const forward = async (
    stream: ReadableStream<Uint8Array>,
    to: typeof Deno.stdout,
  ) => {
    const enc = new TextEncoder();
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      if (!announced && /Download/.test(text)) {
        announced = true;
        say(
          `first run here: fetching the npm packages the tests import ` +
            `(${
              npmImports().join(", ")
            }, pinned by deno.lock) into Deno's cache`,
        );
      }
      await to.write(enc.encode(text));
    }
  };
  await Promise.all([
    forward(child.stdout, Deno.stdout),
    forward(child.stderr, Deno.stderr),
  ]);
  const { success, code } = await child.status;
  if (!success) {
    say(
      `\`deno install\` exited ${code}: the npm packages could not be fetched; no test was run.`,
    );
  }
  return success;
}
