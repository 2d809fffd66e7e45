// The embedded store's file: one JSON document holding every record, versioned so an older
// asana-mcp refuses a file a newer one wrote instead of misreading it.
//
//   {"format":"asana-mcp store","version":1,"records":{"<kind>":{"<key>":{"value":{…},"expiresAt":…}}}}
import { type JsonObject, RECORD_KINDS, type RecordKind, StoreUnavailableError } from "./types.js";

export const FILE_FORMAT = "asana-mcp store";
export const FILE_VERSION = 1;

/** A record in memory: its value as JSON text (a copy no caller can change) and its expiry. */
export interface Row {
  json: string;
  expiresAt: number | undefined;
}

/** The file's text for these rows. Values are already JSON, so they are spliced in, not re-encoded. */
export function serializeStore(rows: ReadonlyMap<RecordKind, ReadonlyMap<string, Row>>): string {
  const parts: string[] = [];
  for (const kind of RECORD_KINDS) {
    const entries: string[] = [];
    for (const [key, row] of rows.get(kind) ?? []) {
      const expiry = row.expiresAt === undefined ? "" : `,"expiresAt":${row.expiresAt}`;
      entries.push(`\n${JSON.stringify(key)}:{"value":${row.json}${expiry}}`);
    }
    parts.push(`${JSON.stringify(kind)}:{${entries.join(",")}}`);
  }
  return `{"format":${JSON.stringify(FILE_FORMAT)},"version":${FILE_VERSION},"records":{\n${parts.join(",\n")}}}\n`;
}

/** Reads the file's text; a file that is not exactly this format is refused, naming the file. */
export function parseStoreFile(text: string, path: string): Map<RecordKind, Map<string, Row>> {
  const corrupt = (why: string) =>
    new StoreUnavailableError(
      `The store file ${path} is corrupt (${why}); it was left as it is. Restore it from a backup, or move it away to start with no sign-ins.`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw corrupt("not valid JSON");
  }
  if (!isObject(raw) || raw.format !== FILE_FORMAT) throw corrupt("not an asana-mcp store");
  if (typeof raw.version === "number" && raw.version > FILE_VERSION) {
    throw new StoreUnavailableError(
      `The store file ${path} was written by a newer asana-mcp (format ${raw.version}); upgrade asana-mcp.`,
    );
  }
  if (raw.version !== FILE_VERSION) throw corrupt(`unknown version ${String(raw.version)}`);
  if (!isObject(raw.records)) throw corrupt("no records");
  const result = new Map<RecordKind, Map<string, Row>>();
  for (const kind of RECORD_KINDS) result.set(kind, new Map());
  for (const [kind, records] of Object.entries(raw.records)) {
    const rows = result.get(kind as RecordKind);
    if (!rows) throw corrupt(`unknown kind ${JSON.stringify(kind)}`);
    if (!isObject(records)) throw corrupt(`${kind} is not an object`);
    for (const [key, record] of Object.entries(records)) {
      if (!isObject(record) || !isObject(record.value)) throw corrupt(`${kind} record has no value`);
      const { expiresAt } = record;
      if (expiresAt !== undefined && (typeof expiresAt !== "number" || !Number.isFinite(expiresAt))) {
        throw corrupt(`${kind} record has a bad expiresAt`);
      }
      rows.set(key, { json: JSON.stringify(record.value as JsonObject), expiresAt });
    }
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
