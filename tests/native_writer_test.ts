// FrameWriter encoding and coalescing, the UTF-8 DFA, masking, close codes.
import assert from "node:assert/strict";
import { encodeFrame, FrameWriter } from "../lib/protocol/frame_writer.ts";
import { isValidUtf8, Utf8Validator } from "../lib/protocol/utf8.ts";
import { applyMask } from "../lib/protocol/mask.ts";
import { isValidWireCloseCode } from "../lib/protocol/close_code.ts";
import { isValidAppCloseCode } from "../lib/protocol/close_code.ts";

const dec = new TextDecoder();

/** Reads one unmasked server frame at b[0..]: [b0, payload, frame size]. */
function readFrame(b: Uint8Array): [number, Uint8Array, number] {
  let len = b[1] & 0x7f, h = 2;
  assert.equal(b[1] & 0x80, 0, "server frames are unmasked");
  if (len === 126) len = (b[2] << 8) | b[3], h = 4;
  else if (len === 127) {
    len = Number(new DataView(b.buffer, b.byteOffset + 2).getBigUint64(0)),
      h = 10;
  }
  return [b[0], b.subarray(h, h + len), h + len];
}

Deno.test("FrameWriter picks 7, 16 and 64-bit lengths at the boundaries", () => {
  for (
    const [n, hdr] of [[0, 2], [125, 2], [126, 4], [65535, 4], [65536, 10], [
      70000,
      10,
    ]]
  ) {
    const w = new FrameWriter();
    w.binary(new Uint8Array(n).fill(5));
    const out = w.take()!;
    const [b0, payload, size] = readFrame(out);
    assert.equal(b0, 0x82);
    assert.equal(payload.length, n);
    assert.equal(size - n, hdr, `header for ${n}`);
    assert.equal(out.length, size);
  }
});

Deno.test("FrameWriter encodes text, including multi-byte text that needs a longer header", () => {
  for (
    const s of [
      "",
      "hi",
      "€".repeat(42),
      "é".repeat(100),
      "x".repeat(20000),
      "😀".repeat(5000),
    ]
  ) {
    const w = new FrameWriter();
    w.text(s);
    const [b0, payload] = readFrame(w.take()!);
    assert.equal(b0, 0x81);
    assert.equal(dec.decode(payload), s);
  }
});

Deno.test("FrameWriter coalesces frames into one buffer; taken bytes stay intact until the next take()", () => {
  const w = new FrameWriter({ blockSize: 64 });
  assert.equal(w.take(), null);
  w.text("a");
  w.ping(new Uint8Array([1]));
  w.binary(new Uint8Array(100)); // forces a new block with the pending bytes copied over
  w.pong();
  const first = w.take()!;
  const snapshot = first.slice();
  assert.equal(w.pending, 0);
  for (let i = 0; i < 20; i++) w.text("overwrite?");
  assert.deepEqual(first, snapshot);
  const kinds: number[] = [];
  for (let p = 0; p < first.length;) {
    const [b0, , size] = readFrame(first.subarray(p));
    kinds.push(b0);
    p += size;
  }
  assert.deepEqual(kinds, [0x81, 0x89, 0x82, 0x8a]);
});

Deno.test("FrameWriter close frames: code + reason, empty, and RangeErrors", () => {
  const w = new FrameWriter();
  w.close(1000, "bye");
  w.close();
  const out = w.take()!;
  const [b0, p, size] = readFrame(out);
  assert.equal(b0, 0x88);
  assert.deepEqual(Array.from(p), [0x03, 0xe8, 98, 121, 101]);
  assert.deepEqual(Array.from(out.subarray(size)), [0x88, 0]);
  assert.throws(() => w.close(1005), RangeError);
  assert.throws(() => w.close(999), RangeError);
  assert.throws(() => w.close(1000, "x".repeat(124)), RangeError);
  assert.throws(() => w.ping(new Uint8Array(126)), RangeError);
  w.close(1000, "é".repeat(61)); // 122 bytes: fine
});

Deno.test("Utf8Validator accepts valid and rejects invalid sequences", () => {
  const valid = [
    [],
    [0x24],
    [0xc2, 0xa2],
    [0xe2, 0x82, 0xac],
    [0xf0, 0x9f, 0x98, 0x80],
    [0xef, 0xbb, 0xbf],
    [0xf4, 0x8f, 0xbf, 0xbf],
    [0xed, 0x9f, 0xbf],
  ];
  const invalid = [
    [0x80],
    [0xbf],
    [0xc0, 0x80],
    [0xc1, 0xbf],
    [0xe0, 0x80, 0x80],
    [0xe0, 0x9f, 0xbf],
    [0xed, 0xa0, 0x80],
    [0xed, 0xbf, 0xbf],
    [0xf0, 0x80, 0x80, 0x80],
    [0xf4, 0x90, 0x80, 0x80],
    [0xf5, 0x80, 0x80, 0x80],
    [0xff],
    [0xc2],
    [0xe2, 0x82],
    [0xf0, 0x9f, 0x98],
    [0xc2, 0x41],
  ];
  for (const b of valid) {
    assert.equal(isValidUtf8(new Uint8Array(b)), true, `${b}`);
  }
  for (const b of invalid) {
    assert.equal(isValidUtf8(new Uint8Array(b)), false, `${b}`);
  }
});

Deno.test("Utf8Validator agrees with a fatal TextDecoder on random bytes, split anywhere", () => {
  const fatal = new TextDecoder("utf-8", { fatal: true });
  let seed = 1;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  for (let i = 0; i < 3000; i++) {
    // Biased towards bytes that form sequences, so both outcomes occur.
    const b = new Uint8Array(1 + (rnd() % 12)).map(() =>
      [rnd() & 0x7f, 0x80 | (rnd() & 0x3f), 0xc2 + (rnd() % 51)][rnd() % 3]
    );
    let expected = true;
    try {
      fatal.decode(b);
    } catch {
      expected = false;
    }
    assert.equal(isValidUtf8(b), expected);
    const cut = rnd() % (b.length + 1);
    const v = new Utf8Validator();
    const ok = v.push(b.subarray(0, cut)) && v.push(b.subarray(cut));
    assert.equal(ok && v.end(), expected);
  }
});

Deno.test("applyMask matches a byte-wise XOR at every offset, length and phase", () => {
  const mask = new Uint8Array([0xa1, 0x02, 0xf3, 0x44]);
  const buf = new Uint8Array(300).map((_, i) => i * 7);
  for (const off of [0, 1, 2, 3, 5]) {
    for (const len of [0, 1, 63, 64, 65, 200]) {
      for (const phase of [0, 1, 2, 3]) {
        const a = buf.slice();
        applyMask(a.subarray(off, off + len), mask, phase);
        const b = buf.slice();
        for (let i = 0; i < len; i++) b[off + i] ^= mask[(i + phase) & 3];
        assert.deepEqual(a, b, `off ${off} len ${len} phase ${phase}`);
      }
    }
  }
});

Deno.test("close code helpers: wire-valid vs handler-sendable", () => {
  for (
    const c of [1000, 1001, 1002, 1003, 1007, 1011, 1012, 1014, 3000, 4999]
  ) assert.equal(isValidWireCloseCode(c), true, `${c}`);
  for (const c of [999, 1004, 1005, 1006, 1015, 2999, 5000]) {
    assert.equal(isValidWireCloseCode(c), false, `${c}`);
  }
  for (const c of [1000, 3000, 4999]) {
    assert.equal(isValidAppCloseCode(c), true, `${c}`);
  }
  for (const c of [1001, 1002, 1011, 2999, 5000]) {
    assert.equal(isValidAppCloseCode(c), false, `${c}`);
  }
});

Deno.test("encodeFrame makes the same bytes as FrameWriter, for fan-out via raw()", () => {
  for (const n of [0, 125, 126, 65535, 65536]) {
    for (const data of ["é".repeat(n >> 1), new Uint8Array(n).fill(1)]) {
      const w = new FrameWriter();
      if (typeof data === "string") w.text(data);
      else w.binary(data);
      const direct = w.take()!.slice();
      w.raw(encodeFrame(data));
      assert.deepEqual(w.take(), direct, `${typeof data} ${n}`);
    }
  }
});
