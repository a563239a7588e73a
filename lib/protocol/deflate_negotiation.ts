/**
 * permessage-deflate negotiation (RFC 7692 §5, §7.1): parse the client's
 * `Sec-WebSocket-Extensions` offers, accept the first acceptable one, and
 * build the response header. An offer with an unknown, duplicate or invalid
 * parameter is declined (the next one is tried; none left = uncompressed).
 *
 * @module
 */

/** The parameters both sides agreed on. */
export interface DeflateParams {
  /** The server resets its compressor after every message. */
  serverNoContextTakeover: boolean;
  /** The client resets its compressor after every message. */
  clientNoContextTakeover: boolean;
  /** LZ77 window of the server's compressor, 9–15. */
  serverMaxWindowBits: number;
  /** LZ77 window of the client's compressor, 8–15. */
  clientMaxWindowBits: number;
}

/** What the RFC assumes when no parameter is given. */
export const DEFAULT_PARAMS: Readonly<DeflateParams> = Object.freeze({
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
});

/** Server preferences; each tightens what the client offered. */
export interface DeflateNegotiationOptions {
  /** Never keep compressor context (saves memory, costs ratio). */
  serverNoContextTakeover?: boolean;
  /** Ask the client not to keep context. */
  clientNoContextTakeover?: boolean;
  /** Cap on our window, 9–15 (zlib cannot do 8: it silently uses 9). */
  serverMaxWindowBits?: number;
  /** Cap on the client's window, 8–15, if the client lets us set one. */
  clientMaxWindowBits?: number;
}

/** One parsed extension offer: name and parameters in order. */
export interface ExtensionOffer {
  /** Extension token, lower-cased. */
  name: string;
  /** Parameters; `true` for a valueless one. Names lower-cased. */
  params: [string, string | true][];
}

/** The accepted offer. */
export interface DeflateAgreement {
  /** Negotiated parameters. */
  params: DeflateParams;
  /** Value for the 101's `Sec-WebSocket-Extensions`. */
  header: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const BITS = /^(?:[89]|1[0-5])$/;

/**
 * Parses a `Sec-WebSocket-Extensions` value (RFC 6455 §9.1 grammar, quoted
 * values allowed). Returns null on a syntax error.
 *
 * @example
 * ```ts
 * import { parseExtensions } from "./deflate_negotiation.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   parseExtensions("permessage-deflate; client_max_window_bits, foo"),
 *   [
 *     {
 *       name: "permessage-deflate",
 *       params: [["client_max_window_bits", true]],
 *     },
 *     { name: "foo", params: [] },
 *   ],
 * );
 * ```
 */
export function parseExtensions(value: string): ExtensionOffer[] | null {
  const s = value, n = s.length;
  let i = 0;
  const ows = () => {
    while (i < n && (s[i] === " " || s[i] === "\t")) i++;
  };
  const token = (): string | null => {
    const start = i;
    while (i < n && TCHAR.test(s[i])) i++;
    return i > start ? s.slice(start, i) : null;
  };
  const quoted = (): string | null => {
    let out = "";
    for (i++; i < n; i++) {
      if (s[i] === '"') {
        i++;
        return out;
      }
      if (s[i] === "\\") i++;
      if (i < n) out += s[i];
    }
    return null; // unterminated
  };
  const offers: ExtensionOffer[] = [];
  for (;;) {
    ows();
    if (i < n && s[i] === ",") { // empty list elements are allowed
      i++;
      continue;
    }
    if (i >= n) break;
    const name = token();
    if (name === null) return null;
    const params: [string, string | true][] = [];
    ows();
    while (i < n && s[i] === ";") {
      i++;
      ows();
      const key = token();
      if (key === null) return null;
      ows();
      let val: string | true = true;
      if (i < n && s[i] === "=") {
        i++;
        ows();
        const v = s[i] === '"' ? quoted() : token();
        if (v === null) return null;
        val = v;
        ows();
      }
      params.push([key.toLowerCase(), val]);
    }
    offers.push({ name: name.toLowerCase(), params });
    if (i < n && s[i] !== ",") return null;
  }
  return offers;
}

/** Accepts one permessage-deflate offer, or returns null to decline it. */
function acceptOffer(
  offer: ExtensionOffer,
  opts: DeflateNegotiationOptions,
): DeflateAgreement | null {
  const seen = new Set<string>();
  let snct = false, cnct = false;
  let smwb: number | undefined, cmwb: number | true | undefined;
  for (const [key, val] of offer.params) {
    if (seen.has(key)) return null;
    seen.add(key);
    if (key === "server_no_context_takeover" && val === true) snct = true;
    else if (key === "client_no_context_takeover" && val === true) cnct = true;
    else if (
      key === "server_max_window_bits" && val !== true && BITS.test(val)
    ) {
      smwb = Number(val);
    } else if (key === "client_max_window_bits") {
      if (val !== true && !BITS.test(val)) return null;
      cmwb = val === true ? true : Number(val);
    } else return null; // unknown parameter, or a value where none belongs
  }
  const serverBits = Math.min(
    smwb ?? 15,
    Math.max(9, opts.serverMaxWindowBits ?? 15),
  );
  // The client demands a window of 8, which zlib cannot honour.
  if (serverBits < 9) return null;
  let clientBits = 15;
  if (cmwb !== undefined) {
    clientBits = Math.min(
      cmwb === true ? 15 : cmwb,
      opts.clientMaxWindowBits ?? 15,
    );
  }
  const params: DeflateParams = {
    serverNoContextTakeover: snct || !!opts.serverNoContextTakeover,
    clientNoContextTakeover: cnct || !!opts.clientNoContextTakeover,
    serverMaxWindowBits: serverBits,
    clientMaxWindowBits: clientBits,
  };
  let header = "permessage-deflate";
  if (params.serverNoContextTakeover) header += "; server_no_context_takeover";
  if (params.clientNoContextTakeover) header += "; client_no_context_takeover";
  // Must answer server_max_window_bits if offered; may add it to shrink ours.
  if (smwb !== undefined || serverBits < 15) {
    header += `; server_max_window_bits=${serverBits}`;
  }
  // Only allowed in the answer if the client offered it (§7.1.2.2).
  if (cmwb !== undefined && (cmwb !== true || clientBits < 15)) {
    header += `; client_max_window_bits=${clientBits}`;
  }
  return { params, header };
}

/**
 * Picks the first acceptable permessage-deflate offer from the request's
 * `Sec-WebSocket-Extensions` value; null means no compression.
 *
 * @example
 * ```ts
 * import { negotiateDeflate } from "./deflate_negotiation.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   negotiateDeflate("permessage-deflate; client_max_window_bits")?.header,
 *   "permessage-deflate",
 * );
 * assert.equal(
 *   negotiateDeflate("permessage-deflate; server_max_window_bits=10")?.header,
 *   "permessage-deflate; server_max_window_bits=10",
 * );
 * ```
 */
export function negotiateDeflate(
  header: string | null | undefined,
  opts: DeflateNegotiationOptions = {},
): DeflateAgreement | null {
  if (!header) return null;
  const offers = parseExtensions(header);
  if (offers === null) return null;
  for (const offer of offers) {
    if (offer.name !== "permessage-deflate") continue;
    const agreed = acceptOffer(offer, opts);
    if (agreed) return agreed;
  }
  return null;
}
