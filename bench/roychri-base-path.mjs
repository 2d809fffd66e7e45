// Preload for `@roychri/mcp-server-asana` in the bench (node --import): points the `asana` SDK's
// shared ApiClient at the sandbox Asana named by BENCH_ASANA_BASE_URL. It must be the very module
// instance that server imports, so it is required from that server's own node_modules.
import { createRequire } from "node:module";

const base = process.env.BENCH_ASANA_BASE_URL;
const entry = process.env.BENCH_ROYCHRI_ENTRY;
if (!base || !entry) throw new Error("BENCH_ASANA_BASE_URL and BENCH_ROYCHRI_ENTRY must be set");
const asana = createRequire(entry)("asana");
asana.ApiClient.instance.basePath = base;
