// Argument and result pieces shared by the tools.
import { z } from "zod";

/**
 * Asana gids are digit strings; anything else never reaches a URL. Spelled [0-9], not \d: clients
 * validate the advertised pattern with their own regex engines, some of which take \d as any
 * Unicode digit.
 */
export const gid = () =>
  z.string().regex(/^[0-9]{1,32}$/, "must be an Asana gid: a string of 1 to 32 digits (0-9)");

export const limit = (fallback: number) =>
  z.number().int().min(1, "must be at least 1").max(100, "must be at most 100").default(fallback);

export const cursor = () =>
  z
    .string()
    .max(2048, "is too long to be a cursor")
    .regex(/^[A-Za-z0-9_-]+$/, "must be a next_cursor value returned by this tool")
    .optional();

export const actingAs = z.object({
  gid: z.string().nullable(),
  name: z.string(),
  kind: z.enum(["pat", "bot", "service_account", "oauth"]),
});

export const userRef = z.object({ gid: z.string(), name: z.string().nullable() });
