// Small formatting helpers shared by the console and benchmark pages.

/**
 * A byte count for people: "512 B", "1.5 KiB", "16 MiB".
 *
 * @example
 * formatBytes(1536); // "1.5 KiB"
 */
export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  // Three significant digits at most, without trailing zeros: 1.95, 80, 1.25.
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${Number(v.toFixed(digits))} ${units[i]}`;
}

/**
 * Parses "1024", "64k", "1M", "16MiB" as bytes; null for anything else.
 *
 * @example
 * parseSize("64k"); // 65536
 */
export function parseSize(text) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib)?\s*$/i.exec(text);
  if (!m) return null;
  const units = { b: 1, k: 1024, kb: 1e3, kib: 1024, m: 1048576, mb: 1e6 };
  const unit = units[(m[2] ?? "b").toLowerCase()] ?? 1048576; // mib
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/**
 * The local time as HH:MM:SS.mmm, for log lines.
 *
 * @example
 * clock(new Date(2020, 0, 1, 9, 5, 7, 42)); // "09:05:07.042"
 */
export function clock(d = new Date()) {
  const p = (n, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${
    p(d.getMilliseconds(), 3)
  }`;
}

/**
 * The first bytes of binary data as hex, "de ad be ef …".
 *
 * @example
 * hexPreview(new Uint8Array([222, 173])); // "de ad"
 */
export function hexPreview(bytes, max = 32) {
  const shown = Array.from(
    bytes.subarray(0, max),
    (b) => b.toString(16).padStart(2, "0"),
  );
  return shown.join(" ") + (bytes.length > max ? " …" : "");
}

/**
 * Text cut to `max` characters with an ellipsis.
 *
 * @example
 * textPreview("hello world", 5); // "hello…"
 */
export function textPreview(text, max = 120) {
  return text.length > max ? text.slice(0, max) + "…" : text;
}

/**
 * UTF-8 length of a string: what the server counts for a text message.
 *
 * @example
 * utf8Length("é"); // 2
 */
export function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

/**
 * Parses hex bytes such as "de ad be ef" or "0xde,0xad"; null when invalid.
 *
 * @example
 * parseHex("01 ff"); // Uint8Array [1, 255]
 */
export function parseHex(text) {
  const clean = text.replace(/0x/gi, "").replace(/[\s,:]/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) return null;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  }
  return out;
}
