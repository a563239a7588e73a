/**
 * The bad-input corpus (`tests/support/bad_input_cases.ts`) against every
 * engine: each case gets its exact answer, then a control client still gets
 * its echo and the server has logged no error; the server exits 0 at the end.
 * `docs/bad-input.md` is rendered from what was observed here.
 */
import assert from "node:assert/strict";
import { CASES, CORPUS_FLAGS } from "./support/bad_input_cases.ts";
import {
  DOC_PATH,
  expectedAnswer,
  type Observed,
  renderDoc,
} from "./support/bad_input_doc.ts";
import { probe } from "./support/bad_input_probe.ts";
import { ENGINES, startEngine } from "./support/engines.ts";
import { TestClient } from "./support/ws_client.ts";

const observed: Observed = new Map();
const ROOT = new URL("../", import.meta.url);
const UNHANDLED = /ERROR|Uncaught|panicked|Unhandled|error:/;

for (const engine of ENGINES) {
  Deno.test(`the ${engine} engine answers every bad input and keeps serving`, async (t) => {
    const server = await startEngine(engine, CORPUS_FLAGS);
    const seen = new Map();
    observed.set(engine, seen);
    let stopped = false;
    try {
      for (const c of CASES) {
        await t.step(c.name, async () => {
          const before = server.output().length;
          const o = await probe(c, server.port, server.output);
          seen.set(c.name, o);
          assert.equal(
            o.answer,
            expectedAnswer(c, engine),
            `answer to "${c.name}"`,
          );
          const control = await TestClient.open(`${server.ws}/echo`);
          control.send(`control after ${c.name}`);
          assert.equal(await control.next(10_000), `control after ${c.name}`);
          await control.close();
          const logged = server.output().slice(before);
          assert.doesNotMatch(logged, UNHANDLED, logged);
        });
      }
      stopped = true;
      const status = await server.stop();
      assert.equal(status.code, 0, server.output());
    } finally {
      if (!stopped) await server.stop();
    }
  });
}

Deno.test("docs/bad-input.md is what the corpus observed", async () => {
  assert.equal(
    observed.size,
    ENGINES.length,
    "run the whole file: the doc needs every engine's answers",
  );
  const text = renderDoc(ENGINES, observed);
  // Always the committed file: writing it is a separate command, so no mode
  // of this test can compare the page with itself.
  const committed = await Deno.readTextFile(new URL(DOC_PATH, ROOT))
    .catch(() => "(missing)");
  assert.equal(
    committed,
    text,
    `${DOC_PATH} is stale: run \`deno task docs:bad-input\` and read the diff`,
  );
});
