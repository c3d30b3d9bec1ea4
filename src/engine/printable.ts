/**
 * Text from a CSV (column names, cells, file names) is untrusted: an ESC or
 * BEL in a header would drive the terminal it is printed on, a C1 control
 * likewise, and a bidirectional control (U+202E) would reorder what the user
 * reads. `printable` shows each such character as a JSON-style escape,
 * `\u001b`, and leaves every other character, accents and emoji included, as
 * it is. It changes nothing in text it has already escaped.
 */

/** C0 controls, DEL, C1 controls, the Arabic letter mark, LRM/RLM, line and paragraph separators, the bidi embeddings, overrides and isolates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
