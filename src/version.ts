import { readFileSync } from "node:fs";

/** Set by scripts/build.mjs in the bundle; absent when running from src (tests). */
declare const __ASANA_MCP_VERSION__: string | undefined;

/** The package version: inlined in the bundle, else read once from package.json next to src/. */
export const VERSION: string =
  typeof __ASANA_MCP_VERSION__ === "string"
    ? __ASANA_MCP_VERSION__
    : (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
        .version;
