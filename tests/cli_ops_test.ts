import assert from "node:assert/strict";
import { parseCli } from "../lib/cli/parse_cli.ts";

function serve(args: string[], env = {}) {
  const r = parseCli(args, env);
  assert.equal(r.kind, "serve", JSON.stringify(r));
  return (r as Extract<typeof r, { kind: "serve" }>).options;
}

function error(args: string[], env = {}): string {
  const r = parseCli(args, env);
  assert.equal(r.kind, "error");
  return (r as Extract<typeof r, { kind: "error" }>).message;
}

Deno.test("parseCli() takes the port from $PORT and the flag over it", () => {
  assert.equal(serve([], { PORT: "8123" }).port, 8123);
  assert.equal(serve(["--port", "9000"], { PORT: "8123" }).port, 9000);
  assert.equal(serve([]).port, 9998);
  assert.match(error([], { PORT: "http" }), /invalid port "http"/);
});

Deno.test("parseCli() takes the interface from $DENOSOCKET_HOST and the flag over it", () => {
  assert.equal(
    serve([], { DENOSOCKET_HOST: "127.0.0.1" }).hostname,
    "127.0.0.1",
  );
  assert.equal(
    serve(["-H", "::1"], { DENOSOCKET_HOST: "127.0.0.1" }).hostname,
    "::1",
  );
  assert.equal(serve([], { DENOSOCKET_HOST: "" }).hostname, "0.0.0.0");
});

Deno.test("parseCli() reads --log-format text|json and refuses others", () => {
  assert.equal(serve([]).logFormat, "text");
  assert.equal(serve(["--log-format", "json"]).logFormat, "json");
  assert.match(
    error(["--log-format", "xml"]),
    /invalid --log-format "xml": expected text or json/,
  );
});

Deno.test("parseCli() reads --no-ops and --ops-token (or $DENOSOCKET_OPS_TOKEN)", () => {
  const defaults = serve([]);
  assert.equal(defaults.ops, true);
  assert.equal(defaults.opsToken, null);
  assert.equal(serve(["--no-ops"]).ops, false);
  assert.equal(serve(["--ops-token", "abc"]).opsToken, "abc");
  const env = { DENOSOCKET_OPS_TOKEN: "from-env" };
  assert.equal(serve([], env).opsToken, "from-env");
  assert.equal(serve(["--ops-token", "flag"], env).opsToken, "flag");
  assert.equal(serve(["--no-ops"], env).opsToken, null);
  assert.match(
    error(["--no-ops", "--ops-token", "x"]),
    /--ops-token and --no-ops cannot be used together/,
  );
  assert.match(error(["--ops-token", "has space"]), /invalid --ops-token/);
  assert.match(error(["--ops-token", ""]), /invalid --ops-token/);
});
