/**
 * `/pubsub/:topic`: a bare topic. Every connection subscribes to
 * `pubsub:TOPIC`; whatever one sends, text or binary, goes to all the
 * others (here and, through the bus, on other workers and servers).
 * With `?hello=1` the server first sends `{"type":"subscribed","topic":…,
 * "server":…}` once the subscription is in place (the fan-out bench waits
 * for it). Topics are 1-128 of `A-Z a-z 0-9 _ . : -`.
 */
import { defineHandler, instanceId } from "../../lib/mod.ts";

const TOPIC = /^[A-Za-z0-9_.:-]{1,128}$/;

export default defineHandler({
  accept(_req, info) {
    if (!TOPIC.test(info.params.topic)) {
      return new Response(
        "topics are 1-128 of A-Z a-z 0-9 _ . : -\n",
        { status: 400 },
      );
    }
  },
  open(conn) {
    const topic = `pubsub:${conn.params.topic}`;
    conn.subscribe(topic);
    if (conn.url.searchParams.get("hello") === "1") {
      conn.send(JSON.stringify({
        type: "subscribed",
        topic: conn.params.topic,
        server: instanceId,
      }));
    }
  },
  message(conn, data) {
    conn.publish(`pubsub:${conn.params.topic}`, data);
  },
});
