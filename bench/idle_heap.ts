/**
 * Where an idle connection's bytes go: starts a server with a memory probe
 * (`tests/support/memory_probe_server.ts`), opens idle WebSockets from this
 * process in steps (default 1,000, then 11,000 in all) and prints, per
 * connection between the first and the last step: VmRSS, V8's heap
 * (committed and used), external memory, bytes allocated, committed bytes
 * by heap space; with `--snapshot`, the heap-snapshot difference by object
 * kind; with `--retainers RE`, who holds the kinds matching RE.
 *
 * ```sh
 * deno run -A bench/idle_heap.ts                        # native engine
 * deno run -A bench/idle_heap.ts --engine deno
 * deno run -A bench/idle_heap.ts --server raw           # bench/baseline_raw.ts
 * deno run -A bench/idle_heap.ts --server floor         # bare Deno.listen
 * deno run -A bench/idle_heap.ts --counts 0,10000 --no-gc   # as s5 reads RSS
 * deno run -A bench/idle_heap.ts --use --deflate [--shared] --counts 200,1200
 * deno run -A bench/idle_heap.ts --counts 1000,3000 --snapshot --top 40
 * ```
 *
 * Without `--no-gc` the figures are taken after a full GC (what stays
 * alive); the bench's s5 reads RSS without one, so it also counts garbage
 * not yet collected and the young generation grown to hold it.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { retainers, summarize, topRows } from "./idle_heap_snapshot.ts";
import { startProbe } from "../tests/support/memory_probe.ts";

const { values } = parseArgs({
  args: Deno.args.filter((a) => a !== "--"),
  options: {
    engine: { type: "string", default: "native" },
    server: { type: "string", default: "main" },
    counts: { type: "string", default: "1000,11000" },
    use: { type: "boolean", default: false },
    deflate: { type: "boolean", default: false },
    shared: { type: "boolean", default: false },
    "no-gc": { type: "boolean", default: false },
    snapshot: { type: "boolean", default: false },
    top: { type: "string", default: "30" },
    retainers: { type: "string" },
  },
});
const counts = values.counts.split(",").map(Number);
const server = values.server as "main" | "raw" | "floor";
const deflate = values.deflate ? (values.shared ? "shared" : "on") : "";
const probe = await startProbe(
  server,
  server === "main"
    ? ["--engine", values.engine, ...(deflate ? ["--deflate", deflate] : [])]
    : [],
);
const opts = { use: values.use, deflate: values.deflate };

try {
  await probe.open(100, opts); // warm-up: lazily loaded code, first buffers
  const rows: Record<string, number>[] = [];
  const snaps: string[] = [];
  for (const n of counts) {
    await probe.open(100 + n - probe.held, opts);
    await new Promise((r) => setTimeout(r, 500)); // let it settle, as s5 does
    rows.push(await probe.ask(values["no-gc"] ? "measure nogc" : "measure"));
    if (values.snapshot) {
      const path = await Deno.makeTempFile({ suffix: ".heapsnapshot" });
      await probe.ask(`snapshot ${path}`);
      snaps.push(path);
    }
  }
  const label = server === "raw"
    ? "raw Deno"
    : server === "floor"
    ? "floor (bare Deno.listen)"
    : `${values.engine} engine${deflate ? ` --deflate ${deflate}` : ""}`;
  console.log(
    `${label}, ${values.use ? "after one echo" : "idle"}: per connection, ` +
      `${counts.join(" → ")} connections, ${
        values["no-gc"] ? "no GC (as s5 reads RSS)" : "after a full GC"
      }`,
  );
  const first = rows[0], last = rows[rows.length - 1];
  const dn = counts[counts.length - 1] - counts[0];
  const per = (f: string) =>
    (last[f] - first[f]) / dn / (f === "rssKiB" ? 1 : 1024);
  const fields = ["rssKiB", "heapTotal", "usedHeap", "external", "allocated"];
  console.log(fields.map((f) => `${f} ${per(f).toFixed(2)} KiB`).join(" · "));
  const spaces = Object.keys(first).filter((k) => k.endsWith("_space"))
    .filter((k) => Math.abs(per(k)) >= 0.01);
  console.log(
    "  committed by space: " +
      spaces.map((k) => `${k.replace("_space", "")} ${per(k).toFixed(2)}`)
        .join(" · "),
  );
  if (snaps.length >= 2) {
    const a = summarize(snaps[0]), b = summarize(snaps[snaps.length - 1]);
    console.log(topRows(a, b, dn, Number(values.top)));
    if (values.retainers) {
      const pattern = new RegExp(values.retainers);
      const n = counts[counts.length - 1];
      console.log(retainers(snaps[snaps.length - 1], pattern, n));
    }
    for (const s of snaps) await Deno.remove(s);
  }
} finally {
  await probe.stop();
}
