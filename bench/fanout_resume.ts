/**
 * The resume figure of the fan-out bench: how long a subscriber that missed
 * 1,000 messages takes to get them back — from sending its `subscribe` with
 * `since` to the `subscribed` frame that follows the replay — on a server
 * with `--history`, over the `denosocket.topics.v1` endpoint `/topics`.
 *
 * @module
 */

/** One resume measurement. */
export interface ResumeResult {
  missed: number;
  rounds: number;
  /** Milliseconds per round, sorted. */
  ms: number[];
  medianMs: number;
}

const V1 = "denosocket.topics.v1";

/** A socket whose frames are read as JSON, in order. */
async function open(url: string) {
  const ws = new WebSocket(url, V1);
  // deno-lint-ignore no-explicit-any
  const queue: any[] = [];
  // deno-lint-ignore no-explicit-any
  let wake: ((f: any) => void) | null = null;
  ws.onmessage = (e) => {
    const f = JSON.parse(e.data);
    if (wake) {
      const w = wake;
      wake = null;
      w(f);
    } else queue.push(f);
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`cannot open ${url}`));
  });
  return {
    ws,
    // deno-lint-ignore no-explicit-any
    next(): Promise<any> {
      if (queue.length) return Promise.resolve(queue.shift());
      return new Promise((r) => (wake = r));
    },
    send: (o: unknown) => ws.send(JSON.stringify(o)),
  };
}

/**
 * Measures `rounds` resumes of `missed` messages against `subUrl`, with a
 * publisher on `pubUrl` (another server on the same bus, or the same one).
 *
 * @example
 * ```ts ignore
 * const r = await measureResume("ws://127.0.0.1:9300/topics", "ws://127.0.0.1:9300/topics");
 * console.log(r.medianMs);
 * ```
 */
export async function measureResume(
  subUrl: string,
  pubUrl: string,
  missed = 1000,
  rounds = 5,
): Promise<ResumeResult> {
  const topic = `resume-bench-${crypto.randomUUID().slice(0, 8)}`;
  const pub = await open(pubUrl);
  const ms: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const before = await open(subUrl);
    before.send({ type: "subscribe", topic });
    const at = await before.next();
    before.ws.close();
    for (let i = 1; i <= missed; i++) {
      pub.send({
        type: "publish",
        topic,
        data: { i, pad: "x".repeat(40) },
        id: i,
      });
    }
    for (let acked = 0; acked < missed;) {
      const f = await pub.next();
      if (f.type === "published") acked++;
      else if (f.type === "error") throw new Error(JSON.stringify(f));
    }
    const back = await open(subUrl);
    const t0 = performance.now();
    back.send({
      type: "subscribe",
      topic,
      since: { epoch: at.epoch, offset: at.offset },
    });
    let got = 0;
    for (;;) {
      const f = await back.next();
      if (f.type === "message") got++;
      if (f.type === "subscribed") {
        ms.push(performance.now() - t0);
        if (!f.recovered || got !== missed) {
          throw new Error(
            `resume got ${got} of ${missed}: ${JSON.stringify(f)}`,
          );
        }
        break;
      }
    }
    back.ws.close();
  }
  pub.ws.close();
  ms.sort((a, b) => a - b);
  const round2 = (x: number) => Math.round(x * 100) / 100;
  return {
    missed,
    rounds,
    ms: ms.map(round2),
    medianMs: round2(ms[Math.floor(ms.length / 2)]),
  };
}
