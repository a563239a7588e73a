// permessage-deflate: negotiation table, round trips for each parameter,
// context takeover (and the shared streams without it), window bits, bombs
// and corrupt data.
import assert from "node:assert/strict";
import v8 from "node:v8";
import zlib from "node:zlib";
import {
  type DeflateParams,
  negotiateDeflate,
  parseExtensions,
} from "../lib/protocol/deflate_negotiation.ts";
import { MessageDeflater, MessageInflater } from "../lib/protocol/deflate.ts";
import {
  SyncZlib,
  syncZlibAvailable,
  Z_SYNC_FLUSH,
} from "../lib/protocol/zlib_sync.ts";
import { FrameParser } from "../lib/protocol/frame_parser.ts";
import { FrameWriter } from "../lib/protocol/frame_writer.ts";
import { clientFrame, joinBytes } from "./support/frames.ts";

const enc = new TextEncoder(), dec = new TextDecoder();
const TAIL = new Uint8Array([0, 0, 0xff, 0xff]);

Deno.test("syncZlibAvailable is true under this Deno", () => {
  assert.equal(syncZlibAvailable(), true);
});

Deno.test("parseExtensions handles params, quoted values and several offers", () => {
  assert.deepEqual(
    parseExtensions(
      'permessage-deflate; client_max_window_bits="10" ,x-foo;a=b',
    ),
    [
      {
        name: "permessage-deflate",
        params: [["client_max_window_bits", "10"]],
      },
      { name: "x-foo", params: [["a", "b"]] },
    ],
  );
  assert.equal(parseExtensions("permessage-deflate; =5"), null);
  assert.equal(parseExtensions('permessage-deflate; a="unterminated'), null);
  assert.equal(parseExtensions("permessage-deflate foo"), null);
});

Deno.test("negotiateDeflate accept/decline table", () => {
  const table: [string | null, string | null, object?][] = [
    [null, null],
    ["", null],
    ["x-webkit-deflate-frame", null],
    ["permessage-deflate", "permessage-deflate"],
    ["permessage-deflate; client_max_window_bits", "permessage-deflate"],
    [
      "permessage-deflate; client_max_window_bits=10",
      "permessage-deflate; client_max_window_bits=10",
    ],
    [
      "permessage-deflate; client_max_window_bits=8",
      "permessage-deflate; client_max_window_bits=8",
    ],
    [
      "permessage-deflate; server_max_window_bits=12",
      "permessage-deflate; server_max_window_bits=12",
    ],
    [
      'permessage-deflate; server_max_window_bits="9"',
      "permessage-deflate; server_max_window_bits=9",
    ],
    [
      "permessage-deflate; server_no_context_takeover",
      "permessage-deflate; server_no_context_takeover",
    ],
    [
      "permessage-deflate; client_no_context_takeover",
      "permessage-deflate; client_no_context_takeover",
    ],
    // Declined offers: unknown / duplicate / invalid parameters.
    ["permessage-deflate; foo", null],
    [
      "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
      null,
    ],
    ["permessage-deflate; server_max_window_bits", null],
    ["permessage-deflate; server_max_window_bits=16", null],
    ["permessage-deflate; client_max_window_bits=7", null],
    ["permessage-deflate; client_max_window_bits=010", null],
    ["permessage-deflate; server_no_context_takeover=1", null],
    // zlib cannot compress with a window of 8: decline, fall back to the next offer.
    ["permessage-deflate; server_max_window_bits=8", null],
    [
      "permessage-deflate; server_max_window_bits=8, permessage-deflate",
      "permessage-deflate",
    ],
    [
      "permessage-deflate; foo, permessage-deflate; client_max_window_bits",
      "permessage-deflate",
    ],
    // Server preferences.
    ["permessage-deflate", "permessage-deflate; server_no_context_takeover", {
      serverNoContextTakeover: true,
    }],
    ["permessage-deflate", "permessage-deflate; client_no_context_takeover", {
      clientNoContextTakeover: true,
    }],
    ["permessage-deflate", "permessage-deflate; server_max_window_bits=10", {
      serverMaxWindowBits: 10,
    }],
    ["permessage-deflate", "permessage-deflate; server_max_window_bits=9", {
      serverMaxWindowBits: 8,
    }],
    [
      "permessage-deflate; client_max_window_bits",
      "permessage-deflate; client_max_window_bits=11",
      { clientMaxWindowBits: 11 },
    ],
    ["permessage-deflate", "permessage-deflate", { clientMaxWindowBits: 11 }], // may not add it
  ];
  for (const [offer, want, opts] of table) {
    assert.equal(
      negotiateDeflate(offer, opts)?.header ?? null,
      want,
      `offer ${offer} ${JSON.stringify(opts)}`,
    );
  }
  assert.deepEqual(
    negotiateDeflate(
      "permessage-deflate; client_max_window_bits=9; server_no_context_takeover",
    )!.params,
    {
      serverNoContextTakeover: true,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 9,
    },
  );
});

/** The client's view of the same agreement: its roles are swapped. */
function swap(p: DeflateParams): DeflateParams {
  return {
    serverNoContextTakeover: p.clientNoContextTakeover,
    clientNoContextTakeover: p.serverNoContextTakeover,
    serverMaxWindowBits: p.clientMaxWindowBits,
    clientMaxWindowBits: p.serverMaxWindowBits,
  };
}

/** Reads unmasked server frames: [rsv1, opcode, payload][]. */
function readServerFrames(b: Uint8Array): [boolean, number, Uint8Array][] {
  const out: [boolean, number, Uint8Array][] = [];
  for (let p = 0; p < b.length;) {
    const rsv1 = (b[p] & 0x40) !== 0, op = b[p] & 0x0f;
    let len = b[p + 1] & 0x7f, h = 2;
    if (len === 126) len = (b[p + 2] << 8) | b[p + 3], h = 4;
    else if (len === 127) {
      len = Number(
        new DataView(b.buffer, b.byteOffset + p + 2).getBigUint64(0),
      ), h = 10;
    }
    out.push([rsv1, op, b.subarray(p + h, p + h + len)]);
    p += h + len;
  }
  return out;
}

const offers = [
  "permessage-deflate",
  "permessage-deflate; server_no_context_takeover",
  "permessage-deflate; client_no_context_takeover",
  "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
  "permessage-deflate; server_max_window_bits=9; client_max_window_bits=9",
  "permessage-deflate; server_max_window_bits=11; client_max_window_bits=8",
];

for (const offer of offers) {
  Deno.test(`permessage-deflate round trips both ways: ${offer}`, () => {
    const { params } = negotiateDeflate(offer)!;
    const msgs = Array.from(
      { length: 6 },
      (_, i) =>
        `{"n":${i},"text":"${"lorem ipsum dolor ".repeat(100 + i * 50)}"}`,
    );
    // Client -> server through the parser.
    const client = new MessageDeflater(swap(params), { threshold: 0 });
    const frames = msgs.map((m) =>
      clientFrame(1, client.compress(enc.encode(m)), { rsv: 4 })
    );
    const got: unknown[] = [];
    const inflater = new MessageInflater(params);
    const parser = new FrameParser({
      onMessage: (m) => got.push(m),
      onPing() {},
      onPong() {},
      onClose() {},
      onError: (c) => got.push(c),
    }, { inflater });
    for (const f of frames) parser.push(f);
    assert.deepEqual(got, msgs);
    // Server -> client through the writer.
    const deflater = new MessageDeflater(params);
    const w = new FrameWriter({ deflater });
    for (const m of msgs) w.text(m);
    const clientInf = new MessageInflater(swap(params));
    const back = readServerFrames(w.take()!).map(([rsv1, op, p]) => {
      assert.equal(rsv1, true);
      assert.equal(op, 1);
      clientInf.push(p, Infinity);
      return dec.decode(clientInf.finish(Infinity)!);
    });
    assert.deepEqual(back, msgs);
    // Without context takeover each message inflates on its own, window-exact.
    if (params.serverNoContextTakeover) {
      const frames = readServerFrames(
        joinBytes(...msgs.map((m) => (w.text(m), w.take()!.slice()))),
      );
      for (const [i, [, , p]] of frames.entries()) {
        const one = zlib.inflateRawSync(joinBytes(p, TAIL), {
          windowBits: params.serverMaxWindowBits,
          finishFlush: zlib.constants.Z_SYNC_FLUSH,
        });
        assert.equal(dec.decode(one), msgs[i]);
      }
    }
    for (const z of [client, inflater, deflater, clientInf]) z.close();
  });
}

Deno.test("permessage-deflate context takeover shrinks repeated messages; no_context_takeover does not", () => {
  const msg = enc.encode(
    JSON.stringify({
      users: Array.from(
        { length: 40 },
        (_, i) => ({ id: i, name: `user${i}` }),
      ),
    }),
  );
  const sizes = (p: DeflateParams) => {
    const d = new MessageDeflater(p);
    const s = [1, 2, 3].map(() => d.compress(msg).length);
    d.close();
    return s;
  };
  const withCtx = sizes(negotiateDeflate("permessage-deflate")!.params);
  const noCtx = sizes(
    negotiateDeflate("permessage-deflate; server_no_context_takeover")!.params,
  );
  assert.ok(withCtx[1] < withCtx[0] / 4, `${withCtx}`);
  assert.equal(noCtx[0], noCtx[1]);
  assert.equal(noCtx[1], noCtx[2]);
});

Deno.test("permessage-deflate sends messages under the threshold uncompressed", () => {
  const w = new FrameWriter({
    deflater: new MessageDeflater(
      negotiateDeflate("permessage-deflate")!.params,
      { threshold: 100 },
    ),
  });
  w.text("short");
  w.binary(new Uint8Array(99));
  w.binary(new Uint8Array(100));
  assert.deepEqual(readServerFrames(w.take()!).map(([rsv1]) => rsv1), [
    false,
    false,
    true,
  ]);
});

Deno.test("FrameParser inflates a fragmented compressed message", () => {
  const params = negotiateDeflate("permessage-deflate")!.params;
  const c = new MessageDeflater(swap(params), { threshold: 0 }).compress(
    enc.encode("fragmented ".repeat(50)),
  );
  const got: unknown[] = [];
  const parser = new FrameParser({
    onMessage: (m) => got.push(m),
    onPing() {},
    onPong() {},
    onClose() {},
    onError: (c) => got.push(c),
  }, { inflater: new MessageInflater(params) });
  parser.push(joinBytes(
    clientFrame(1, c.subarray(0, 5), { rsv: 4, fin: false }),
    clientFrame(9, "ping"),
    clientFrame(0, c.subarray(5, 9), { fin: false }),
    clientFrame(0, c.subarray(9)),
  ));
  assert.deepEqual(got, ["fragmented ".repeat(50)]);
});

Deno.test("FrameParser stops a compression bomb with 1009 without inflating it all", () => {
  const bomb = zlib.deflateRawSync(new Uint8Array(100 << 20), { level: 9 }); // ~100 KiB
  assert.ok(bomb.length < 200_000);
  const got: unknown[] = [];
  const parser = new FrameParser(
    {
      onMessage: (m) => got.push(m),
      onPing() {},
      onPong() {},
      onClose() {},
      onError: (c) => got.push(c),
    },
    {
      maxMessageSize: 1 << 20,
      inflater: new MessageInflater(
        negotiateDeflate("permessage-deflate")!.params,
      ),
    },
  );
  const t0 = performance.now();
  parser.push(clientFrame(2, bomb, { rsv: 4 }));
  assert.deepEqual(got, [1009]);
  assert.ok(performance.now() - t0 < 500, "inflated far more than the cap");
});

Deno.test("SyncZlib stops near the limit: at most limit + 64 KiB inflated", () => {
  const bomb = zlib.deflateRawSync(new Uint8Array(100 << 20));
  const z = new SyncZlib("inflate", { windowBits: 15 });
  const parts: Uint8Array[] = [];
  const n = z.write(bomb, Z_SYNC_FLUSH, parts, 1 << 20);
  assert.ok(n > 1 << 20 && n <= (1 << 20) + 65536, `${n}`);
  z.close();
});

Deno.test("FrameParser rejects corrupt deflate data with 1007", () => {
  const got: unknown[] = [];
  const parser = new FrameParser(
    {
      onMessage: (m) => got.push(m),
      onPing() {},
      onPong() {},
      onClose() {},
      onError: (c) => got.push(c),
    },
    {
      inflater: new MessageInflater(
        negotiateDeflate("permessage-deflate")!.params,
      ),
    },
  );
  parser.push(
    clientFrame(1, new Uint8Array([0xff, 0xff, 0xff, 0x12, 0x34]), { rsv: 4 }),
  );
  assert.deepEqual(got, [1007]);
});

Deno.test("FrameParser rejects compressed text that inflates to invalid UTF-8 with 1007", () => {
  const params = negotiateDeflate("permessage-deflate")!.params;
  const c = new MessageDeflater(swap(params), { threshold: 0 }).compress(
    new Uint8Array([0x61, 0xff, 0x61]),
  );
  const got: unknown[] = [];
  const parser = new FrameParser({
    onMessage: (m) => got.push(m),
    onPing() {},
    onPong() {},
    onClose() {},
    onError: (c) => got.push(c),
  }, { inflater: new MessageInflater(params) });
  parser.push(clientFrame(1, c, { rsv: 4 }));
  assert.deepEqual(got, [1007]);
});

Deno.test("MessageInflater accepts a client that ends each message with BFINAL", () => {
  const inf = new MessageInflater(
    negotiateDeflate("permessage-deflate")!.params,
  );
  for (const m of ["first message", "second message"]) {
    inf.push(zlib.deflateRawSync(enc.encode(m)), Infinity); // a complete stream each time
    assert.equal(dec.decode(inf.finish(Infinity)!), m);
  }
  inf.close();
});

Deno.test("permessage-deflate server_max_window_bits=9 output inflates with a strict 9-bit window", () => {
  const params =
    negotiateDeflate("permessage-deflate; server_max_window_bits=9")!.params;
  assert.equal(params.serverMaxWindowBits, 9);
  let seed = 7;
  const block = new Uint8Array(2000).map(() =>
    (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24
  );
  const msg = joinBytes(block, block, block); // repeats 2000 bytes back: out of a 512-byte window
  const d = new MessageDeflater(params, { threshold: 0 });
  const strict = new SyncZlib("inflate", { windowBits: 9 });
  for (let i = 0; i < 3; i++) { // context takeover across messages, too
    const parts: Uint8Array[] = [];
    const n = strict.write(
      joinBytes(d.compress(msg), TAIL),
      Z_SYNC_FLUSH,
      parts,
      Infinity,
    );
    assert.equal(n, msg.length);
    assert.deepEqual(joinBytes(...parts), msg);
  }
  d.close();
  strict.close();
});

Deno.test("permessage-deflate inflates a client compressing with client_max_window_bits=8", () => {
  const params =
    negotiateDeflate("permessage-deflate; client_max_window_bits=8")!.params;
  assert.equal(params.clientMaxWindowBits, 8);
  const inf = new MessageInflater(params);
  const text = "window eight ".repeat(200);
  const c = zlib.deflateRawSync(enc.encode(text), {
    windowBits: 8,
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
  });
  inf.push(c.subarray(0, c.length - 4), Infinity);
  assert.equal(dec.decode(inf.finish(Infinity)!), text);
  inf.close();
});

Deno.test("no context takeover: two connections' interleaved fragmented messages inflate through the one shared stream", () => {
  // As `--deflate shared` agrees: each message compressed on its own.
  const params = negotiateDeflate(
    "permessage-deflate; client_no_context_takeover",
  )!.params;
  const compress = (s: string) =>
    new MessageDeflater(swap(params), { threshold: 0 }).compress(enc.encode(s));
  const a = "connection a says ".repeat(40), b = "b talks too ".repeat(40);
  const ca = compress(a), cb = compress(b);
  const seen: unknown[] = [];
  const parserFor = (name: string) =>
    new FrameParser({
      onMessage: (m) => seen.push([name, m]),
      onPing() {},
      onPong() {},
      onClose() {},
      onError: (code) => seen.push([name, code]),
    }, { inflater: new MessageInflater(params), transient: true });
  const pa = parserFor("a"), pb = parserFor("b");
  // A reused read buffer, overwritten after each push, as the engine's is.
  const reused = new Uint8Array(4096);
  const push = (p: FrameParser, bytes: Uint8Array) => {
    reused.set(bytes);
    p.push(reused.subarray(0, bytes.length));
    reused.fill(0xaa);
  };
  push(pa, clientFrame(1, ca.subarray(0, 7), { rsv: 4, fin: false }));
  push(pb, clientFrame(1, cb, { rsv: 4 })); // b's whole message in between
  push(pa, clientFrame(0, ca.subarray(7)));
  push(pb, clientFrame(1, cb, { rsv: 4 })); // and again: the stream was reset
  assert.deepEqual(seen, [["b", b], ["a", a], ["b", b]]);
});

Deno.test("no context takeover shares one zlib stream per direction across connections", () => {
  const shared = negotiateDeflate(
    "permessage-deflate; server_no_context_takeover",
  )!.params;
  const takeover = negotiateDeflate("permessage-deflate")!.params;
  const before = zlibStreams();
  const deflaters = Array.from(
    { length: 20 },
    () => new MessageDeflater(shared, { threshold: 0 }),
  );
  for (const d of deflaters) d.compress(enc.encode("hello ".repeat(100)));
  const own = new MessageDeflater(takeover, { threshold: 0 });
  own.compress(enc.encode("context takeover: a stream of its own"));
  // The shared stream (unless an earlier test made it) and the own one,
  // not one per connection.
  const made = zlibStreams() - before;
  assert.ok(made >= 1 && made <= 2, `${made} streams made`);
  own.close();
});

/** zlib streams alive (queryObjects collects garbage first). */
function zlibStreams(): number {
  return v8.queryObjects(SyncZlib, { format: "count" }) as number;
}
