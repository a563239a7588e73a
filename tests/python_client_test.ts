import assert from "node:assert/strict";
import { withServer } from "./support/server.ts";
import { eachEngine } from "./support/engines.ts";
import { childEnv } from "./support/spawn.ts";
import { TOOLS } from "./support/tools.ts";

const PYTHON = TOOLS.python3.path;

/** Runs a python3-websockets script against the server; returns its stdout lines. */
async function python(script: string, url: string): Promise<string[]> {
  let out;
  try {
    out = await new Deno.Command(PYTHON, {
      args: ["-c", script, url],
      clearEnv: true,
      env: childEnv(),
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  } catch (err) {
    throw new Error(
      `${PYTHON} not runnable (${err}); install it: apt-get install -y python3-websockets`,
    );
  }
  const stderr = new TextDecoder().decode(out.stderr);
  if (stderr.includes("No module named 'websockets'")) {
    throw new Error(
      "python3-websockets missing: apt-get install -y python3-websockets",
    );
  }
  assert.equal(out.code, 0, stderr);
  return new TextDecoder().decode(out.stdout).trim().split("\n");
}

eachEngine.test("python3-websockets echoes text and binary through /echo", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const lines = await python(
      `
import asyncio, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        await ws.send("hello from python")
        print(await ws.recv())
        await ws.send(bytes(range(256)))
        data = await ws.recv()
        print(type(data).__name__, len(data), data == bytes(range(256)))
        await ws.close(4001, "py done")
        print(ws.close_code, ws.close_reason)
asyncio.run(main())
`,
      `${s.ws}/echo`,
    );
    assert.deepEqual(lines, [
      "hello from python",
      "bytes 256 True",
      "4001 py done",
    ]);
  });
});

eachEngine.test("python3-websockets negotiates a subprotocol from a multi-protocol offer", async (engine) => {
  await withServer({ engine }, undefined, async (s) => {
    const lines = await python(
      `
import asyncio, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1], subprotocols=["x", "chat", "chat.v2"]) as ws:
        print(ws.subprotocol)
        print(await ws.recv())
asyncio.run(main())
`,
      `${s.ws}/subprotocol`,
    );
    assert.deepEqual(lines, ["chat.v2", "protocol: chat.v2"]);
  });
});
