import assert from "node:assert/strict";
import { parseCli } from "../lib/cli/parse_cli.ts";
import { rawUpgrade, upgradeHeaders } from "./support/raw.ts";
import { startServer } from "./support/server.ts";
import { TestClient } from "./support/ws_client.ts";
import { eachEngine, startEngine } from "./support/engines.ts";

const TOKEN_VAR = "DENOSOCKET_PRIVATE_TOKEN";
const auth = (userPass: string) => "Basic " + btoa(userPass);

eachEngine.test("--origin refuses other origins with 403 and names them in the log", async (engine) => {
  const s = await startServer({ engine, origins: ["https://good.example"] });
  try {
    const bad = await rawUpgrade(
      s.port,
      "/echo",
      upgradeHeaders({ Origin: "https://evil.example" }),
    );
    assert.equal(bad.status, 403);
    assert.match(bad.body, /origin https:\/\/evil\.example is not allowed/);
    assert.ok(
      s.logs.some((l) =>
        /refused .*status=403 .*origin=https:\/\/evil\.example/.test(l)
      ),
      s.logs.join("\n"),
    );
    const good = await rawUpgrade(
      s.port,
      "/echo",
      upgradeHeaders({ Origin: "https://good.example" }),
    );
    assert.equal(good.status, 101);
    // Not a browser (no Origin): allowed, since any other client can forge one.
    const none = await rawUpgrade(s.port, "/echo", upgradeHeaders());
    assert.equal(none.status, 101);
  } finally {
    await s.close();
  }
});

eachEngine.test("--same-origin admits only pages of the server's own host", async (engine) => {
  const s = await startServer({ engine, sameOrigin: true });
  try {
    const host = `127.0.0.1:${s.port}`;
    const same = await rawUpgrade(
      s.port,
      "/echo",
      upgradeHeaders({ Host: host, Origin: `http://${host}` }),
    );
    assert.equal(same.status, 101);
    const other = await rawUpgrade(
      s.port,
      "/echo",
      upgradeHeaders({ Host: host, Origin: `http://localhost:${s.port}` }),
    );
    assert.equal(other.status, 403);
    const opaque = await rawUpgrade(
      s.port,
      "/echo",
      upgradeHeaders({ Host: host, Origin: "null" }),
    );
    assert.equal(opaque.status, 403);
  } finally {
    await s.close();
  }
});

Deno.test("parseCli() reads --origin lists, * and bad origins", () => {
  const r = parseCli(
    ["--origin", "https://a.example/, http://b.example:8080"],
    {},
  );
  assert.equal(r.kind, "serve");
  if (r.kind === "serve") {
    assert.deepEqual(r.options.origins, [
      "https://a.example",
      "http://b.example:8080",
    ]);
  }
  const any = parseCli(["--origin", "*"], {});
  assert.ok(any.kind === "serve" && any.options.origins === null);
  const bad = parseCli(["--origin", "example.com"], {});
  assert.equal(bad.kind, "error");
  if (bad.kind === "error") assert.match(bad.message, /scheme:\/\/host/);
});

eachEngine.test("--basic-auth answers 401 with a Basic challenge until the right credentials come", async (engine) => {
  const s = await startServer({ engine, basicAuth: "ann:s3cret" });
  try {
    const none = await fetch(`${s.http}/`);
    await none.body?.cancel();
    assert.equal(none.status, 401);
    assert.equal(
      none.headers.get("www-authenticate"),
      'Basic realm="denosocket", charset="UTF-8"',
    );
    for (const wrong of ["ann:s3cre", "ann:s3cret!", "bob:s3cret", ""]) {
      const res = await fetch(`${s.http}/`, {
        headers: { authorization: auth(wrong) },
      });
      await res.body?.cancel();
      assert.equal(res.status, 401, wrong);
    }
    const garbage = await fetch(`${s.http}/`, {
      headers: { authorization: "Basic %%%" },
    });
    await garbage.body?.cancel();
    assert.equal(garbage.status, 401);
    const page = await fetch(`${s.http}/`, {
      headers: { authorization: auth("ann:s3cret") },
    });
    await page.body?.cancel();
    assert.equal(page.status, 200);

    const wsNone = await rawUpgrade(s.port, "/echo", upgradeHeaders());
    assert.equal(wsNone.status, 401);
    const wsOk = await rawUpgrade(
      s.port,
      "/echo",
      upgradeHeaders({ Authorization: auth("ann:s3cret") }),
    );
    assert.equal(wsOk.status, 101);
  } finally {
    await s.close();
  }
});

eachEngine.test("--basic-auth @FILE reads USER:PASS from the file's first line", async (engine) => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/auth`;
  await Deno.writeTextFile(file, "ann:from file\n");
  const s = await startEngine(engine, ["--basic-auth", `@${file}`]);
  try {
    const denied = await fetch(`${s.http}/`);
    await denied.body?.cancel();
    assert.equal(denied.status, 401);
    const ok = await fetch(`${s.http}/`, {
      headers: { authorization: auth("ann:from file") },
    });
    await ok.body?.cancel();
    assert.equal(ok.status, 200);
  } finally {
    assert.equal((await s.stop()).code, 0);
    await Deno.remove(dir, { recursive: true });
  }
});

eachEngine.test("/private refuses with 503 while its token variable is unset", async (engine) => {
  const saved = Deno.env.get(TOKEN_VAR);
  Deno.env.delete(TOKEN_VAR);
  const s = await startServer({ engine });
  try {
    const res = await rawUpgrade(
      s.port,
      "/private",
      upgradeHeaders({ Authorization: "Bearer anything" }),
    );
    assert.equal(res.status, 503);
    assert.match(res.body, /DENOSOCKET_PRIVATE_TOKEN is not set/);
  } finally {
    await s.close();
    if (saved !== undefined) Deno.env.set(TOKEN_VAR, saved);
  }
});

eachEngine.test("/private admits the right token by header or ?token= and 401s the rest", async (engine) => {
  const saved = Deno.env.get(TOKEN_VAR);
  Deno.env.set(TOKEN_VAR, "t0k3n");
  const s = await startServer({ engine });
  try {
    const none = await rawUpgrade(s.port, "/private", upgradeHeaders());
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
    const wrong = await rawUpgrade(
      s.port,
      "/private?token=t0k3",
      upgradeHeaders(),
    );
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /wrong token/);
    const header = await rawUpgrade(
      s.port,
      "/private",
      upgradeHeaders({ Authorization: "Bearer t0k3n" }),
    );
    assert.equal(header.status, 101);
    const c = await TestClient.open(`${s.ws}/private?token=t0k3n`);
    c.send("secret hello");
    assert.equal(await c.next(), "secret hello");
    await c.close();
  } finally {
    await s.close();
    if (saved === undefined) Deno.env.delete(TOKEN_VAR);
    else Deno.env.set(TOKEN_VAR, saved);
  }
});
