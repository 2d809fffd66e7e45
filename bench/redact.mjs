// `node bench/redact.mjs`: what redaction costs each tool result. Every result
// (success or error) passes redact() once, as serialized JSON; the largest common one is a page of
// 100 projects (~16 kB). Registers the secrets a busy server holds — a PAT, a bot PAT, a service
// account token, an OAuth client secret, a refresh token and the redactor's full history of
// rotated access tokens — and times redact() on that page with no secret in it (the usual case)
// and with a token and fragments of it inside. A benchmark, not a test.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

// src/log.ts is bundled into dist/index.js, so it is compiled on its own here.
const { outputFiles } = await build({
  entryPoints: [new URL("../src/log.ts", import.meta.url).pathname],
  bundle: true,
  format: "esm",
  platform: "node",
  write: false,
});
const compiled = join(mkdtempSync(join(tmpdir(), "asana-mcp-bench-")), "log.mjs");
writeFileSync(compiled, outputFiles[0].text);
const { ROTATING_HISTORY, redact, registerSecret, SECRET_SLOTS } = await import(pathToFileURL(compiled).href);

const hex = (n, seed) =>
  Array.from({ length: n }, (_, i) => "0123456789abcdef"[(i * 7 + seed * 13 + ((i * seed) % 5)) % 16]).join(
    "",
  );
const pat = `2/1201000000000001/1201000000000002:${hex(32, 1)}`;
registerSecret(pat);
registerSecret(`2/1201000000000003/1201000000000004:${hex(32, 2)}`);
registerSecret(`2/1201000000000005/1201000000000006:${hex(32, 3)}`);
registerSecret(hex(32, 4)); // client secret
registerSecret(`1/1201000000000001:${hex(32, 5)}`, SECRET_SLOTS.oauthRefresh);
for (let i = 0; i < ROTATING_HISTORY * 10; i++)
  registerSecret(`2/1201000000000001/1201000000000007:${hex(32, 10 + i)}`, SECRET_SLOTS.oauthAccess);

// About 20 kB, larger than list_projects' 100-project page (~8-16 kB): names with a non-ASCII character (a two-byte
// string, as real names make it) and gids, which are digits like a secret's.
const projects = Array.from({ length: 100 }, (_, i) => ({
  gid: String(1202000000000000 + i),
  name: `Project ${i} — quarterly planning`,
  archived: false,
  owner: { gid: "1201000000000001", name: "Ada Lovelace" },
  url: `https://app.asana.com/0/${1202000000000000 + i}/list`,
}));
const clean = JSON.stringify({
  projects,
  next_offset: "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9",
  acting_as: "Ada",
});
const dirty = clean
  .replace("Project 7 ", `Project ${pat} `)
  .replace("Project 9 ", `Project ${pat.slice(40)} `);
if (redact(dirty).includes(pat.slice(40, 56))) throw new Error("redaction missed a fragment");

function time(text, calls) {
  for (let i = 0; i < 2000; i++) redact(text);
  const start = performance.now();
  for (let i = 0; i < calls; i++) redact(text);
  return ((performance.now() - start) * 1000) / calls;
}
const small = JSON.stringify({
  task: { gid: "1205000000000001", name: "Write the launch notes", completed: false },
});
const rounds = 7;
const results = { clean: [], dirty: [], small: [] };
for (let r = 0; r < rounds; r++) {
  results.clean.push(time(clean, 5000));
  results.dirty.push(time(dirty, 5000));
  results.small.push(time(small, 50000));
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `secrets registered: ${3 + 1 + 1 + ROTATING_HISTORY} (rotated access tokens kept: ${ROTATING_HISTORY})`,
);
console.log(
  `100-project page, ${clean.length} chars, no secret:   ${median(results.clean).toFixed(1)} µs per result`,
);
console.log(`same page with a token and a fragment:      ${median(results.dirty).toFixed(1)} µs per result`);
console.log(
  `small result (${small.length} chars):                 ${median(results.small).toFixed(2)} µs per result`,
);
