/**
 * A deliberately broken echo server for `bench/selfcheck.ts`: every Nth
 * message is corrupted, dropped, sent back with the wrong frame type,
 * reordered, or the connection is closed. The load generator must notice
 * each fault; a benchmark that scores a broken server is worthless.
 *
 * Usage: deno run -A bench/faulty_echo.ts --port P --fault corrupt|drop|type|reorder|close|none
 *
 * @module
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "9001" },
    fault: { type: "string", default: "none" },
    every: { type: "string", default: "500" },
  },
});
const every = Number(values.every);
let count = 0; // across all connections: the fault hits whichever is next

function corrupt(data: string | ArrayBuffer): string | ArrayBuffer {
  if (typeof data === "string") {
    const i = data.length >> 1;
    const c = data[i] === "#" ? "$" : "#";
    return data.slice(0, i) + c + data.slice(i + 1);
  }
  const copy = new Uint8Array(data.slice(0));
  copy[copy.length >> 1] ^= 0x01;
  return copy.buffer;
}

function swapType(data: string | ArrayBuffer): string | ArrayBuffer {
  return typeof data === "string"
    ? new TextEncoder().encode(data).buffer
    : new TextDecoder().decode(data);
}

Deno.serve({
  port: Number(values.port),
  hostname: "127.0.0.1",
  onListen: () => {},
}, (req) => {
  const { socket, response } = Deno.upgradeWebSocket(req);
  socket.onmessage = (e) => {
    const data = e.data as string | ArrayBuffer;
    const hit = values.fault !== "none" && ++count % every === 0;
    if (!hit) return socket.send(data);
    switch (values.fault) {
      case "corrupt":
        return socket.send(corrupt(data));
      case "drop":
        return;
      case "type":
        return socket.send(swapType(data));
      case "reorder": // sent after the next message's echo
        return setTimeout(() => socket.send(data), 5);
      case "close":
        return socket.close(1011, "fault injected");
    }
  };
  return response;
});
