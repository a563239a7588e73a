/**
 * TLS material for tests: a self-signed certificate made by openssl.
 *
 * @module
 */
import assert from "node:assert/strict";
import { childEnv } from "./spawn.ts";
import { TOOLS } from "./tools.ts";

const dec = new TextDecoder();

/** A self-signed certificate for 127.0.0.1 and localhost, made by openssl. */
export async function selfSigned(
  dir: string,
): Promise<{ cert: string; key: string }> {
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
