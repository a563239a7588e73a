/**
 * `/clock`: the server's time, pushed once a second to every subscriber from
 * one timer — started by the first subscriber, stopped when none is left.
 * Each message is JSON `{"type":"time","iso":"…","ts":…}`; one is sent at once
 * on connect. The tick is published `local`: every process (or worker) ticks
 * for its own subscribers, so none gets two ticks a second whatever the bus.
 */
import { defineHandler, publish, subscriberCount } from "../lib/mod.ts";

const TOPIC = "clock";
let timer: ReturnType<typeof setInterval> | undefined;

function now(): string {
  const d = new Date();
  return JSON.stringify({
    type: "time",
    iso: d.toISOString(),
    ts: d.getTime(),
  });
}

function tick(): void {
  if (subscriberCount(TOPIC) === 0) stop();
  else publish(TOPIC, now(), { local: true });
}

function stop(): void {
  clearInterval(timer);
  timer = undefined;
}

/**
 * Whether the shared timer runs (for tests and the curious).
 *
 * @example
 * ```ts ignore
 * clockRunning(); // false until someone connects to /clock
 * ```
 */
export function clockRunning(): boolean {
  return timer !== undefined;
}

export default defineHandler({
  open(conn) {
    conn.send(now());
    conn.subscribe(TOPIC);
    timer ??= setInterval(tick, 1000);
  },
  close() {
    // The connection has already left the topic by the time close runs.
    if (subscriberCount(TOPIC) === 0) stop();
  },
});
