/**
 * `deno task fuzz`: the frame parser and inflater properties of
 * `tests/frame_fuzz_test.ts`, run long with a fresh seed. `deno task test`
 * runs the same properties seeded and bounded (a few seconds); this is for
 * an afternoon, a night, or after a change to `lib/protocol/`.
 *
 * A failure prints fast-check's counterexample and the seed; rerun it with
 * `DENOSOCKET_FUZZ_SEED=SEED deno test -A tests/frame_fuzz_test.ts`.
 *
 * @example
 * ```sh
 * deno task fuzz                     # 20,000 runs per property, random seed
 * deno task fuzz --runs 200000 --seed 42
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args.filter((a) => a !== "--"), // `deno task fuzz -- --runs 1`
  options: {
    runs: { type: "string", default: "20000" },
    seed: { type: "string" },
  },
});
const seed = values.seed ?? String(Math.floor(Math.random() * 2 ** 31));
console.log(`fuzz: ${values.runs} runs per property, seed ${seed}`);
const status = await new Deno.Command(Deno.execPath(), {
  args: ["test", "-A", "tests/frame_fuzz_test.ts"],
  cwd: new URL("../", import.meta.url),
  env: { DENOSOCKET_FUZZ_RUNS: values.runs, DENOSOCKET_FUZZ_SEED: seed },
  stdout: "inherit",
  stderr: "inherit",
}).spawn().status;
if (!status.success) {
  console.log(
    `fuzz: FAILED with seed ${seed}; rerun: DENOSOCKET_FUZZ_SEED=${seed} ` +
      `DENOSOCKET_FUZZ_RUNS=${values.runs} deno test -A tests/frame_fuzz_test.ts`,
  );
}
Deno.exit(status.code);
