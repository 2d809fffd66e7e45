// Runs in every test file: whatever the in-process servers write to stdout or stderr during the
// whole suite (logs of every fault, refusal and retry) must never carry a token. The spawned bins
// are scanned by test/secrets.test.ts; this covers everything that runs inside the test workers.
import { afterAll, expect } from "vitest";
import { SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";

const SECRETS = Object.values(SANDBOX_TOKENS);
const leaks: string[] = [];

function guard(stream: NodeJS.WriteStream, name: string): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : "";
    for (const secret of SECRETS) {
      if (text.includes(secret)) leaks.push(`${name}: ${text.replaceAll(secret, "<TOKEN>").slice(0, 200)}`);
    }
    return write(chunk, ...rest);
  }) as NodeJS.WriteStream["write"];
}

guard(process.stdout, "stdout");
guard(process.stderr, "stderr");

afterAll(() => {
  expect(leaks, "a token reached stdout or stderr").toEqual([]);
});
