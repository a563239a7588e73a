/**
 * `openKvHistory()`: the history store of `--bus broadcast` — Deno KV when
 * `Deno.openKv` is there (`deno.json` turns on `--unstable-kv`; Deno Deploy
 * has it), else each worker's memory, said once in the log.
 *
 * @module
 */
import type { Logger } from "../../log.ts";
import { KvHistory, whileLocked } from "./kv_store.ts";
import { MemoryHistory } from "./memory_store.ts";
import type { HistoryStore } from "./store.ts";

/**
 * Opens Deno KV at `path` (default: Deno's location for this program; on
 * Deno Deploy, the project's KV). Without `Deno.openKv` (no `--unstable-kv`)
 * it logs once and keeps history per worker in memory instead.
 *
 * @example
 * ```ts ignore
 * const store = await openKvHistory(log, "/tmp/topics.kv");
 * ```
 */
export async function openKvHistory(
  log: Logger,
  path?: string,
): Promise<HistoryStore> {
  const open = (Deno as { openKv?: (path?: string) => Promise<Deno.Kv> })
    .openKv;
  let problem = "Deno.openKv needs --unstable-kv (deno.json turns it on)";
  if (typeof open === "function") {
    // Workers of `deno serve --parallel` open one file at once: SQLite may
    // answer "database is locked" to all but one; they wait and retry.
    try {
      return new KvHistory(await whileLocked(() => open(path)));
    } catch (err) {
      problem = `Deno.openKv failed: ${(err as Error).message}`;
    }
  }
  log.warn("history_store", {
    kind: "memory",
    error: problem,
    note: "each worker keeps its own history: offsets differ between workers",
  });
  return new MemoryHistory();
}
