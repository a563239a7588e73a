/**
 * A deliberately broken echo server for `bench/selfcheck.ts`: every Nth
 * message is corrupted, dropped, sent back with the wrong frame type,
 * reordered, or the connection is closed; or (`noclose`) every connection
 * is ended without answering the client's close. The load generator must
 * notice each fault; a benchmark that scores a broken server is worthless.
 *
 * Usage: deno run -A bench/faulty_echo.ts --port P --fault corrupt|drop|type|reorder|close|noclose|none
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

/**
 * `noclose`: a raw TCP server that completes the handshake, then ends the
 * connection when the client's first frame (its close) arrives, without the
 * close reply RFC 6455 §5.5.1 requires. Deno's WebSocket always replies, so
 * this fault cannot be made with it.
 */
async function noCloseReply(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(4096);
  let head = "";
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buf);
    if (n === null) return conn.close();
    head += new TextDecoder().decode(buf.subarray(0, n));
  }
  const key = /^sec-websocket-key:\s*(\S+)/im.exec(head)?.[1] ?? "";
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
  );
  const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
  await conn.write(new TextEncoder().encode(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" +
      `Connection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  ));
  await conn.read(buf); // the client's close frame (or EOF)
  conn.close();
}

if (values.fault === "noclose") {
  const listener = Deno.listen({
    hostname: "127.0.0.1",
    port: Number(values.port),
  });
  for await (const conn of listener) noCloseReply(conn).catch(() => {});
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
