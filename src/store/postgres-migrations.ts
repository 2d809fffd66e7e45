// The PostgreSQL store's schema, as an ordered list of migrations applied at open. Replicas of
// one deployment start together, so migrating holds a session advisory lock: the first replica
// applies what is missing while the others wait, then find nothing left to do. Migrations only
// ever add (tables, columns, indexes), so a replica of an older release keeps working against a
// schema a newer one has moved forward.
import type { PoolClient } from "pg";

export interface Migration {
  /** 1, 2, 3…: applied in order, each once, recorded in asana_mcp_schema_version. */
  version: number;
  name: string;
  sql: string;
}

/** Append only: a released migration is never edited, a change is a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "records",
    sql: `
      CREATE TABLE IF NOT EXISTS asana_mcp_records (
        kind text NOT NULL,
        key text NOT NULL,
        value jsonb NOT NULL,
        expires_at timestamptz NULL,
        PRIMARY KEY (kind, key)
      );
      CREATE INDEX IF NOT EXISTS asana_mcp_records_expires_at
        ON asana_mcp_records (expires_at) WHERE expires_at IS NOT NULL;
    `,
  },
  {
    version: 2,
    name: "audit",
    // The audit log, when the store is PostgreSQL. Append-only for real: a trigger refuses every
    // UPDATE, DELETE and TRUNCATE, whoever runs it (only dropping the trigger, a deliberate act
    // of the table's owner, would let a record change). No index but the id's: export reads by id.
    sql: `
      CREATE TABLE IF NOT EXISTS asana_mcp_audit (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        record jsonb NOT NULL
      );
      CREATE OR REPLACE FUNCTION asana_mcp_audit_refuse() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'asana_mcp_audit is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END;
        $$;
      DROP TRIGGER IF EXISTS asana_mcp_audit_append_only ON asana_mcp_audit;
      CREATE TRIGGER asana_mcp_audit_append_only
        BEFORE UPDATE OR DELETE ON asana_mcp_audit
        FOR EACH ROW EXECUTE FUNCTION asana_mcp_audit_refuse();
      DROP TRIGGER IF EXISTS asana_mcp_audit_no_truncate ON asana_mcp_audit;
      CREATE TRIGGER asana_mcp_audit_no_truncate
        BEFORE TRUNCATE ON asana_mcp_audit
        FOR EACH STATEMENT EXECUTE FUNCTION asana_mcp_audit_refuse();
      `,
  },
  {
    // Shared Asana budgets of replicas: slots of a semaphore as rows (a slot is held while its
    // lease lasts, so a killed replica's slots come back), one quota row per name (its GCRA
    // arrival time), and first-writer-wins claims.
    version: 3,
    name: "budget",
    sql: `
      CREATE TABLE IF NOT EXISTS asana_mcp_slots (
        name text NOT NULL,
        slot integer NOT NULL,
        holder text NOT NULL,
        lease_until timestamptz NOT NULL,
        PRIMARY KEY (name, slot)
      );
      CREATE INDEX IF NOT EXISTS asana_mcp_slots_holder ON asana_mcp_slots (name, holder);
      CREATE TABLE IF NOT EXISTS asana_mcp_quotas (
        name text PRIMARY KEY,
        arrival timestamptz NOT NULL
      );
      CREATE TABLE IF NOT EXISTS asana_mcp_claims (
        name text PRIMARY KEY,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX IF NOT EXISTS asana_mcp_claims_expires_at ON asana_mcp_claims (expires_at);
    `,
  },
];

/**
 * The advisory lock key that serialises migrations: "asana-mc" in ASCII as a bigint, fixed so
 * every release agrees on it. withLock's keys are hashes and cannot be told from it by intent,
 * only by value; a collision would only make a lock wait for a migration.
 */
const MIGRATION_LOCK = BigInt("0x6173616e612d6d63").toString();

/**
 * Brings the schema up to date on `client` (a session of its own: the advisory lock is held by
 * the session). Waits at most `lockTimeoutMs` for another replica's migrations; resolves the
 * schema version the database is at, which may be newer than this release's.
 */
export async function migrate(
  client: PoolClient,
  lockTimeoutMs: number,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number> {
  await client.query("SELECT set_config('lock_timeout', $1, false)", [`${Math.max(1, lockTimeoutMs)}ms`]);
  await client.query("SELECT pg_advisory_lock($1::bigint)", [MIGRATION_LOCK]);
  try {
    await client.query(`
      CREATE TABLE IF NOT EXISTS asana_mcp_schema_version (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const applied = await client.query<{ version: number | null }>(
      "SELECT max(version) AS version FROM asana_mcp_schema_version",
    );
    let current = applied.rows[0]?.version ?? 0;
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      // Each migration and its record commit together: a crash leaves it wholly applied or not.
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query("INSERT INTO asana_mcp_schema_version (version, name) VALUES ($1, $2)", [
          migration.version,
          migration.name,
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
      current = migration.version;
    }
    return current;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1::bigint)", [MIGRATION_LOCK]).catch(() => undefined);
    await client.query("SELECT set_config('lock_timeout', '0', false)").catch(() => undefined);
  }
}
