/**
 * The bad-input corpus as data: each case is what a client sends (bytes and
 * a few timed steps) and the answer expected from every engine. `expect` is
 * the RFC 6455 / our answer; `deno` records where the deno engine answers
 * differently because the framing is Deno's, not ours.
 *
 * @module
 */
import { HANDSHAKE_CASES } from "./bad_input_handshake.ts";
import { FRAME_CASES } from "./bad_input_frames.ts";

/** One thing the client does. */
export type Step =
  | { write: Uint8Array }
  /** Writes `bytes` in chunks of `chunk`, stopping at the first failed write. */
  | { stream: { header: Uint8Array; total: number; chunk: number } }
  /** Writes one byte every `everyMs`, for at most `forMs`, while the server says nothing. */
  | { drip: Uint8Array; everyMs: number; forMs: number }
  | { wait: number }
  /** Ends the TCP connection with a reset (closes with unread data). */
  | { reset: true };

/** A case of the corpus. */
export interface BadInputCase {
  name: string;
  /** `http`: raw request, answer is an HTTP status; `ws`: after a 101 on /echo. */
  phase: "http" | "ws";
  /** What the client sends, in words, for the doc. */
  sends: string;
  steps: Step[];
  /** How long to wait for the answer after the steps (ms). */
  waitMs?: number;
  /** Stop reading at the first echoed message (for answers that keep the connection). */
  untilEcho?: boolean;
  /** Keep reading after a close frame until the TCP connection ends. */
  untilEnd?: boolean;
  /** The answer every engine should give. */
  expect: string;
  /** Where the deno engine's answer differs (Deno's framing or HTTP parser). */
  deno?: string;
  /** Why, for the doc. */
  note?: string;
  /** On the deno engine the answer comes from Deno's own parser or framing. */
  byDeno?: boolean;
}

/** A server started for the corpus gets these flags. */
export const CORPUS_FLAGS = [
  "--max-message-size",
  "1MiB",
  "--idle-timeout",
  "4",
];

/** Every case: the handshake ones, then those after the 101. */
export const CASES: BadInputCase[] = [...HANDSHAKE_CASES, ...FRAME_CASES];
