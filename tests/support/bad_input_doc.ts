/**
 * Renders `docs/bad-input.md` from what the corpus observed, so the doc is
 * the test's output and cannot drift from the server's behaviour.
 *
 * @module
 */
import { type BadInputCase, CASES, CORPUS_FLAGS } from "./bad_input_cases.ts";
import type { Observation } from "./bad_input_probe.ts";

/** Observations by engine, then by case name. */
export type Observed = Map<string, Map<string, Observation>>;

/** Where the generated doc lives, from the repository root. */
export const DOC_PATH = "docs/bad-input.md";

/**
 * The doc's full text for `engines` (in that order).
 *
 * @example
 * ```ts ignore
 * const text = renderDoc(["deno"], observed);
 * ```
 */
export function renderDoc(
  engines: readonly string[],
  observed: Observed,
): string {
  const out: string[] = [
    "# Bad input: what denosocket answers",
    "",
    "<!-- Generated from what the corpus observed. Do not edit: run",
    "     deno task docs:bad-input (tests/bad_input_test.ts checks it) -->",
    "",
    "Every case below is sent over raw TCP to a real `main.ts` server",
    `(\`${
      CORPUS_FLAGS.join(" ")
    }\`), once per engine. \`deno task docs:bad-input\` writes this table`,
    "from what the servers answered; `tests/bad_input_test.ts` sends the same",
    "cases and fails when the committed file differs from what it observed.",
    "",
    "After each case a control client opens `/echo` and gets its echo back, and",
    "the server has logged no error; at the end the server exits 0 on SIGTERM.",
    "",
    "- **Intended**: the RFC 6455 answer, and the answer of every engine unless",
    "  the engine's column says otherwise.",
    "- **by**: who produced the answer: our code, or (on the deno engine) Deno's",
    "  own HTTP parser, WebSocket framing or idle timeout, which we cannot change.",
    "- **log**: the close code the handler was given (1006: the peer vanished",
    "  without a close frame), or the status of a refusal we logged.",
    "  Empty: our code never saw the request (Deno's HTTP parser answered).",
    "",
  ];
  for (
    const [phase, title] of [["http", "Handshake"], [
      "ws",
      "After the 101",
    ]] as const
  ) {
    out.push(`## ${title}`, "");
    const head = ["Case", "Client sends", "Intended"];
    for (const e of engines) {
      head.push(`${e}: answer`, `${e}: by`, `${e}: log`);
    }
    head.push("Note");
    out.push(row(head), row(head.map(() => "---")));
    for (const c of CASES.filter((x) => x.phase === phase)) {
      const cells = [c.name, c.sends, c.expect];
      for (const e of engines) {
        const o = observed.get(e)?.get(c.name);
        cells.push(
          o ? mark(c, o.answer) : "(not run)",
          e === "deno" && c.byDeno ? "Deno" : "denosocket",
          o?.logged ?? "",
        );
      }
      cells.push(c.note ?? "");
      out.push(row(cells));
    }
    out.push("");
  }
  return out.join("\n");
}

/**
 * The answer expected from `engine` for `c`.
 *
 * @example
 * ```ts ignore
 * expectedAnswer(CASES[0], "native"); // CASES[0].expect
 * ```
 */
export function expectedAnswer(c: BadInputCase, engine: string): string {
  return (engine === "deno" ? c.deno : undefined) ?? c.expect;
}

/** Bold: the engine's answer is not the intended one. */
function mark(c: BadInputCase, answer: string): string {
  return answer === c.expect ? answer : `**${answer}**`;
}

function row(cells: string[]): string {
  return `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
}
