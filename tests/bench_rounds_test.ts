/**
 * The bench compares like with like: how a round is laid out (a fresh
 * process per memory row, one per compression setting, a rotated server
 * order), which rounds a row's figures come from (whole rounds, the same
 * for every server), and that the default-config servers run exactly
 * `deno task start`. Pure functions of `bench/`, no load generated.
 */
import assert from "node:assert/strict";
import type { Cell, Sample, Scenario } from "../bench/model.ts";
import { summarize } from "../bench/report.ts";
import { keptRounds, notApplicable, plan, rotate } from "../bench/rounds.ts";
import { FULL, SCENARIOS } from "../bench/scenarios.ts";
import { resolveServers, startTask } from "../bench/servers.ts";

const ids = (scs: Scenario[]) => scs.map((s) => s.id);

Deno.test("bench: every row says its compression and memory rows start a fresh process", () => {
  for (const sc of SCENARIOS) {
    assert.ok(
      sc.title.endsWith(sc.deflate ? "· deflate on" : "· no deflate"),
      sc.title,
    );
    assert.equal(sc.fresh, sc.unit === "KiB/conn", sc.id);
    // The client offers permessage-deflate in exactly the deflate rows.
    assert.equal(sc.args(FULL).includes("--deflate"), sc.deflate, sc.id);
  }
  const groups = plan(SCENARIOS, () => null);
  assert.deepEqual(groups.map((g) => [g.deflate, ids(g.scenarios)]), [
    [false, ["s5"]],
    [true, ["s5-deflate"]],
    [false, [
      "s1",
      "s2-text",
      "s2-binary",
      "s3",
      "s4",
      "s6",
      "cat-s2",
      "spawn",
    ]],
    [true, ["s6-deflate"]],
  ]);
});

Deno.test("bench: servers without deflate sit out the deflate rows; the default config the memory and program rows", async () => {
  const [raw, native, def, wsd] = await resolveServers([
    "raw",
    "project-native",
    "project-default",
    "websocketd",
  ]);
  const rows = (spec = raw.spec!) =>
    plan(SCENARIOS, (sc) => notApplicable(spec, sc)).flatMap((g) =>
      ids(g.scenarios)
    );
  assert.deepEqual(rows(raw.spec), [
    "s5",
    "s1",
    "s2-text",
    "s2-binary",
    "s3",
    "s4",
    "s6",
  ]);
  assert.deepEqual(
    rows(native.spec),
    [
      "s5",
      "s5-deflate",
      "s1",
      "s2-text",
      "s2-binary",
      "s3",
      "s4",
      "s6",
      "cat-s2",
      "spawn",
      "s6-deflate",
    ],
  );
  // websocketd serves programs only; they run on the quiet configs.
  assert.deepEqual(rows(wsd.spec), ["cat-s2", "spawn"]);
  assert.deepEqual(rows(def.spec), [
    "s1",
    "s2-text",
    "s2-binary",
    "s3",
    "s4",
    "s6",
  ]);
  // The native engine compresses only in the deflate rows.
  assert.ok(!native.spec!.command(1, false).includes("--deflate"));
  assert.deepEqual(native.spec!.command(1, true).slice(-2), [
    "--deflate",
    "on",
  ]);
});

Deno.test("bench: the default-config servers run exactly deno task start, logging", async () => {
  const task = JSON.parse(await Deno.readTextFile("deno.json")).tasks.start
    .split(" ");
  assert.deepEqual(await startTask(), [Deno.execPath(), ...task.slice(1)]);
  const [def, nat, quiet] = await resolveServers([
    "project-default",
    "project-native-default",
    "project",
  ]);
  assert.deepEqual(def.spec!.command(4321, false), [
    Deno.execPath(),
    ...task.slice(1),
    "--port",
    "4321",
  ]);
  assert.deepEqual(nat.spec!.command(4321, false).slice(-2), [
    "--engine",
    "native",
  ]);
  assert.ok(def.spec!.logs && nat.spec!.logs && !quiet.spec!.logs);
  assert.ok(
    quiet.spec!.command(1, false).join(" ").includes("--log-level error"),
  );
});

Deno.test("bench: rounds rotate the server order", () => {
  assert.deepEqual(rotate(["a", "b", "c"], 1), ["a", "b", "c"]);
  assert.deepEqual(rotate(["a", "b", "c"], 2), ["b", "c", "a"]);
  assert.deepEqual(rotate(["a", "b", "c"], 3), ["c", "a", "b"]);
  assert.deepEqual(rotate(["a", "b", "c"], 4), ["a", "b", "c"]);
  assert.deepEqual(rotate([], 2), []);
});

function sample(round: number, value: number, otherCpu = 0): Sample {
  return { round, value, otherCpu, clientSaturated: false };
}

Deno.test("bench: a noisy round is dropped for every server of the row", () => {
  const cells: Cell[] = [
    {
      server: "raw",
      scenario: "s4",
      samples: [sample(1, 100), sample(2, 200, 0.5), sample(3, 110)],
    },
    {
      server: "project",
      scenario: "s4",
      samples: [sample(1, 90, 0.3), sample(2, 80), sample(3, 95)],
    },
  ];
  const kept = keptRounds(cells);
  assert.deepEqual([...kept], [3]);
  assert.equal(summarize(cells[0].samples, kept)!.median, 110);
  assert.equal(summarize(cells[1].samples, kept)!.median, 95);
  assert.equal(summarize(cells[1].samples, kept)!.used, 1);
  // No clean round: all are used, and the figure says so.
  const noisy = [{ ...cells[0], samples: [sample(1, 5, 1), sample(2, 7, 1)] }];
  const all = keptRounds(noisy);
  assert.deepEqual([...all].sort(), [1, 2]);
  assert.ok(summarize(noisy[0].samples, all)!.allNoisy);
  // One failed round scores the whole cell 0.
  const failed = [sample(1, 100), { ...sample(3, 120), error: "bad echo" }];
  assert.equal(summarize(failed, new Set([1, 3]))!.median, 0);
});
