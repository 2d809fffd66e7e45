// `npm run pack:mcpb`: the Claude Desktop MCP Bundle, asana-mcp-VERSION.mcpb. The bundle holds
// manifest.json, the built dist/ (self-contained: no node_modules needed), README.md and LICENSE,
// staged in a temporary directory so nothing else from the clone is packed.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"));
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
if (manifest.version !== version) {
  throw new Error(`manifest.json version ${manifest.version} differs from package.json ${version}`);
}

const stage = mkdtempSync(join(tmpdir(), "asana-mcp-mcpb-"));
try {
  for (const entry of ["manifest.json", "dist", "README.md", "LICENSE"]) {
    cpSync(join(root, entry), join(stage, entry), { recursive: true });
  }
  const output = join(root, `asana-mcp-${version}.mcpb`);
  const mcpb = join(root, "node_modules", ".bin", "mcpb");
  execFileSync(mcpb, ["pack", stage, output], { stdio: "inherit" });
  process.stdout.write(
    `\nBundle: ${output}\nInstall: double-click it, or Claude Desktop → Settings → Extensions.\n`,
  );
} finally {
  rmSync(stage, { recursive: true, force: true });
}
