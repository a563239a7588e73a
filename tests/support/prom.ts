/**
 * Reading `/_metrics` in tests: samples keyed by their exact series text
 * (`name{label="v",…}`), and `promtool check metrics` on the exposition.
 *
 * @module
 */
import { childEnv } from "./spawn.ts";
import { TOOLS } from "./tools.ts";

/**
 * Parses a Prometheus text exposition into `series → value`.
 *
 * @example
 * ```ts
 * import { parseSamples } from "./prom.ts";
 * parseSamples('x_total{a="b"} 3\n').get('x_total{a="b"}'); // 3
 * ```
 */
export function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/**
 * Runs Debian's `promtool check metrics` on `text`; `ok` is exit code 0 and
 * no lint output.
 *
 * @example
 * ```ts ignore
 * const { ok, output } = await promtoolCheck(await res.text());
 * ```
 */
export async function promtoolCheck(
  text: string,
): Promise<{ ok: boolean; output: string }> {
  const child = new Deno.Command(TOOLS.promtool.path, {
    args: ["check", "metrics"],
    clearEnv: true,
    env: childEnv(),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  const dec = new TextDecoder();
  const output = dec.decode(out.stdout) + dec.decode(out.stderr);
  return { ok: out.code === 0 && output.trim() === "", output };
}

/**
 * Fetches `/_metrics` and parses it.
 *
 * @example
 * ```ts ignore
 * const m = await scrape(server.http);
 * m.get('denosocket_connections_open{handler="/echo"}'); // 0
 * ```
 */
export async function scrape(
  http: string,
  headers: HeadersInit = {},
): Promise<Map<string, number>> {
  const res = await fetch(`${http}/_metrics`, { headers });
  if (res.status !== 200) {
    throw new Error(`/_metrics answered ${res.status}: ${await res.text()}`);
  }
  return parseSamples(await res.text());
}

/**
 * Scrapes until `done(samples)` holds (server-side close events land a
 * moment after the client's), for up to `ms`.
 *
 * @example
 * ```ts ignore
 * await scrapeUntil(server.http, (m) =>
 *   m.get('denosocket_connections_open{handler="/echo"}') === 0);
 * ```
 */
export async function scrapeUntil(
  http: string,
  done: (samples: Map<string, number>) => boolean,
  ms = 10_000,
): Promise<Map<string, number>> {
  const deadline = Date.now() + ms;
  let samples = await scrape(http);
  while (!done(samples) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    samples = await scrape(http);
  }
  return samples;
}
