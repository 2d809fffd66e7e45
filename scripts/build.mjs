// `npm run build`: bundles the server into dist/index.js, one ESM file with a shebang that needs
// no node_modules at run time except the OS keychain binding. What start-up does not load (the
// sandbox, the SDK server, the tools, undici, `auth` and `doctor`, the PostgreSQL driver) is
// reached through dynamic import() and becomes chunks. dist/sandbox/*.js, dist/auth/{oauth,store}.js,
// dist/store/{postgres,json-file,crypto}.js, dist/http/server.js, dist/config.js,
// dist/auth/identities.js and dist/tools/index.js are separate entries so scripts, benches and
// test fixtures can import them directly. Types are checked by `npm run typecheck` (tsc), not here.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const dist = new URL("../dist/", import.meta.url).pathname;
const { version } = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
await rm(dist, { recursive: true, force: true });

/**
 * Trims from the bundle what asana-mcp never runs:
 * - zod's error messages in 40 languages (258 kB; only English is used, zod's default), and
 * - the MCP SDK's Ajv validator (130 kB with ajv-formats), which the SDK's Server uses only to
 *   check elicitation answers; asana-mcp never elicits. Calling it fails loudly, never silently.
 * - pg's binding to libpq (pg-native, an optional native addon asana-mcp never installs): pg loads
 *   it only for `pg.native` or NODE_PG_FORCE_NATIVE, and the stub answers as a missing module
 *   does, so `pg.native` is null and forcing it fails with a clear message.
 */
const trim = {
  name: "trim",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes("/node_modules/zod/")
        ? { path: args.importer, namespace: "zod-locales" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(new URL("../locales/en.js", `file://${args.path}`).pathname)};`,
      loader: "js",
      resolveDir: new URL(".", `file://${args.path}`).pathname,
    }));
    b.onResolve({ filter: /\/validation\/ajv-provider\.js$/ }, (args) =>
      args.importer.includes("/@modelcontextprotocol/sdk/")
        ? { path: "ajv-provider", namespace: "no-ajv" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "no-ajv" }, () => ({
      contents: `export class AjvJsonSchemaValidator {
  getValidator() { throw new Error("asana-mcp does not bundle a JSON Schema validator (elicitation is not used)"); }
}`,
      loader: "js",
    }));
    b.onResolve({ filter: /^\.\/native$/ }, (args) =>
      args.importer.includes("/node_modules/pg/lib/")
        ? { path: "pg-native", namespace: "no-pg-native" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "no-pg-native" }, () => ({
      contents: `const error = new Error("asana-mcp does not bundle pg-native; it uses pg's JavaScript client");
error.code = "MODULE_NOT_FOUND";
throw error;`,
      loader: "js",
    }));
  },
};

const options = {
  plugins: [trim],
  // A native addon (the OS keychain), loaded only by `auth` and stored logins: it stays a runtime
  // dependency, resolved from node_modules.
  external: ["@napi-rs/keyring"],
  // The bundle needs no package.json next to it (an MCP Bundle ships dist/ alone).
  define: { __ASANA_MCP_VERSION__: JSON.stringify(version) },
  // Besides the bin: modules that scripts, benches and test fixtures import from dist/ directly.
  entryPoints: [
    "src/index.ts",
    "src/sandbox/start.ts",
    "src/sandbox/fake-asana.ts",
    "src/sandbox/demo-data.ts",
    "src/auth/oauth.ts",
    "src/auth/store.ts",
    "src/store/postgres.ts",
    // The remote server's pieces, for benches that start replicas in processes of their own.
    "src/http/server.ts",
    "src/config.ts",
    "src/auth/identities.ts",
    "src/store/crypto.ts",
    "src/store/json-file.ts",
    "src/tools/index.ts",
    "src/tools/toolsets.ts",
  ],
  outbase: "src",
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.18",
  chunkNames: "chunks/[name]-[hash]",
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: "eof",
  metafile: true,
  logLevel: "warning",
  // CommonJS dependencies (dotenv, parts of undici) call require(); an ESM bundle has none.
  banner: {
    js: 'import{createRequire as __asanaMcpRequire}from"node:module";const require=__asanaMcpRequire(import.meta.url);',
  },
};

// Every tool's wire input schema is computed now, by the same code the server runs, and inlined:
// the first tools/list then skips z.toJSONSchema (~14 ms for 18 tools).
const work = await mkdtemp(join(tmpdir(), "asana-mcp-build-"));
try {
  const generator = join(work, "schemas.mjs");
  await build({
    ...options,
    entryPoints: undefined,
    outbase: undefined,
    outdir: undefined,
    splitting: false,
    metafile: false,
    outfile: generator,
    stdin: {
      contents: `import { ALL_TOOLS } from "./src/tools/index.ts";
import { inputSchemaOf } from "./src/wire.ts";
process.stdout.write(JSON.stringify(Object.fromEntries(ALL_TOOLS.map((t) => [t.name, inputSchemaOf(t)]))));`,
      resolveDir: root,
      loader: "ts",
    },
  });
  const schemas = execFileSync(process.execPath, [generator], { encoding: "utf8" });
  JSON.parse(schemas);
  options.define.__ASANA_MCP_TOOL_SCHEMAS__ = schemas;
} finally {
  await rm(work, { recursive: true, force: true });
}

const result = await build(options);

if (process.env.BUILD_REPORT) {
  const { analyzeMetafile } = await import("esbuild");
  process.stdout.write(await analyzeMetafile(result.metafile, { verbose: false }));
}
