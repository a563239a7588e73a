import assert from "node:assert/strict";
import {
  closePayload,
  frame,
  rawHandshake,
  readFrames,
} from "./support/frames.ts";
import { runCli, type ServerProcess } from "./support/server.ts";
import { eachEngine, startEngine } from "./support/engines.ts";
import { childEnv } from "./support/spawn.ts";
import { TOOLS } from "./support/tools.ts";

const dec = new TextDecoder();

/** A self-signed certificate for 127.0.0.1 and localhost, made by openssl. */
async function selfSigned(dir: string): Promise<{ cert: string; key: string }> {
  const cert = `${dir}/fullchain.pem`;
  const key = `${dir}/privkey.pem`;
  const out = await new Deno.Command(TOOLS.openssl.path, {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      // rustls refuses a CA certificate as the server's own (CaUsedAsEndEntity).
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    clearEnv: true,
    env: childEnv(),
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, dec.decode(out.stderr));
  return { cert, key };
}

eachEngine.test("main.ts serves https and wss with --cert and --key", async (engine) => {
  const dir = await Deno.makeTempDir();
  let proc: ServerProcess | null = null;
  try {
    const { cert, key } = await selfSigned(dir);
    const pem = await Deno.readTextFile(cert);
    proc = await startEngine(engine, ["--cert", cert, "--key", key]);
    const port = proc.port;
    assert.match(proc.output(), /listening on https:\/\/127\.0\.0\.1:\d+\//);

    const client = Deno.createHttpClient({ caCerts: [pem] });
    const res = await fetch(`https://127.0.0.1:${proc.port}/`, { client });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    client.close();

    const { conn } = await rawHandshake(
      proc.port,
      "/echo",
      () =>
        Deno.connectTls({
          hostname: "127.0.0.1",
          port,
          caCerts: [pem],
        }),
    );
    await conn.write(frame({ opcode: 1, payload: "over tls" }));
    const echo = await readFrames(conn, 5000, (f) => f.length > 0);
    assert.equal(dec.decode(echo.frames[0]?.payload), "over tls");
    await conn.write(frame({ opcode: 8, payload: closePayload(1000) }));
    const closing = await readFrames(conn, 5000, (f) => f.length > 0);
    assert.equal(closing.frames[0]?.opcode, 8);
    conn.close();

    // Plain http on the TLS port gets no page.
    const plain = await fetch(`http://127.0.0.1:${proc.port}/`).then(
      (r) => r.status,
      () => "refused",
    );
    assert.notEqual(plain, 200);
  } finally {
    if (proc) assert.equal((await proc.stop()).code, 0);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts refuses to start on a missing, unreadable or mismatched cert/key", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = await selfSigned(dir);
    const other = `${dir}/other`;
    await Deno.mkdir(other);
    const b = await selfSigned(other);
    await Deno.writeTextFile(`${dir}/junk.pem`, "not a certificate\n");

    const onlyCert = await runCli(["--cert", a.cert]);
    assert.equal(onlyCert.code, 2);
    assert.match(onlyCert.stderr, /--cert needs --key/);

    const onlyKey = await runCli(["--key", a.key]);
    assert.equal(onlyKey.code, 2);
    assert.match(onlyKey.stderr, /--key needs --cert/);

    const missing = await runCli(["--cert", `${dir}/nope.pem`, "--key", a.key]);
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /--cert .*nope\.pem: cannot read it \(no such file\)/,
    );

    const junk = await runCli(["--cert", `${dir}/junk.pem`, "--key", a.key]);
    assert.equal(junk.code, 1);
    assert.match(junk.stderr, /no PEM certificate/);

    const swapped = await runCli(["--cert", a.cert, "--key", a.cert]);
    assert.equal(swapped.code, 1);
    assert.match(swapped.stderr, /--key .*: no PEM private key/);

    const mismatched = await runCli(["--cert", a.cert, "--key", b.key]);
    assert.equal(mismatched.code, 1);
    assert.match(mismatched.stderr, /^error: --cert .* \/ --key .*: /m);
    // One line, no stack trace.
    assert.doesNotMatch(mismatched.stderr, /\n\s+at /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
