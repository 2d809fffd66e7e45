// The budget operations of the PostgreSQL store, each one statement so its atomicity is the
// database's, whichever replica (pool) it comes from, and judged by the database's clock:
//
// - a slot is a row (name, slot) for slot in 0…capacity-1. An acquirer inserts a slot free in its
//   snapshot; of racers for one slot, the first inserts and the others wait on its row, then find
//   it leased and take nothing (ON CONFLICT … WHERE lease ended). So a (name, slot) has at most one
//   live holder, and a name at most `capacity`. A loser is told false and polls again; the slot is
//   picked at random so racers rarely pick the same one.
// - a quota is one row per name holding its GCRA arrival time, moved forward by an upsert whose
//   WHERE refuses to move it further than the burst tolerance ahead of now.
// - a claim is a row inserted unless a live one is there.
import type { QueryResult, QueryResultRow } from "pg";
import { quotaShape } from "./budget-memory.js";

export type Query = <R extends QueryResultRow>(text: string, values: unknown[]) => Promise<QueryResult<R>>;

const MS = "* interval '1 millisecond'";

export async function acquireSlot(
  query: Query,
  name: string,
  capacity: number,
  holder: string,
  leaseMs: number,
): Promise<boolean> {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError("a semaphore needs a capacity of 1 or more");
  const result = await query(
    `INSERT INTO asana_mcp_slots AS s (name, slot, holder, lease_until)
     SELECT $1, free.n, $3, now() + $4::double precision ${MS}
     FROM (
       SELECT n FROM generate_series(0, $2::integer - 1) AS n
       WHERE NOT EXISTS (
         SELECT 1 FROM asana_mcp_slots t WHERE t.name = $1 AND t.slot = n AND t.lease_until > now()
       )
       ORDER BY random() LIMIT 1
     ) AS free
     ON CONFLICT (name, slot) DO UPDATE SET holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until
     WHERE s.lease_until <= now()
     RETURNING 1`,
    [name, capacity, holder, leaseMs],
  );
  return result.rowCount === 1;
}

export async function countSlots(query: Query, name: string): Promise<number> {
  const result = await query<{ n: number }>(
    "SELECT count(*)::int AS n FROM asana_mcp_slots WHERE name = $1 AND lease_until > now()",
    [name],
  );
  return result.rows[0]?.n ?? 0;
}

export async function releaseSlot(query: Query, name: string, holder: string): Promise<void> {
  await query("DELETE FROM asana_mcp_slots WHERE name = $1 AND holder = $2", [name, holder]);
}

export async function takeQuota(query: Query, name: string, perMinute: number): Promise<number> {
  const { intervalMs, toleranceMs } = quotaShape(perMinute);
  // The CTE's SELECT sees the row as it was before this statement: when the upsert took nothing,
  // that arrival time (or a concurrent, later one) is why, and the wait is read from it.
  const result = await query<{ taken: boolean; ahead_ms: number | null }>(
    `WITH taken AS (
       INSERT INTO asana_mcp_quotas AS q (name, arrival) VALUES ($1, now() + $2::double precision ${MS})
       ON CONFLICT (name) DO UPDATE SET arrival = greatest(q.arrival, now()) + $2::double precision ${MS}
       WHERE greatest(q.arrival, now()) <= now() + $3::double precision ${MS}
       RETURNING 1
     )
     SELECT EXISTS (SELECT 1 FROM taken) AS taken,
       (SELECT extract(epoch FROM greatest(arrival, now()) - now()) * 1000
        FROM asana_mcp_quotas WHERE name = $1)::double precision AS ahead_ms`,
    [name, intervalMs, toleranceMs],
  );
  const row = result.rows[0];
  if (row?.taken) return 0;
  return Math.max(1, Math.ceil((row?.ahead_ms ?? 0) - toleranceMs));
}

export async function claim(query: Query, name: string, expiresAt: number): Promise<boolean> {
  const result = await query(
    `INSERT INTO asana_mcp_claims AS c (name, expires_at) VALUES ($1, now() + $2::double precision * interval '1 millisecond')
     ON CONFLICT (name) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE c.expires_at <= now()
     RETURNING 1`,
    [name, expiresAt - Date.now()],
  );
  return result.rowCount === 1;
}

/** Deletes expired claims and ended leases; resolves how many claims. */
export async function sweepBudget(query: Query, now: number | undefined): Promise<number> {
  const at = "coalesce(to_timestamp($1::double precision / 1000), now())";
  await query(`DELETE FROM asana_mcp_slots WHERE lease_until <= ${at}`, [now ?? null]);
  const claims = await query(`DELETE FROM asana_mcp_claims WHERE expires_at <= ${at}`, [now ?? null]);
  return claims.rowCount ?? 0;
}
