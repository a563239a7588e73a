/**
 * `deno task soak`: a long run against a real `main.ts` subprocess (not part
 * of `deno task test`).
 *
 * 1. Idle + busy: `--idle` idle connections and `--busy` echoing ones for
 *    `--duration` seconds. Server RSS and open sockets are sampled; both must
 *    stay flat; after all close the descriptors return to the baseline, and
 *    `--rounds` more rounds of opening and closing them all must not grow
 *    RSS without bound (V8 keeps freed pages, so RSS stays near its peak).
 * 2. Shutdown under load: `--shutdown-clients` busy connections, SIGTERM.
 *    Every client must get 1001, the process must exit 0 within the
 *    deadline, and every message the server took in must have been echoed
 *    and delivered before its 1001.
 *
 * Needs `ulimit -n` above idle + busy (+ the server's own), in both processes.
 *
 * @example
 * ```sh
 * deno task soak --duration 60 --idle 2000
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type ServerProcess, spawnServer } from "../tests/support/server.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    duration: { type: "string", default: "180" },
    idle: { type: "string", default: "10000" },
    busy: { type: "string", default: "100" },
    "shutdown-clients": { type: "string", default: "1000" },
    "busy-interval": { type: "string", default: "100" },
    rounds: { type: "string", default: "3" },
    engine: { type: "string", default: "deno" },
  },
});
const DURATION_S = Number(values.duration);
const IDLE = Number(values.idle);
const BUSY = Number(values.busy);
const SHUTDOWN_CLIENTS = Number(values["shutdown-clients"]);
const INTERVAL_MS = Number(values["busy-interval"]);
const ROUNDS = Number(values.rounds);
const SHUTDOWN_DEADLINE_MS = 5000; // main.ts exits by 4 s (EXIT_DEADLINE_MS)
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Server RSS in MiB and open descriptors, from /proc. */
async function sample(pid: number): Promise<{ rss: number; fds: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  let fds = 0;
  for await (const _ of Deno.readDir(`/proc/${pid}/fd`)) fds++;
  return { rss: Math.round((kb * 1024 / MiB) * 10) / 10, fds };
}

/** A client that sends numbered messages every `INTERVAL_MS` and checks echoes. */
class Client {
  ws: WebSocket;
  sent = 0;
  echoed = 0;
  outOfOrder = 0;
  close = Promise.withResolvers<{ code: number; reason: string }>();
  #timer?: ReturnType<typeof setInterval>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.onmessage = (e) => {
      if (e.data !== `m${this.echoed}`) this.outOfOrder++;
      this.echoed++;
    };
    this.ws.onerror = () => {};
    this.ws.onclose = (e) => {
      clearInterval(this.#timer);
      this.close.resolve({ code: e.code, reason: e.reason });
    };
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.close.promise.then((c) => reject(new Error(`closed ${c.code}`)));
    });
  }

  startBusy(): void {
    this.#timer = setInterval(() => {
      if (this.ws.readyState === 1) this.ws.send(`m${this.sent++}`);
    }, INTERVAL_MS);
  }
}

async function openMany(url: string, n: number): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < n; i += 250) {
    const batch = Array.from(
      { length: Math.min(250, n - i) },
      () => new Client(url),
    );
    await Promise.all(batch.map((c) => c.opened()));
    clients.push(...batch);
  }
  return clients;
}

async function closeAll(clients: Client[]): Promise<void> {
  for (const c of clients) c.ws.close(1000);
  await Promise.all(clients.map((c) => c.close.promise));
}

async function idleAndBusy(): Promise<boolean> {
  const server = await spawnServer([
    "--engine",
    values.engine!,
    "--log-level",
    "warn",
    "--max-connections",
    "0",
  ]);
  const pid = server.child.pid;
  let ok = true;
  try {
    await sleep(1000);
    const base = await sample(pid);
    console.log(`baseline: rss ${base.rss} MiB, fds ${base.fds}`);
    const t0 = performance.now();
    const idle = await openMany(`${server.ws}/echo`, IDLE);
    const busy = await openMany(`${server.ws}/echo`, BUSY);
    busy.forEach((c) => c.startBusy());
    console.log(
      `opened ${IDLE} idle + ${BUSY} busy in ${
        Math.round(performance.now() - t0)
      } ms`,
    );
    const samples: { t: number; rss: number; fds: number }[] = [];
    const start = performance.now();
    while (performance.now() - start < DURATION_S * 1000) {
      await sleep(Math.min(10_000, DURATION_S * 1000));
      const s = await sample(pid);
      const t = Math.round((performance.now() - start) / 1000);
      samples.push({ t, ...s });
      const open = [...idle, ...busy].filter((c) => c.ws.readyState === 1)
        .length;
      console.log(
        `t=${t}s rss ${s.rss} MiB, server fds ${s.fds}, open ${open}`,
      );
    }
    const echoes = busy.reduce((n, c) => n + c.echoed, 0);
    const lost = busy.reduce((n, c) => n + (c.sent - c.echoed), 0);
    const disorder = busy.reduce((n, c) => n + c.outOfOrder, 0);
    console.log(
      `busy: ${echoes} echoes, ${lost} in flight, ${disorder} out of order`,
    );
    const first = samples[Math.min(1, samples.length - 1)];
    const last = samples[samples.length - 1];
    const rssGrowth = (last.rss - first.rss) / first.rss;
    console.log(
      `rss ${first.rss} → ${last.rss} MiB (${
        (rssGrowth * 100).toFixed(1)
      }%), fds ${first.fds} → ${last.fds}`,
    );
    if (rssGrowth > 0.15 || last.fds !== first.fds || disorder > 0) ok = false;

    await closeAll([...idle, ...busy]);
    const peak = Math.max(...samples.map((s) => s.rss));
    for (const wait of [5, 30]) {
      await sleep(wait === 5 ? 5000 : 25_000);
      const after = await sample(pid);
      console.log(
        `${wait} s after all closed: rss ${after.rss} MiB (baseline ${base.rss}, peak ${peak}), fds ${after.fds} (baseline ${base.fds})`,
      );
      if (after.fds > base.fds + 2) ok = false;
    }
    // V8 and the allocator keep freed pages (RSS stays near the peak), and
    // V8 collects lazily; a leak shows as growth round after round.
    let lastRound = 0;
    for (let round = 2; round <= ROUNDS + 1; round++) {
      const again = await openMany(`${server.ws}/echo`, IDLE + BUSY);
      const open = await sample(pid);
      await closeAll(again);
      await sleep(3000);
      const closed = await sample(pid);
      lastRound = open.rss;
      console.log(
        `round ${round} of ${
          IDLE + BUSY
        }: rss ${open.rss} MiB open, ${closed.rss} MiB closed, fds ${closed.fds}`,
      );
      if (closed.fds > base.fds + 2) ok = false;
    }
    if (lastRound > peak * 1.75) ok = false;
  } finally {
    const status = await server.stop();
    if (status.code !== 0) ok = false;
  }
  return ok;
}

async function shutdownUnderLoad(): Promise<boolean> {
  const server: ServerProcess = await spawnServer([
    "--engine",
    values.engine!,
    "--max-connections",
    "0",
  ]);
  const clients = await openMany(`${server.ws}/echo`, SHUTDOWN_CLIENTS);
  clients.forEach((c) => c.startBusy());
  await sleep(3000);
  const t0 = performance.now();
  const status = await server.stop("SIGTERM");
  const exitMs = Math.round(performance.now() - t0);
  const closes = await Promise.all(clients.map((c) => c.close.promise));
  const codes: Record<string, number> = {};
  for (const c of closes) codes[c.code] = (codes[c.code] ?? 0) + 1;
  // The server logs msgs_in/msgs_out per connection at close.
  const logged = [
    ...server.output().matchAll(
      / close id=\S+ .*?msgs_in=(\d+) .*?msgs_out=(\d+)/g,
    ),
  ];
  const unechoed = logged.filter((m) => m[1] !== m[2]).length;
  const serverOut = logged.reduce((n, m) => n + Number(m[2]), 0);
  const clientIn = clients.reduce((n, c) => n + c.echoed, 0);
  const inFlight = clients.reduce((n, c) => n + c.sent - c.echoed, 0);
  const disorder = clients.reduce((n, c) => n + c.outOfOrder, 0);
  console.log(
    `SIGTERM with ${SHUTDOWN_CLIENTS} busy: exit ${status.code} after ${exitMs} ms; close codes ${
      JSON.stringify(codes)
    }`,
  );
  console.log(
    `  server took in and echoed: ${serverOut} (connections with unechoed input: ${unechoed} of ${logged.length}); clients received ${clientIn}; ${inFlight} sent after the server's 1001 left (not taken in); ${disorder} out of order`,
  );
  return status.code === 0 && exitMs < SHUTDOWN_DEADLINE_MS &&
    codes["1001"] === SHUTDOWN_CLIENTS && unechoed === 0 &&
    logged.length === SHUTDOWN_CLIENTS && serverOut === clientIn &&
    disorder === 0;
}

const limit = new TextDecoder().decode(
  (await new Deno.Command("sh", { args: ["-c", "ulimit -n"] }).output())
    .stdout,
).trim();
if (Number(limit) < IDLE + BUSY + 200) {
  console.error(
    `ulimit -n is ${limit}: raise it above ${
      IDLE + BUSY + 200
    } (ulimit -n 20000)`,
  );
  Deno.exit(2);
}
const a = await idleAndBusy();
console.log(a ? "idle+busy: PASS" : "idle+busy: FAIL");
const b = await shutdownUnderLoad();
console.log(b ? "shutdown under load: PASS" : "shutdown under load: FAIL");
Deno.exit(a && b ? 0 : 1);
