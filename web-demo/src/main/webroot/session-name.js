// What the server accepts as a session name (docs/protocol.md, "Vocabulary"), checked here so a
// bad name is explained on the join form instead of failing later as a refused token.
// No `pattern` attribute: Chromium compiles it with the `v` flag, where an unescaped `-` in a
// character class is a syntax error and the whole check is silently skipped.

const VALID = /^[A-Za-z0-9._-]{1,128}$/;

/** Why `name` cannot be a session name, or null if it can. */
export function sessionNameProblem(name) {
  if (!name) return "Pick a name for the session.";
  if (name.length > 128) return "A session name has at most 128 characters.";
  if (VALID.test(name)) return null;
  const bad = [...new Set([...name].filter((ch) => !/[A-Za-z0-9._-]/.test(ch)))];
  const shown = bad.map((ch) => (ch === " " ? "space" : `“${ch}”`)).join(", ");
  return `Only letters, digits, “.”, “_” and “-” — not ${shown}. Try “${suggestion(name)}”.`;
}

/** A valid name close to `name` ("Team board #1" → "Team-board-1"). */
export function suggestion(name) {
  const s = name
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 128);
  return s || "my-board";
}
