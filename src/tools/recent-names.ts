// Names of sections and projects read moments ago, so a write's answer can name its target without
// reading it again (move_task right after get_project). Display only: a write never resolves
// anything from here, so a name renamed in the meantime can at worst be shown as it was a minute
// ago. Bounded, and each entry is kept a minute. Kept per HTTP client (one per server process),
// as the settlement's claimed set is.
import type { AsanaClient } from "../asana/http.js";

const TTL_MS = 60_000;
const MAX_ENTRIES = 2_000;

interface Entry {
  at: number;
  name: string;
  /** A section's project, so "moved to section X in project Y" needs no read either. */
  project?: { gid: string; name: string };
}

const byClient = new WeakMap<AsanaClient, Map<string, Entry>>();

export function rememberName(
  asana: AsanaClient,
  gid: string,
  name: string,
  project?: { gid: string; name: string },
): void {
  const entries = byClient.get(asana) ?? new Map<string, Entry>();
  byClient.set(asana, entries);
  entries.delete(gid);
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  entries.set(gid, { at: Date.now(), name, ...(project ? { project } : {}) });
}

export function recentName(asana: AsanaClient, gid: string): Omit<Entry, "at"> | undefined {
  const entries = byClient.get(asana);
  const entry = entries?.get(gid);
  if (!entry) return undefined;
  if (Date.now() - entry.at > TTL_MS) {
    entries?.delete(gid);
    return undefined;
  }
  return entry.project ? { name: entry.name, project: entry.project } : { name: entry.name };
}
