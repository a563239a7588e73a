// Peer for the benchmark: the minimal echo server on Node's `ws` (npm),
// installed by bench/peers.ts into bench/.peers/ (git-ignored).
// Usage: node bench/peer_node_ws.mjs --port 9001 [--host 127.0.0.1] [--deflate]
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

const require = createRequire(
  new URL("./.peers/package.json", import.meta.url),
);
const { WebSocketServer } = require("ws");
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "9001" },
    host: { type: "string", default: "127.0.0.1" },
    deflate: { type: "boolean", default: false },
  },
});

// permessage-deflate only with --deflate (the bench's deflate rows), so every
// server in a row runs with the same compression.
const wss = new WebSocketServer({
  port: Number(values.port),
  host: values.host,
  perMessageDeflate: values.deflate,
});
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
});
