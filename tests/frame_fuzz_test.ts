// Property-based fuzzing (fast-check) of FrameParser and MessageInflater
// against tests/support/reference_decoder.ts, an independent decoder:
// random valid frame sequences (fragmented, masked, control frames between
// fragments, every length form, cut into random TCP chunks) decode to what
// the generator meant and to what the reference decodes; corrupted streams
// and random bytes end in the reference's close code, never in an exception
// out of the parser; compressed input never inflates past the size cap.
//
// Seeded and bounded for `deno task test`; `deno task fuzz` runs the same
// properties much longer with a fresh seed (DENOSOCKET_FUZZ_RUNS,
// DENOSOCKET_FUZZ_SEED).
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { FrameParser } from "../lib/protocol/frame_parser.ts";
import { MessageInflater } from "../lib/protocol/deflate.ts";
import { DEFAULT_PARAMS } from "../lib/protocol/deflate_negotiation.ts";
import { referenceDecode, type RefEvent } from "./support/reference_decoder.ts";

const RUNS = Number(Deno.env.get("DENOSOCKET_FUZZ_RUNS") ?? 100);
const SEED = Number(Deno.env.get("DENOSOCKET_FUZZ_SEED") ?? 13);
const params = (scale = 1) => ({
  numRuns: Math.max(1, Math.round(RUNS * scale)),
  seed: SEED,
  endOnFailure: true,
});

const enc = new TextEncoder();
const MAX = 64 * 1024;

interface Frame {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  payload: Uint8Array;
  mask: Uint8Array;
  /** 7: shortest form; 16 or 64: that extended form, even when not needed. */
  form: 7 | 16 | 64;
}

/** Encodes a client frame (masked), written here, not shared with lib/. */
function encode(f: Frame): Uint8Array {
  const n = f.payload.length;
  const shortest = n < 126 ? 7 : n < 65536 ? 16 : 64;
  const form = f.form < shortest ? shortest : f.form; // a longer form is legal
  const head = [(f.fin ? 0x80 : 0) | (f.rsv1 ? 0x40 : 0) | f.opcode];
  if (form === 7) head.push(0x80 | n);
  else if (form === 16) head.push(0x80 | 126, n >> 8, n & 0xff);
  else {
    head.push(0x80 | 127);
    const big = new Uint8Array(8);
    new DataView(big.buffer).setBigUint64(0, BigInt(n));
    head.push(...big);
  }
  head.push(...f.mask);
  const out = new Uint8Array(head.length + n);
  out.set(head);
  for (let i = 0; i < n; i++) {
    out[head.length + i] = f.payload[i] ^ f.mask[i & 3];
  }
  return out;
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

type ParsedEvent = RefEvent;

/** Short text for an event list: big payloads as their length. */
function show(evs: RefEvent[]): string {
  return JSON.stringify(
    evs.map((e) =>
      e.map((v) =>
        Array.isArray(v) && v.length > 16
          ? `<${v.length} bytes>`
          : typeof v === "string" && v.length > 40
          ? `<${v.length} chars>`
          : v
      )
    ),
  );
}

/**
 * deepEqual without node:assert's diff, which takes minutes on 64 KiB
 * payloads: the message says where the lists part.
 */
function assertSame(got: RefEvent[], want: RefEvent[], what: string): void {
  if (isDeepStrictEqual(got, want)) return;
  let i = 0;
  while (i < got.length && isDeepStrictEqual(got[i], want[i])) i++;
  throw new Error(
    `${what}: event ${i} differs\n  got:  ${show(got.slice(i, i + 3))}\n` +
      `  want: ${show(want.slice(i, i + 3))}`,
  );
}

/**
 * Feeds `stream` to a fresh parser in chunks ending at `cuts`; with
 * `transient`, through one reused buffer overwritten after each push.
 * Throws whatever the parser throws.
 */
function parse(
  stream: Uint8Array,
  cuts: number[],
  opts: { transient: boolean; deflate?: boolean; max?: number },
): ParsedEvent[] {
  const evs: ParsedEvent[] = [];
  const raw: [string, unknown, unknown?][] = [];
  const inflater = opts.deflate ? new MessageInflater(DEFAULT_PARAMS) : null;
  const p = new FrameParser({
    onMessage: (m) => raw.push(["message", m]),
    onPing: (b) => raw.push(["ping", b]),
    onPong: (b) => raw.push(["pong", b]),
    onClose: (c, r) => raw.push(["close", c, r]),
    onError: (c) => raw.push(["error", c]),
  }, { maxMessageSize: opts.max ?? MAX, transient: opts.transient, inflater });
  const copy = stream.slice();
  const ends = [...new Set(cuts.map((c) => c % (copy.length + 1)))]
    .sort((a, b) => a - b);
  let from = 0;
  const reused = new Uint8Array(copy.length);
  for (const end of [...ends, copy.length]) {
    if (end <= from) continue;
    const piece = copy.subarray(from, end);
    if (opts.transient) {
      reused.set(piece);
      p.push(reused.subarray(0, piece.length));
      reused.fill(0xaa, 0, piece.length);
    } else p.push(piece.slice());
    from = end;
  }
  inflater?.close();
  // Payloads become arrays only now: a view kept by mistake shows as junk.
  for (const [kind, a, b] of raw) {
    const v = a instanceof Uint8Array ? Array.from(a) : a;
    evs.push((kind === "close" ? [kind, v, b] : [kind, v]) as ParsedEvent);
  }
  return evs;
}

const mask = fc.uint8Array({ minLength: 4, maxLength: 4 });
const form = fc.constantFrom<7 | 16 | 64>(7, 7, 16, 64);
const size = fc.oneof(
  fc.integer({ min: 0, max: 200 }),
  fc.constantFrom(125, 126, 127, 65535, 65536),
);
const control = fc.record({
  opcode: fc.constantFrom(9, 10),
  payload: fc.uint8Array({ maxLength: 125 }),
  mask,
});

/** A data message as frames, with control frames between its fragments. */
const message = fc.record({
  text: fc.boolean(),
  seed: fc.string({ unit: "binary", maxLength: 150 }),
  bytes: size.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  cuts: fc.array(fc.nat(), { maxLength: 4 }),
  masks: fc.array(mask, { minLength: 5, maxLength: 5 }),
  forms: fc.array(form, { minLength: 5, maxLength: 5 }),
  between: fc.array(fc.option(control, { nil: undefined }), {
    minLength: 4,
    maxLength: 4,
  }),
});

type Msg = typeof message extends fc.Arbitrary<infer T> ? T : never;

/** Frames for one generated message, and the events it should produce. */
function framesOf(m: Msg): { frames: Frame[]; expect: RefEvent[] } {
  const payload = m.text ? enc.encode(m.seed) : m.bytes;
  // Cut anywhere, mid UTF-8 sequence too (RFC 6455 §5.6 allows it).
  const cuts = [...new Set(m.cuts.map((c) => c % (payload.length + 1)))]
    .sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const c of [...cuts, payload.length]) {
    if (c < from || (c === from && pieces.length > 0)) continue;
    pieces.push(payload.subarray(from, c));
    from = c;
  }
  const frames: Frame[] = [];
  const expect: RefEvent[] = [];
  pieces.forEach((piece, i) => {
    frames.push({
      fin: i === pieces.length - 1,
      rsv1: false,
      opcode: i === 0 ? (m.text ? 1 : 2) : 0,
      payload: piece,
      mask: m.masks[i % 5],
      form: m.forms[i % 5],
    });
    const ctl = i < pieces.length - 1 ? m.between[i % 4] : undefined;
    if (ctl) {
      frames.push({ ...ctl, fin: true, rsv1: false, form: 7 });
      expect.push([
        ctl.opcode === 9 ? "ping" : "pong",
        Array.from(ctl.payload),
      ]);
    }
  });
  expect.push(["message", m.text ? m.seed : Array.from(m.bytes)]);
  return { frames, expect };
}

const stream = fc.record({
  messages: fc.array(message, { minLength: 1, maxLength: 6 }),
  close: fc.option(
    fc.record({
      code: fc.constantFrom(1000, 1001, 1003, 1011, 3000, 4999),
      reason: fc.string({ maxLength: 30 }),
      mask,
    }),
    { nil: undefined },
  ),
  cuts: fc.array(fc.nat(), { maxLength: 12 }),
  transient: fc.boolean(),
});

type Stream = typeof stream extends fc.Arbitrary<infer T> ? T : never;

function build(s: Stream): { bytes: Uint8Array; expect: RefEvent[] } {
  const parts: Uint8Array[] = [];
  const expect: RefEvent[] = [];
  for (const m of s.messages) {
    const { frames, expect: e } = framesOf(m);
    parts.push(...frames.map(encode));
    expect.push(...e);
  }
  if (s.close) {
    const reason = enc.encode(s.close.reason).subarray(0, 123);
    const text = new TextDecoder().decode(reason);
    const ok = enc.encode(text).length === reason.length; // not cut mid-char
    const payload = join([
      new Uint8Array([s.close.code >> 8, s.close.code & 0xff]),
      ok ? reason : new Uint8Array(0),
    ]);
    parts.push(encode({
      fin: true,
      rsv1: false,
      opcode: 8,
      payload,
      mask: s.close.mask,
      form: 7,
    }));
    expect.push(["close", s.close.code, ok ? text : ""]);
  }
  return { bytes: join(parts), expect };
}

Deno.test("fuzz: random valid frame streams, cut anywhere, decode as meant and as the reference decoder does", () => {
  fc.assert(
    fc.property(stream, (s) => {
      const { bytes, expect } = build(s);
      const ref = referenceDecode(bytes, { maxMessageSize: MAX });
      assertSame(ref, expect, "reference vs generator");
      assertSame(parse(bytes, s.cuts, s), expect, "parser vs generator");
    }),
    params(),
  );
});

/** Ends in at most one error or close, as the last event. */
function assertEndsOnce(evs: RefEvent[]): void {
  const ends = evs.findIndex((e) => e[0] === "error" || e[0] === "close");
  assert.ok(ends === -1 || ends === evs.length - 1, show(evs));
  const last = evs.at(-1);
  if (last?.[0] === "error") assert.ok([1002, 1007, 1009].includes(last[1]));
}

Deno.test("fuzz: corrupted streams and random bytes end like the reference decoder, never in an exception", () => {
  const corruption = fc.record({
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), {
      maxLength: 3,
    }),
    truncate: fc.option(fc.nat(), { nil: undefined }),
  });
  fc.assert(
    fc.property(stream, corruption, (s, c) => {
      let { bytes } = build(s);
      bytes = bytes.slice();
      for (const [at, bit] of c.flips) {
        if (bytes.length) bytes[at % bytes.length] ^= 1 << bit;
      }
      if (c.truncate !== undefined) {
        bytes = bytes.subarray(0, c.truncate % (bytes.length + 1));
      }
      const got = parse(bytes, s.cuts, s);
      assertEndsOnce(got);
      const ref = referenceDecode(bytes, { maxMessageSize: MAX });
      assertSame(got, ref, "parser vs reference");
    }),
    params(),
  );
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 400 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      fc.boolean(),
      (bytes, cuts, transient) => {
        const got = parse(bytes, cuts, { transient });
        assertEndsOnce(got);
        const ref = referenceDecode(bytes, { maxMessageSize: MAX });
        assertSame(got, ref, "parser vs reference");
      },
    ),
    params(),
  );
});

Deno.test("fuzz: permessage-deflate messages inflate to what was sent, with context takeover", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          data: fc.oneof(
            fc.string({ unit: "binary", maxLength: 300 }).map((t) =>
              enc.encode(t)
            ),
            fc.uint8Array({ maxLength: 3000 }),
          ),
          level: fc.integer({ min: 0, max: 9 }),
          split: fc.nat(),
          mask,
        }),
        { minLength: 1, maxLength: 5 },
      ),
      fc.array(fc.nat(), { maxLength: 8 }),
      (msgs, cuts) => {
        const parts: Uint8Array[] = [];
        const expect: RefEvent[] = [];
        for (const m of msgs) {
          // A sync-flushed message minus its 00 00 ff ff tail (RFC 7692 §7.2.1).
          const z = zlib.deflateRawSync(m.data, {
            level: m.level,
            finishFlush: zlib.constants.Z_SYNC_FLUSH,
          });
          const body = z.subarray(0, z.length - 4);
          const at = m.split % (body.length + 1);
          parts.push(encode({
            fin: at === body.length,
            rsv1: true,
            opcode: 2,
            payload: body.subarray(0, at),
            mask: m.mask,
            form: 7,
          }));
          if (at < body.length) {
            parts.push(encode({
              fin: true,
              rsv1: false,
              opcode: 0,
              payload: body.subarray(at),
              mask: m.mask,
              form: 7,
            }));
          }
          expect.push(["message", Array.from(m.data)]);
        }
        const bytes = join(parts);
        const ref = referenceDecode(bytes, {
          maxMessageSize: MAX,
          deflate: true,
        });
        assertSame(ref, expect, "reference vs generator");
        for (const transient of [false, true]) {
          const got = parse(bytes, cuts, { transient, deflate: true });
          assertSame(got, expect, "parser vs generator");
        }
      },
    ),
    params(0.5),
  );
});

Deno.test("fuzz: random compressed payloads end in a message under the cap or in 1007/1009", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 600 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      mask,
      (junk, cuts, m) => {
        const bytes = encode({
          fin: true,
          rsv1: true,
          opcode: 2,
          payload: junk,
          mask: m,
          form: 7,
        });
        const got = parse(bytes, cuts, {
          transient: true,
          deflate: true,
          max: 1024,
        });
        assert.equal(got.length, 1, JSON.stringify(got));
        const [kind, v] = got[0];
        if (kind === "message") assert.ok((v as number[]).length <= 1024);
        else {assert.deepEqual([kind, [1007, 1009].includes(v as number)], [
            "error",
            true,
          ]);}
      },
    ),
    params(),
  );
});

Deno.test("a compression bomb is cut off near the cap: inflated output never grows past it", () => {
  const cap = 256 * 1024;
  const bomb = zlib.deflateRawSync(new Uint8Array(16 * 1024 * 1024), {
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
  });
  const frame = encode({
    fin: true,
    rsv1: true,
    opcode: 2,
    payload: bomb.subarray(0, bomb.length - 4),
    mask: new Uint8Array([1, 2, 3, 4]),
    form: 7,
  });
  // zlib's output is copied out with slice(): count what it allocates.
  const slice = Uint8Array.prototype.slice;
  let copied = 0;
  Uint8Array.prototype.slice = function (this: Uint8Array, ...args) {
    const out = slice.apply(this, args as [number?, number?]);
    copied += out.length;
    return out;
  } as typeof slice;
  let got: RefEvent[];
  try {
    got = parse(frame, [1000, 5000], {
      transient: true,
      deflate: true,
      max: cap,
    });
  } finally {
    Uint8Array.prototype.slice = slice;
  }
  assert.deepEqual(got, [["error", 1009]]);
  // parse()'s copy of the frame, then at most the cap plus one 64 KiB zlib
  // output buffer (and a few bytes of bookkeeping): not 16 MiB.
  const bound = frame.length + cap + 64 * 1024 + 1024;
  assert.ok(copied <= bound, `copied ${copied} > ${bound}`);
  assert.ok(copied > cap, "inflated up to the cap before stopping");
});
