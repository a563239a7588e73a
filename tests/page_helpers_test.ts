// The pages' shared browser modules are plain ES modules, so Deno can test
// them directly.
import assert from "node:assert/strict";
import {
  formatBytes,
  hexPreview,
  parseHex,
  parseSize,
  textPreview,
  utf8Length,
} from "../static/format.js";
import { parseProtocols, readyStateText, wsUrl } from "../static/ws_url.js";

Deno.test("wsUrl() follows the page: ws: for http:, wss: for https:, full URLs kept", () => {
  const http = { protocol: "http:", host: "localhost:9998" };
  const https = { protocol: "https:", host: "example.test" };
  assert.equal(wsUrl("/echo", http), "ws://localhost:9998/echo");
  assert.equal(wsUrl("echo?x=1", http), "ws://localhost:9998/echo?x=1");
  assert.equal(wsUrl("/echo", https), "wss://example.test/echo");
  assert.equal(wsUrl("wss://other.test/a", http), "wss://other.test/a");
  assert.equal(wsUrl("WS://other.test/a", https), "WS://other.test/a");
});

Deno.test("parseProtocols() splits on commas and drops blanks", () => {
  assert.deepEqual(parseProtocols(" chat.v2, chat ,,"), ["chat.v2", "chat"]);
  assert.deepEqual(parseProtocols(null), []);
  assert.equal(readyStateText(0), "0 CONNECTING");
  assert.equal(readyStateText(3), "3 CLOSED");
});

Deno.test("parseSize() reads the benchmark's sizes and refuses the rest", () => {
  assert.equal(parseSize("1024"), 1024);
  assert.equal(parseSize(" 64k "), 65536);
  assert.equal(parseSize("1M"), 1048576);
  assert.equal(parseSize("16MiB"), 16 * 1048576);
  assert.equal(parseSize("1MB"), 1_000_000);
  assert.equal(parseSize("1.5k"), 1536);
  for (const bad of ["", "lots", "-1", "1 G", "1e3", "0x10"]) {
    assert.equal(parseSize(bad), null, bad);
  }
});

Deno.test("formatBytes() keeps three significant digits", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(2000), "1.95 KiB");
  assert.equal(formatBytes(81920), "80 KiB");
  assert.equal(formatBytes(13107200), "12.5 MiB");
  assert.equal(formatBytes(3 * 1024 ** 3), "3 GiB");
});

Deno.test("parseHex() and the previews the console logs", () => {
  assert.deepEqual(
    parseHex("de ad be ef"),
    new Uint8Array([222, 173, 190, 239]),
  );
  assert.deepEqual(parseHex("0x01,0xff"), new Uint8Array([1, 255]));
  assert.deepEqual(parseHex(""), new Uint8Array(0));
  assert.equal(parseHex("abc"), null);
  assert.equal(parseHex("zz"), null);
  assert.equal(hexPreview(new Uint8Array([0, 15, 255])), "00 0f ff");
  assert.equal(hexPreview(new Uint8Array(40), 2), "00 00 …");
  assert.equal(textPreview("hello world", 5), "hello…");
  assert.equal(utf8Length("é€"), 5);
});
