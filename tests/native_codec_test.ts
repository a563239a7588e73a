// FrameParser: every RFC 6455 §5 rule, with hand-built frames fed whole,
// byte by byte and in random splits (the results must not differ).
import assert from "node:assert/strict";
import {
  FrameParser,
  type FrameParserOptions,
} from "../lib/protocol/frame_parser.ts";
import { clientFrame, closePayload, joinBytes } from "./support/frames.ts";
import { MessageInflater } from "../lib/protocol/deflate.ts";
import { DEFAULT_PARAMS } from "../lib/protocol/deflate_negotiation.ts";
import { referenceDecode } from "./support/reference_decoder.ts";

type Ev = [string, ...unknown[]];
const TEXT = 1, BINARY = 2, CLOSE = 8, PING = 9, PONG = 10;
const enc = new TextEncoder();

/**
 * Parses `bytes` split into pieces of `step` bytes (0: whole). `transient`:
 * every piece goes through one reused buffer that is overwritten with junk
 * after each push, so a view the parser kept by mistake shows up as junk.
 * Payloads are converted to arrays only at the end, for the same reason.
 */
function parseWith(
  bytes: Uint8Array,
  step: number,
  opts?: () => FrameParserOptions,
  transient = false,
): Ev[] {
  const evs: Ev[] = [];
  const p = new FrameParser({
    onMessage: (m) => evs.push(["message", m]),
    onPing: (b) => evs.push(["ping", b]),
    onPong: (b) => evs.push(["pong", b]),
    onClose: (c, r) => evs.push(["close", c, r]),
    onError: (c) => evs.push(["error", c]),
  }, { ...opts?.(), transient });
  const copy = bytes.slice(); // the parser unmasks in place
  const n = step === 0 ? copy.length : step;
  const reused = new Uint8Array(n);
  for (let i = 0; i < copy.length; i += n) {
    const piece = copy.subarray(i, i + n);
    if (transient) {
      reused.set(piece);
      p.push(reused.subarray(0, piece.length));
      reused.fill(0xaa);
    } else p.push(piece.slice());
  }
  return evs.map((e) =>
    e.map((v) => v instanceof Uint8Array ? Array.from(v) : v) as Ev
  );
}

/** Whole, byte by byte, 3/7-byte splits, owned or transient: all agree. */
function parse(bytes: Uint8Array, opts?: () => FrameParserOptions): Ev[] {
  const whole = parseWith(bytes, 0, opts);
  for (const step of [0, 1, 3, 7]) {
    if (step) {
      assert.deepEqual(parseWith(bytes, step, opts), whole, `split ${step}`);
    }
    assert.deepEqual(
      parseWith(bytes, step, opts, true),
      whole,
      `transient split ${step}`,
    );
  }
  return whole;
}

const deflateOpts = () => ({ inflater: new MessageInflater(DEFAULT_PARAMS) });

Deno.test("FrameParser decodes a masked text frame", () => {
  assert.deepEqual(parse(clientFrame(TEXT, "Hello")), [["message", "Hello"]]);
});

Deno.test("FrameParser decodes binary, empty text and empty binary messages", () => {
  const evs = parse(
    joinBytes(
      clientFrame(BINARY, new Uint8Array([0, 1, 255])),
      clientFrame(TEXT, ""),
      clientFrame(BINARY),
    ),
  );
  assert.deepEqual(evs, [["message", [0, 1, 255]], ["message", ""], [
    "message",
    [],
  ]]);
});

Deno.test("FrameParser handles 16-bit and 64-bit lengths (and non-minimal forms)", () => {
  const a = "x".repeat(300), b = "y".repeat(70000);
  const evs = parse(joinBytes(
    clientFrame(TEXT, a),
    clientFrame(TEXT, b),
    clientFrame(TEXT, "short", { lengthBits: 64 }),
  ));
  assert.deepEqual(evs, [["message", a], ["message", b], ["message", "short"]]);
});

Deno.test("FrameParser unmasks long payloads at unaligned offsets", () => {
  const data = new Uint8Array(1001).map((_, i) => (i * 31 + 7) & 0xff);
  const bytes = joinBytes(clientFrame(TEXT, "a"), clientFrame(BINARY, data)); // starts at offset 7
  assert.deepEqual(parse(bytes), [["message", "a"], [
    "message",
    Array.from(data),
  ]]);
});

Deno.test("FrameParser emits a single in-chunk binary frame as a view, not a copy", () => {
  const chunk = clientFrame(BINARY, new Uint8Array(200).fill(9));
  let got: Uint8Array | undefined;
  const p = new FrameParser({
    onMessage: (m) => got = m as Uint8Array,
    onPing() {},
    onPong() {},
    onClose() {},
    onError() {},
  });
  p.push(chunk);
  assert.equal(got!.buffer, chunk.buffer);
  assert.equal(got!.byteOffset, 8);
});

Deno.test("FrameParser emits many frames from one chunk in order", () => {
  const frames = Array.from(
    { length: 50 },
    (_, i) => clientFrame(TEXT, `m${i}`),
  );
  assert.deepEqual(
    parse(joinBytes(...frames)),
    frames.map((_, i) => ["message", `m${i}`]),
  );
});

Deno.test("FrameParser rejects an unmasked client frame with 1002", () => {
  assert.deepEqual(parse(clientFrame(TEXT, "hi", { mask: null })), [[
    "error",
    1002,
  ]]);
});

Deno.test("FrameParser reassembles fragmented text and binary messages", () => {
  const evs = parse(joinBytes(
    clientFrame(TEXT, "Hel", { fin: false }),
    clientFrame(0, "", { fin: false }),
    clientFrame(0, "lo"),
    clientFrame(BINARY, new Uint8Array([1]), { fin: false }),
    clientFrame(0, new Uint8Array([2, 3])),
  ));
  assert.deepEqual(evs, [["message", "Hello"], ["message", [1, 2, 3]]]);
});

Deno.test("FrameParser rejects a continuation without a message with 1002", () => {
  assert.deepEqual(parse(clientFrame(0, "x")), [["error", 1002]]);
});

Deno.test("FrameParser rejects a new data frame inside a fragmented message with 1002", () => {
  const bytes = joinBytes(
    clientFrame(TEXT, "a", { fin: false }),
    clientFrame(TEXT, "b"),
  );
  assert.deepEqual(parse(bytes), [["error", 1002]]);
});

Deno.test("FrameParser delivers control frames interleaved in a fragmented message", () => {
  const bytes = joinBytes(
    clientFrame(TEXT, "a", { fin: false }),
    clientFrame(PING, "p1"),
    clientFrame(0, "b", { fin: false }),
    clientFrame(PONG, "p2"),
    clientFrame(0, "c"),
  );
  assert.deepEqual(parse(bytes), [
    ["ping", Array.from(enc.encode("p1"))],
    ["pong", Array.from(enc.encode("p2"))],
    ["message", "abc"],
  ]);
});

Deno.test("FrameParser rejects a control frame over 125 bytes with 1002", () => {
  assert.deepEqual(parse(clientFrame(PING, new Uint8Array(126))), [[
    "error",
    1002,
  ]]);
  assert.deepEqual(parse(clientFrame(PING, new Uint8Array(125))), [[
    "ping",
    Array(125).fill(0),
  ]]);
});

Deno.test("FrameParser rejects a fragmented control frame with 1002", () => {
  assert.deepEqual(parse(clientFrame(PING, "x", { fin: false })), [[
    "error",
    1002,
  ]]);
});

Deno.test("FrameParser rejects RSV1 without permessage-deflate with 1002", () => {
  assert.deepEqual(parse(clientFrame(TEXT, "x", { rsv: 4 })), [[
    "error",
    1002,
  ]]);
});

Deno.test("FrameParser rejects RSV2 and RSV3 with 1002", () => {
  for (const rsv of [1, 2, 3, 6, 7]) {
    assert.deepEqual(parse(clientFrame(TEXT, "x", { rsv }), deflateOpts), [[
      "error",
      1002,
    ]], `rsv ${rsv}`);
  }
});

Deno.test("FrameParser rejects RSV1 on a continuation or control frame with 1002", () => {
  const cont = joinBytes(
    clientFrame(TEXT, "a", { fin: false }),
    clientFrame(0, "b", { rsv: 4 }),
  );
  assert.deepEqual(parse(cont, deflateOpts), [["error", 1002]]);
  assert.deepEqual(parse(clientFrame(PING, "", { rsv: 4 }), deflateOpts), [[
    "error",
    1002,
  ]]);
});

Deno.test("FrameParser rejects unknown opcodes with 1002", () => {
  for (const op of [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) {
    assert.deepEqual(
      parse(clientFrame(op, "")),
      [["error", 1002]],
      `opcode ${op}`,
    );
  }
});

Deno.test("FrameParser rejects a 64-bit length with the MSB set with 1002", () => {
  const bytes = clientFrame(BINARY, new Uint8Array(0), {
    announcedLength: 1n << 63n,
  });
  assert.deepEqual(parse(bytes), [["error", 1002]]);
});

Deno.test("FrameParser accepts a UTF-8 sequence split across fragments", () => {
  const euro = enc.encode("€"); // e2 82 ac
  const bytes = joinBytes(
    clientFrame(TEXT, euro.subarray(0, 1), { fin: false }),
    clientFrame(0, euro.subarray(1, 2), { fin: false }),
    clientFrame(0, euro.subarray(2)),
  );
  assert.deepEqual(parse(bytes), [["message", "€"]]);
});

Deno.test("FrameParser rejects invalid UTF-8 with 1007 (whole and fragmented)", () => {
  assert.deepEqual(
    parse(clientFrame(TEXT, new Uint8Array([0x61, 0xc0, 0x80]))),
    [["error", 1007]],
  );
  assert.deepEqual(
    parse(clientFrame(TEXT, new Uint8Array([0xed, 0xa0, 0x80]))),
    [["error", 1007]],
  );
  const frag = joinBytes(
    clientFrame(TEXT, "ok", { fin: false }),
    clientFrame(0, new Uint8Array([0xff])),
  );
  assert.deepEqual(parse(frag), [["error", 1007]]);
});

Deno.test("FrameParser fails fast on invalid UTF-8 in the first fragment", () => {
  // Only the first fragment is sent: the error must not wait for the end.
  const first = clientFrame(TEXT, new Uint8Array([0x61, 0xf5, 0x61]), {
    fin: false,
  });
  assert.deepEqual(parse(first), [["error", 1007]]);
});

Deno.test("FrameParser rejects a text message ending mid-sequence with 1007", () => {
  assert.deepEqual(
    parse(clientFrame(TEXT, new Uint8Array([0x61, 0xe2, 0x82]))),
    [["error", 1007]],
  );
  const frag = joinBytes(
    clientFrame(TEXT, "a", { fin: false }),
    clientFrame(0, new Uint8Array([0xe2, 0x82])),
  );
  assert.deepEqual(parse(frag), [["error", 1007]]);
});

Deno.test("FrameParser reports close frames and stops", () => {
  const bytes = joinBytes(
    clientFrame(CLOSE, closePayload(4000, "bye")),
    clientFrame(TEXT, "after"),
  );
  assert.deepEqual(parse(bytes), [["close", 4000, "bye"]]);
  assert.deepEqual(parse(clientFrame(CLOSE)), [["close", 1005, ""]]);
});

Deno.test("FrameParser rejects a 1-byte close payload with 1002", () => {
  assert.deepEqual(parse(clientFrame(CLOSE, new Uint8Array([3]))), [[
    "error",
    1002,
  ]]);
});

Deno.test("FrameParser validates close codes", () => {
  for (
    const code of [
      1000,
      1001,
      1002,
      1003,
      1007,
      1008,
      1009,
      1010,
      1011,
      1012,
      1013,
      1014,
      3000,
      4999,
    ]
  ) {
    assert.deepEqual(parse(clientFrame(CLOSE, closePayload(code))), [[
      "close",
      code,
      "",
    ]], `code ${code}`);
  }
  for (
    const code of [
      0,
      999,
      1004,
      1005,
      1006,
      1015,
      1016,
      2000,
      2999,
      5000,
      65535,
    ]
  ) {
    assert.deepEqual(parse(clientFrame(CLOSE, closePayload(code))), [[
      "error",
      1002,
    ]], `code ${code}`);
  }
});

Deno.test("FrameParser rejects a close reason with invalid UTF-8 with 1007", () => {
  const bytes = clientFrame(
    CLOSE,
    closePayload(1000, new Uint8Array([0xce, 0xba, 0xe1, 0xbd])),
  );
  assert.deepEqual(parse(bytes), [["error", 1007]]);
});

Deno.test("FrameParser enforces maxMessageSize from the header, before the payload", () => {
  const opts = () => ({ maxMessageSize: 1000 });
  // Only the 4-byte header + mask are fed: the payload never arrives.
  const header = clientFrame(BINARY, new Uint8Array(0), {
    announcedLength: 1001,
  });
  assert.deepEqual(parse(header, opts), [["error", 1009]]);
  assert.deepEqual(
    parse(clientFrame(BINARY, new Uint8Array(1000)), opts).length,
    1,
  );
  const frags = joinBytes(
    clientFrame(BINARY, new Uint8Array(600), { fin: false }),
    clientFrame(0, new Uint8Array(0), { announcedLength: 401 }),
  );
  assert.deepEqual(parse(frags, opts), [["error", 1009]]);
});

Deno.test("FrameParser ignores input after an error", () => {
  const bytes = joinBytes(clientFrame(0, "x"), clientFrame(TEXT, "never"));
  assert.deepEqual(parse(bytes), [["error", 1002]]);
});

Deno.test("FrameParser gives the reference decoder's events for random splits of a random stream", () => {
  let seed = 42;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 200; i++) {
    const len = [0, 5, 125, 126, 300, 70000][rnd(6)];
    const kind = rnd(3);
    if (kind === 0) frames.push(clientFrame(TEXT, "é".repeat(len >> 1)));
    else if (kind === 1) {
      frames.push(clientFrame(BINARY, new Uint8Array(len).fill(rnd(256))));
    } else frames.push(clientFrame(PING, new Uint8Array(rnd(126))));
  }
  const stream = joinBytes(...frames);
  // An independent decoder (tests/support/reference_decoder.ts), not the
  // parser fed whole: a bug common to every split would pass that.
  const whole = referenceDecode(stream, { maxMessageSize: 64 * 1024 * 1024 });
  assert.equal(whole.length, 200);
  assert.deepEqual(parseWith(stream, 0), whole);
  for (let round = 0; round < 5; round++) {
    const evs: Ev[] = [];
    const p = new FrameParser({
      onMessage: (m) =>
        evs.push(["message", m instanceof Uint8Array ? Array.from(m) : m]),
      onPing: (b) => evs.push(["ping", Array.from(b)]),
      onPong: (b) => evs.push(["pong", Array.from(b)]),
      onClose: (c, r) => evs.push(["close", c, r]),
      onError: (c) => evs.push(["error", c]),
    });
    const copy = stream.slice();
    for (let i = 0; i < copy.length;) {
      const n = 1 + rnd(20000);
      p.push(copy.slice(i, i + n));
      i += n;
    }
    assert.deepEqual(evs, whole);
  }
});
