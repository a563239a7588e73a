/**
 * `deno task docs:bad-input`: rewrites `docs/bad-input.md` from what a real
 * `main.ts` answers to every case of the bad-input corpus, on each engine.
 * Run it when the answers change on purpose, then read the diff. The test
 * (`tests/bad_input_test.ts`) never writes: it compares what it observed
 * with the committed file, so a stale page fails it in every mode.
 *
 * @module
 */
import { CASES, CORPUS_FLAGS } from "../tests/support/bad_input_cases.ts";
import {
  DOC_PATH,
  type Observed,
  renderDoc,
} from "../tests/support/bad_input_doc.ts";
import { probe } from "../tests/support/bad_input_probe.ts";
import { ENGINES, startEngine } from "../tests/support/engines.ts";

const observed: Observed = new Map();
for (const engine of ENGINES) {
  const server = await startEngine(engine, CORPUS_FLAGS);
  const seen = new Map();
  observed.set(engine, seen);
  try {
    for (const c of CASES) {
      seen.set(c.name, await probe(c, server.port, server.output));
    }
  } finally {
    await server.stop();
  }
}
const file = new URL(`../${DOC_PATH}`, import.meta.url);
await Deno.writeTextFile(file, renderDoc(ENGINES, observed));
console.log(
  `wrote ${DOC_PATH}: ${CASES.length} cases × ${ENGINES.length} engines ` +
    `(git diff ${DOC_PATH} shows what changed)`,
);
