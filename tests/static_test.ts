import assert from "node:assert/strict";
import { rawRequest } from "./support/raw.ts";
import { withServer } from "./support/server.ts";
import { eachEngine } from "./support/engines.ts";
import { safeRelative, serveStatic } from "../lib/http/static_files.ts";

eachEngine.test("serveStatic() serves the tutorial page with its type, length and ETag", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const res = await fetch(`${s.http}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    const body = await res.text();
    assert.match(body, /Run WebSocket/);
    assert.equal(
      Number(res.headers.get("content-length")),
      new TextEncoder().encode(body).length,
    );
    assert.match(res.headers.get("etag") ?? "", /^W\/"/);
    const again = await fetch(`${s.http}/index.html`);
    assert.equal(await again.text(), body);
  });
});

eachEngine.test("serveStatic() answers 304 to a fresh ETag and HEAD without a body", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const first = await fetch(`${s.http}/`);
    await first.body?.cancel();
    const etag = first.headers.get("etag")!;
    const cached = await fetch(`${s.http}/`, {
      headers: { "if-none-match": etag },
    });
    assert.equal(cached.status, 304);
    assert.equal(await cached.text(), "");
    const stale = await fetch(`${s.http}/`, {
      headers: { "if-none-match": 'W/"other"' },
    });
    assert.equal(stale.status, 200);
    await stale.body?.cancel();
    const head = await fetch(`${s.http}/`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(
      head.headers.get("content-length"),
      first.headers.get("content-length"),
    );
    assert.equal(await head.text(), "");
  });
});

eachEngine.test("serveStatic() never leaves the static folder", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    for (
      const path of [
        "/../deno.json",
        "/%2e%2e/deno.json",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/..%2fdeno.json",
        "/static%2f..%2fdeno.json",
        "/..%5cdeno.json",
        "/.git/config",
        "/%00",
        "/%E0%A4%A",
      ]
    ) {
      // Raw bytes, so no client normalises the dots away first.
      const res = await rawRequest(
        s.port,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(res.status, 404, `${path} → ${res.status}`);
      assert.doesNotMatch(res.body, /"tasks"|root:/);
    }
    const missing = await fetch(`${s.http}/nope.html`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /not found: \/nope\.html/);
  });
});

eachEngine.test("--no-static serves no files", async (engine) => {
  await withServer({ engine, staticDir: null }, undefined, async (s) => {
    const res = await fetch(`${s.http}/`);
    assert.equal(res.status, 404);
    await res.body?.cancel();
  });
});

/**
 * A temporary `--static` folder with the files a real site folder picks up
 * (`.env`, `.git/config`), a symlink out of it to a real system file, a
 * symlinked folder out of it, a symlink that stays inside, and a secret
 * next to the folder for `..` to aim at.
 */
async function trapSite(): Promise<{ root: string; site: string }> {
  const root = await Deno.makeTempDir({ prefix: "denosocket-static-" });
  const site = `${root}/site`;
  await Deno.mkdir(`${site}/.git`, { recursive: true });
  await Deno.mkdir(`${root}/elsewhere`);
  await Deno.writeTextFile(`${site}/index.html`, "<p>home</p>\n");
  await Deno.writeTextFile(`${site}/real.txt`, "inside\n");
  await Deno.writeTextFile(`${site}/.env`, "SECRET=env-file\n");
  await Deno.writeTextFile(`${site}/.git/config`, "[core] secret=git\n");
  await Deno.writeTextFile(`${root}/secret.txt`, "SECRET=next-door\n");
  await Deno.writeTextFile(`${root}/elsewhere/x.txt`, "SECRET=elsewhere\n");
  await Deno.symlink("/etc/passwd", `${site}/passwd`);
  await Deno.symlink(`${root}/elsewhere`, `${site}/linked`);
  await Deno.symlink(`${root}/secret.txt`, `${site}/secret.txt`);
  await Deno.symlink("real.txt", `${site}/alias.txt`);
  return { root, site };
}

eachEngine.test("serveStatic() refuses dot-files and symlinks out of --static, whatever the raw path", async (engine) => {
  const { root, site } = await trapSite();
  try {
    await withServer({ engine, staticDir: site }, undefined, async (s) => {
      const get = (path: string) =>
        // Raw bytes: no client normalises the path or its dots first.
        rawRequest(
          s.port,
          `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        );
      for (
        const path of [
          "/.env",
          "/%2eenv",
          "/.git/config",
          "/.git/",
          "/sub/../.env",
          "/passwd",
          "/./passwd",
          "/linked/x.txt",
          "/secret.txt",
          "/../secret.txt",
          "/%2e%2e/secret.txt",
          "/.%2e/secret.txt",
          "http://x/../secret.txt",
        ]
      ) {
        const res = await get(path);
        assert.equal(res.status, 404, `${path} → ${res.status}`);
        assert.doesNotMatch(res.body, /SECRET|root:/, path);
      }
      // The folder still serves what is in it, through an inside link too.
      assert.equal((await get("/")).status, 200);
      const alias = await get("/alias.txt");
      assert.equal(alias.status, 200);
      assert.match(alias.body, /inside/);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("safeRelative() and serveStatic() refuse a raw .. path and dot-files", async () => {
  for (const p of ["/../x", "/a/../../x", "/a/..", "/.env", "/a/.git/config"]) {
    assert.equal(safeRelative(p), null, p);
  }
  assert.equal(safeRelative("/a/./b.txt"), "a/b.txt");
  const { root, site } = await trapSite();
  try {
    const req = new Request("http://x/");
    for (const p of ["/../secret.txt", "/.env", "/passwd", "/linked/x.txt"]) {
      assert.equal(await serveStatic(req, site, p), null, p);
    }
    const ok = await serveStatic(req, site, "/real.txt");
    assert.equal(await ok?.text(), "inside\n");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
