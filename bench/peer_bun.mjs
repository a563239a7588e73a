// Peer for the benchmark: the minimal echo server on Bun.serve, run with the
// binary of the npm package `bun`, installed by bench/peers.ts.
// Usage: bun bench/peer_bun.mjs --port 9001 [--host 127.0.0.1] [--deflate]
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "9001" },
    host: { type: "string", default: "127.0.0.1" },
    deflate: { type: "boolean", default: false },
  },
});

globalThis.Bun.serve({
  port: Number(values.port),
  hostname: values.host,
  fetch(req, server) {
    if (server.upgrade(req)) return undefined;
    return new Response("websocket only", { status: 426 });
  },
  websocket: {
    // Only with --deflate (the bench's deflate rows): like for like.
    perMessageDeflate: values.deflate,
    message(ws, message) {
      ws.send(message); // string → text frame, bytes → binary frame
    },
  },
});
