/**
 * The cost of topic history on the publish path, in instructions: run under
 * callgrind, which counts them the same on a busy machine or a quiet one.
 * One publisher, `--subs` subscribers (connections on a transport that
 * frames like the native engine's and throws the bytes away), `--messages`
 * publishes of 64 bytes, history `--history N` (0: off). Compare the
 * instruction counts of two runs (`ir` of `callgrind_annotate`), each minus
 * a run with `--messages 0` (start-up and setup).
 *
 *     valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p \
 *       deno run -A bench/history_cost.ts --history 1000
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Connection, type Transport } from "../lib/core/connection.ts";
import { encodeFrame } from "../lib/protocol/frame_writer.ts";
import { defineHandler } from "../lib/mod.ts";
import { topics } from "../lib/topics/topics.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    subs: { type: "string", default: "1000" },
    messages: { type: "string", default: "2000" },
    history: { type: "string", default: "0" },
  },
});
const SUBS = Number(values.subs);
const MESSAGES = Number(values.messages);
topics.history.defaults = { size: Number(values.history), ttl: 3600 };

let bytes = 0;
const transport: Transport = {
  send: (d) => void (bytes += typeof d === "string" ? d.length : d.byteLength),
  close: () => {},
  bufferedAmount: 0,
  encode: encodeFrame,
  sendEncoded: (f) => void (bytes += (f as Uint8Array).byteLength),
};
const handler = defineHandler({ message() {} });
// One settings object for every connection, as the app shares its own.
const settings = { maxMessageSize: 1 << 20, sendHighWater: 1 << 20 };
const conns = Array.from({ length: SUBS + 1 }, (_, i) => {
  const conn = new Connection({
    id: `c${i}`,
    handler,
    url: "ws://x/t",
    params: {},
    headers: new Headers(),
    remoteAddr: { hostname: "127.0.0.1", port: i },
    protocol: "",
    state: undefined,
    settings,
  });
  conn.attach(transport);
  conn.opened();
  return conn;
});
const [publisher, ...subscribers] = conns;
for (const c of subscribers) c.subscribe("bench");
const payload = ".".repeat(60);
for (let i = 0; i < MESSAGES; i++) {
  publisher.publish("bench", `${i} ${payload}`);
}
console.log(
  `subs ${SUBS} messages ${MESSAGES} history ${values.history}: ${bytes} bytes framed`,
);
