/**
 * Baseline for the benchmark: the least code Deno needs to echo WebSocket
 * messages. The project's server is compared against this, so it must stay
 * minimal: no routing, no logging, no checks beyond the upgrade itself.
 *
 * Usage: deno run -A bench/baseline_raw.ts --port 9001 [--host 127.0.0.1]
 *
 * @module
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "9001" },
    host: { type: "string", default: "127.0.0.1" },
  },
});

Deno.serve(
  {
    port: Number(values.port),
    hostname: values.host,
    onListen: () => {}, // the harness polls the port; keep stdout quiet
  },
  (req) => {
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("websocket only", { status: 426 });
    }
    // Deno's defaults (idleTimeout 30 s): what a minimal app gets.
    const { socket, response } = Deno.upgradeWebSocket(req);
    // Echo as received: string stays text, ArrayBuffer stays binary.
    socket.onmessage = (e) => socket.send(e.data);
    return response;
  },
);
