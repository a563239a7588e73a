/**
 * `static/denosocket.js` against a scripted server: a real `Deno.serve` on
 * port 0 whose WebSocket sends exactly the frames a test chooses, to check
 * what the client does with repeats, a replay that has to wait for its
 * `subscribed`, a lost connection, and publish answers.
 */
import assert from "node:assert/strict";
import { reconnectDelay, TopicsClient } from "../static/denosocket.js";
import { type Frame, recordClient, V1 } from "./support/topics_client.ts";
import { waitFor } from "./support/wait.ts";

/** A server whose sockets the test drives: each connection is handed over. */
function scriptedServer() {
  const conns: { ws: WebSocket; got: Frame[] }[] = [];
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req) => {
      const { socket, response } = Deno.upgradeWebSocket(req, { protocol: V1 });
      const c = { ws: socket, got: [] as Frame[] };
      socket.onmessage = (e) => c.got.push(JSON.parse(e.data));
      socket.onopen = () => conns.push(c);
      return response;
    },
  );
  const send = (i: number, f: Frame) => conns[i].ws.send(JSON.stringify(f));
  return {
    url: `ws://127.0.0.1:${server.addr.port}/`,
    conns,
    send,
    close: () => server.shutdown(),
  };
}

const msg = (offset: number, epoch = "e") => ({
  type: "message",
  topic: "t",
  epoch,
  offset,
  data: `m${offset}`,
});

Deno.test("TopicsClient: resumes from the last offset seen, drops repeats, holds a replay until its subscribed", async () => {
  const s = scriptedServer();
  const r = recordClient(s.url, { minDelay: 10, maxDelay: 20 });
  try {
    r.client.subscribe("t", { last: 5 });
    await waitFor(() => s.conns[0]?.got.length === 1);
    assert.deepEqual(s.conns[0].got[0], {
      type: "subscribe",
      topic: "t",
      last: 5,
    });
    // A replay of two, then subscribed: the app hears subscribed first.
    s.send(0, msg(1));
    s.send(0, msg(2));
    s.send(0, {
      type: "subscribed",
      topic: "t",
      epoch: "e",
      offset: 2,
      recovered: false,
    });
    s.send(0, msg(3));
    await waitFor(() => r.messages.length === 3);
    // The connection drops; the client comes back asking since offset 3.
    s.conns[0].ws.close();
    await waitFor(() => s.conns[1]?.got.length === 1, 5000, "resubscribe");
    assert.deepEqual(s.conns[1].got[0], {
      type: "subscribe",
      topic: "t",
      since: { epoch: "e", offset: 3 },
      last: 5,
    });
    // A server that repeats itself (at least once): 2 and 3 are dropped.
    for (const o of [2, 3, 4, 5]) s.send(1, msg(o));
    s.send(1, {
      type: "subscribed",
      topic: "t",
      epoch: "e",
      offset: 5,
      recovered: true,
    });
    s.send(1, msg(5));
    s.send(1, msg(6));
    await waitFor(() => r.messages.length === 6);
    assert.deepEqual(r.messages.map((m) => m.offset), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(r.client.stats, { reconnects: 1, duplicates: 3 });
    assert.deepEqual(
      r.subscribed.map((x) => [x.resumed, x.recovered]),
      [[false, false], [true, true]],
    );
    assert.deepEqual(r.states.slice(0, 4), [
      "connecting",
      "open",
      "reconnecting",
      "open",
    ]);
    assert.deepEqual(r.client.position("t"), { epoch: "e", offset: 6 });
  } finally {
    r.client.close();
    await s.close();
  }
});

Deno.test("TopicsClient: a later subscribed with recovered: false is told as a resume that lost messages, and replays `last` afresh", async () => {
  const s = scriptedServer();
  const r = recordClient(s.url);
  try {
    r.client.subscribe("t", { last: 2 });
    await waitFor(() => s.conns[0]?.got.length === 1);
    s.send(0, {
      type: "subscribed",
      topic: "t",
      epoch: "e",
      offset: 0,
      recovered: false,
    });
    s.send(0, msg(1));
    // History was lost under it: the server says so with a new epoch.
    s.send(0, {
      type: "subscribed",
      topic: "t",
      epoch: "n",
      offset: 0,
      recovered: false,
      reason: "epoch",
    });
    await waitFor(() => s.conns[0].got.length === 2, 5000, "fresh subscribe");
    assert.deepEqual(s.conns[0].got[1], {
      type: "subscribe",
      topic: "t",
      last: 2,
    });
    assert.deepEqual(
      r.subscribed.map((x) => [x.resumed, x.recovered, x.reason]),
      [[false, false, undefined], [true, false, "epoch"]],
    );
  } finally {
    r.client.close();
    await s.close();
  }
});

Deno.test("TopicsClient.publish resolves with the stored position, rejects on an error or when not connected", async () => {
  const s = scriptedServer();
  const client = new TopicsClient(s.url, { minDelay: 10 });
  try {
    await assert.rejects(client.publish("t", 1), /not connected/);
    await waitFor(() => client.state === "open");
    const ok = client.publish("t", { a: 1 });
    await waitFor(() => s.conns[0]?.got.length === 1);
    const req = s.conns[0].got[0];
    assert.deepEqual([req.type, req.topic, req.data], ["publish", "t", {
      a: 1,
    }]);
    s.send(0, {
      type: "published",
      topic: "t",
      id: req.id,
      epoch: "e",
      offset: 9,
    });
    assert.deepEqual(await ok, { epoch: "e", offset: 9 });
    const refused = client.publish("t", 2);
    await waitFor(() => s.conns[0].got.length === 2);
    s.send(0, {
      type: "error",
      code: "unavailable",
      message: "store down",
      id: s.conns[0].got[1].id,
    });
    await assert.rejects(refused, /unavailable: store down/);
    const lost = client.publish("t", 3);
    await waitFor(() => s.conns[0].got.length === 3);
    s.conns[0].ws.close();
    await assert.rejects(lost, /connection lost/);
  } finally {
    client.close();
    await s.close();
  }
});

Deno.test("reconnectDelay doubles from minDelay up to maxDelay, then takes 50–100 % of it", () => {
  assert.equal(reconnectDelay(1, 250, 10_000, () => 1), 250);
  assert.equal(reconnectDelay(2, 250, 10_000, () => 1), 500);
  assert.equal(reconnectDelay(3, 250, 10_000, () => 0), 500);
  assert.equal(reconnectDelay(20, 250, 10_000, () => 1), 10_000);
  assert.equal(reconnectDelay(20, 250, 10_000, () => 0), 5000);
});

Deno.test("TopicsClient: a subscribe the server refuses is not asked again after a reconnect", async () => {
  const s = scriptedServer();
  const r = recordClient(s.url, { minDelay: 10, maxDelay: 20 });
  try {
    r.client.subscribe("nope");
    r.client.subscribe("t");
    await waitFor(() => s.conns[0]?.got.length === 2);
    s.send(0, {
      type: "error",
      code: "unknown_topic",
      message: "no topic here",
      topic: "nope",
    });
    await waitFor(() => r.errors.length === 1);
    s.conns[0].ws.close();
    await waitFor(() => s.conns[1]?.got.length === 1, 5000, "resubscribe");
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(s.conns[1].got.map((f) => f.topic), ["t"]);
  } finally {
    r.client.close();
    await s.close();
  }
});
