/**
 * Side by side with the real websocketd (Debian's 0.4.1): the same programs
 * behind `websocketd --dir` and `main.ts --programs`, the same independent
 * client (python3-websockets), the same message sequences and CGI
 * variables. Where the two differ it is on purpose, and the test says so:
 * a close frame when the program ends (websocketd drops TCP: 1006), the
 * process group reaped (websocketd signals the program only), `HTTP_HOST`
 * passed (Go takes `Host` out of the header map), the program run in DIR.
 */
import assert from "node:assert/strict";
import { eachEngine, startEngine } from "./support/engines.ts";
import {
  alive,
  EXAMPLES,
  FIXTURES,
  marker,
  markerDir,
  pythonSession,
  reap,
  startWebsocketd,
  texts,
} from "./support/programs.ts";
import { waitFor } from "./support/wait.ts";

/** Runs `fn` with websocketd and main.ts (on `engine`) serving `args`. */
async function sideBySide(
  engine: "deno" | "native",
  args: { websocketd: string[]; ours: string[] },
  env: Record<string, string>,
  fn: (urls: { websocketd: string; ours: string }) => Promise<void>,
): Promise<void> {
  const theirs = await startWebsocketd(args.websocketd, env);
  try {
    const ours = await startEngine(engine, args.ours, env);
    try {
      await fn({ websocketd: theirs.ws, ours: ours.ws });
    } finally {
      await ours.stop();
    }
  } finally {
    await theirs.stop();
  }
}

const SERVER_DEPENDENT = new Set([
  "SERVER_PORT",
  "REMOTE_PORT",
  "UNIQUE_ID",
  "SERVER_SOFTWARE",
  // websocketd 0.4.1 says "websocketd-CGI/0.1"; RFC 3875 (and websocketd
  // since) says CGI/1.1.
  "GATEWAY_INTERFACE",
  // Each connection's own random key.
  "HTTP_SEC_WEBSOCKET_KEY",
  // Ours runs in DIR, websocketd in its own working directory.
  "PWD",
]);

eachEngine.test(
  "count, greeter and env behave as under websocketd --dir",
  async (engine, t) => {
    const env = { COUNT_DELAY: "0.02" };
    const passenv = "PATH,LD_LIBRARY_PATH,COUNT_DELAY";
    await sideBySide(
      engine,
      {
        websocketd: ["--dir", EXAMPLES, "--passenv", passenv],
        ours: ["--programs", EXAMPLES, "--passenv", passenv],
      },
      env,
      async (urls) => {
        await t.step(
          "count.sh: 1 … 10, then a close frame (websocketd: none)",
          async () => {
            const [theirs, ours] = await Promise.all([
              pythonSession({ url: `${urls.websocketd}/count.sh` }),
              pythonSession({ url: `${urls.ours}/count.sh` }),
            ]);
            const ten = Array.from({ length: 10 }, (_, i) => String(i + 1));
            assert.deepEqual(texts(theirs), ten);
            assert.deepEqual(texts(ours), ten);
            assert.equal(theirs.code, 1006, "websocketd 0.4.1 drops TCP");
            assert.equal(ours.code, 1000);
            assert.equal(ours.reason, "program exited");
          },
        );
        await t.step(
          "greeter.sh: one line per message, two for a message with two lines",
          async () => {
            const spec = (url: string) => ({
              url: `${url}/greeter.sh`,
              send: [{ text: "Ann" }, { text: "Bob\nCid" }, { text: "" }],
              expect: 4,
            });
            const [theirs, ours] = await Promise.all([
              pythonSession(spec(urls.websocketd)),
              pythonSession(spec(urls.ours)),
            ]);
            assert.deepEqual(texts(theirs), [
              "Hello, Ann!",
              "Hello, Bob!",
              "Hello, Cid!",
              "Hello, stranger!",
            ]);
            assert.deepEqual(texts(ours), texts(theirs));
          },
        );
        await t.step(
          "env.sh: the same CGI variables, with the same values where the server does not decide them",
          async () => {
            const spec = (url: string) => ({
              url: `${url}/env.sh?a=1&b=two%20words`,
              headers: {
                "X-Trace-Id": "t-42",
                "Origin": "http://example.test",
              },
            });
            const [theirs, ours] = await Promise.all([
              pythonSession(spec(urls.websocketd)),
              pythonSession(spec(urls.ours)),
            ]);
            const vars = (lines: string[]) =>
              new Map(
                lines.map((
                  l,
                ) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
              );
            const w = vars(texts(theirs));
            const o = vars(texts(ours));
            assert.ok(w.size > 20, texts(theirs).join("\n"));
            // Go moves Host out of the header map; every other header is there.
            assert.equal(o.get("HTTP_HOST"), new URL(urls.ours).host);
            o.delete("HTTP_HOST");
            assert.deepEqual([...o.keys()].sort(), [...w.keys()].sort());
            for (const [name, value] of w) {
              if (SERVER_DEPENDENT.has(name)) continue;
              assert.equal(o.get(name), value, name);
            }
            assert.equal(o.get("QUERY_STRING"), "a=1&b=two%20words");
            assert.equal(o.get("REQUEST_URI"), "/env.sh?a=1&b=two%20words");
            assert.equal(o.get("SCRIPT_NAME"), "/env.sh");
            assert.equal(o.get("HTTP_X_TRACE_ID"), "t-42");
            assert.equal(o.get("GATEWAY_INTERFACE"), "CGI/1.1");
            assert.equal(o.get("PWD"), EXAMPLES);
          },
        );
      },
    );
  },
);

eachEngine.test("--binary with cat: the same bytes back as binary messages, as under websocketd --binary", async (engine) => {
  await sideBySide(
    engine,
    {
      websocketd: ["--binary", "--dir", FIXTURES],
      ours: ["--binary", "--programs", FIXTURES],
    },
    {},
    async (urls) => {
      const bytes = new Uint8Array(3000).map((_, i) => (i * 31) % 256);
      const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(
        "",
      );
      const spec = (url: string) => ({
        url: `${url}/cat.sh`,
        send: [{ hex: hex.slice(0, 2000) }, { hex: hex.slice(2000) }],
        expect_bytes: bytes.length,
      });
      const [theirs, ours] = await Promise.all([
        pythonSession(spec(urls.websocketd)),
        pythonSession(spec(urls.ours)),
      ]);
      for (const s of [theirs, ours]) {
        assert.equal(s.error, null);
        assert.ok(s.messages.every((m) => "hex" in m), "binary messages only");
        assert.equal(
          s.messages.map((m) => "hex" in m ? m.hex : "").join(""),
          hex,
        );
      }
    },
  );
});

eachEngine.test("a program ignoring SIGINT and SIGTERM is killed in both; a forked child only here", async (engine) => {
  const dir = await markerDir();
  const leftovers: number[] = [];
  try {
    await sideBySide(
      engine,
      {
        websocketd: ["--dir", FIXTURES, "--passenv", "PATH,MARKER_DIR"],
        ours: ["--programs", FIXTURES, "--passenv", "PATH,MARKER_DIR"],
      },
      { MARKER_DIR: dir },
      async (urls) => {
        for (const url of [urls.websocketd, urls.ours]) {
          await Deno.remove(`${dir}/signals`).catch(() => {});
          const s = await pythonSession({
            url: `${url}/stubborn.sh`,
            expect: 1,
          });
          const pid = Number(texts(s)[0].split(" ")[1]);
          await waitFor(() => !alive(pid), 5000, `stubborn.sh (${url}) killed`);
          assert.equal(marker(dir, "signals"), "INT\nTERM\n", url);
        }
        for (const url of [urls.websocketd, urls.ours]) {
          const s = await pythonSession({ url: `${url}/forker.sh`, expect: 1 });
          const child = Number(texts(s)[0].split(" ")[1]);
          leftovers.push(child);
          if (url === urls.ours) {
            await waitFor(() => !alive(child), 5000, "our forked child reaped");
          } else {
            // websocketd 0.4.1 signals the program, not its group: the
            // forked child outlives the connection (we reap it below).
            await new Promise((r) => setTimeout(r, 1500));
            assert.ok(
              alive(child),
              "websocketd 0.4.1 left no orphan: update the docs",
            );
          }
        }
      },
    );
  } finally {
    for (const pid of leftovers) reap(pid);
    await Deno.remove(dir, { recursive: true });
  }
});
