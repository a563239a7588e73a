/**
 * `deno bench bench/hot_paths_bench.ts`: per-message work the server does on
 * every text message. s6 (1 KiB text) runs at ~0.65–0.7× raw Deno while s2
 * (64 B) is near parity; counting UTF-8 bytes of each string, once when it
 * arrives and once when it is sent, grows with message size, so it is
 * measured here against the alternatives.
 *
 * @module
 */
import { utf8Length } from "../lib/protocol/utf8_length.ts";

const SMALL = "x".repeat(64);
const KIB = JSON.stringify({
  items: Array.from({ length: 20 }, (_, i) => ({ n: i, name: `item-${i}` })),
})
  .padEnd(1024, "x");
const encoder = new TextEncoder();
const scratch = new Uint8Array(4096);

Deno.bench("utf8Length 64 B", { group: "64 B", baseline: true }, () => {
  utf8Length(SMALL);
});
Deno.bench("string.length 64 B", { group: "64 B" }, () => {
  void SMALL.length;
});
Deno.bench("utf8Length 1 KiB", { group: "1 KiB", baseline: true }, () => {
  utf8Length(KIB);
});
Deno.bench("encodeInto 1 KiB", { group: "1 KiB" }, () => {
  encoder.encodeInto(KIB, scratch);
});
Deno.bench("string.length 1 KiB", { group: "1 KiB" }, () => {
  void KIB.length;
});
