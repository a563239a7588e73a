import assert from "node:assert/strict";
import { Connection } from "../lib/core/connection.ts";
import { Metrics } from "../lib/ops/metrics.ts";
import { Outgoing } from "../lib/topics/registry.ts";
import { parseSamples } from "./support/prom.ts";
import {
  MAX_CLOSE_CODES,
  OTHER_CODE,
  RouteMeter,
  SIZE_BUCKETS,
  sizeBucket,
} from "../lib/ops/route_meter.ts";

Deno.test("sizeBucket() puts every size in the first bucket whose bound holds it", () => {
  const slow = (n: number) => {
    const i = SIZE_BUCKETS.findIndex((b) => n <= b);
    return i === -1 ? SIZE_BUCKETS.length : i;
  };
  const sizes = [
    0,
    1,
    63,
    64,
    65,
    255,
    256,
    257,
    2 ** 24,
    2 ** 24 + 1,
    2 ** 31,
    2 ** 33,
  ];
  for (const b of SIZE_BUCKETS) sizes.push(b - 1, b, b + 1);
  for (const n of sizes) assert.equal(sizeBucket(n), slow(n), `size ${n}`);
});

Deno.test("RouteMeter counts close codes exactly, then past the cap as other", () => {
  const m = new RouteMeter("/x");
  const total = MAX_CLOSE_CODES + 5;
  for (let i = 0; i < total; i++) {
    m.connOpened();
    m.connClosed(3000 + i, 1);
  }
  m.connOpened();
  m.connClosed(3000, 1); // a code already counted stays exact
  assert.equal(m.closes.size, MAX_CLOSE_CODES + 1);
  assert.equal(m.closes.get(3000), 2);
  assert.equal(m.closes.get(OTHER_CODE), 5);
  assert.equal(m.open, 0);
  assert.equal(m.opened, total + 1);
});

Deno.test('Metrics.render() shows code="other" and cumulative lifetime buckets', () => {
  const metrics = new Metrics([{
    pattern: "/x",
    handler: { message() {} },
    file: "x.ts",
  }]);
  const m = metrics.meters[0];
  for (const seconds of [0.05, 0.5, 30, 100_000]) {
    m.connOpened();
    m.connClosed(1000, seconds);
  }
  for (let i = 0; i <= MAX_CLOSE_CODES; i++) {
    m.connOpened();
    m.connClosed(4000 + i, 1);
  }
  const s = parseSamples(metrics.render());
  const b = (le: string) =>
    s.get(
      `denosocket_connection_duration_seconds_bucket{handler="/x",le="${le}"}`,
    );
  assert.deepEqual(["0.1", "1", "10", "60", "86400", "+Inf"].map(b), [
    1,
    35,
    35,
    36,
    36,
    37,
  ]);
  assert.equal(
    s.get('denosocket_connections_closed_total{handler="/x",code="other"}'),
    2,
  );
});

Deno.test("Connection.deliver() counts a topic delivery, or a drop over the high-water mark", () => {
  let buffered = 0;
  const conn = new Connection<unknown>({
    id: "t",
    handler: { message() {} },
    url: new URL("ws://127.0.0.1/pubsub/x"),
    params: {},
    headers: new Headers(),
    remoteAddr: { hostname: "127.0.0.1", port: 1 },
    protocol: "",
    state: undefined,
    settings: { maxMessageSize: 1024, sendHighWater: 100 },
  });
  conn.attach({
    send() {},
    close() {},
    get bufferedAmount() {
      return buffered;
    },
  });
  const meter = new RouteMeter("/pubsub/:topic");
  conn.meter = meter;
  conn.opened();
  conn.deliver(new Outgoing("héllo"));
  buffered = 100; // at the high-water mark: the next one is skipped
  conn.deliver(new Outgoing("later"));
  assert.deepEqual(
    [meter.topicDeliveries, meter.topicDropped, meter.msgsOut, meter.bytesOut],
    [1, 1, 1, 6],
  );
});
