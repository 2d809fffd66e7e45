// The sandbox Asana in a process of its own, for bench/percall.mjs (BENCH_FAKE=process): a real
// Asana is never in the caller's process, and a request to one in the same process skips the
// wake-up of another process that every real request pays. Sends its base URL over IPC, and its
// count of TCP connections when asked.
import { demoData } from "../dist/sandbox/demo-data.js";
import { FakeAsana } from "../dist/sandbox/fake-asana.js";

const fake = new FakeAsana(demoData());
const origin = await fake.listen(0);
let connections = 0;
fake.server.on("connection", () => connections++);
process.send({ baseUrl: `${origin}/api/1.0` });
process.on("message", (message) => {
  if (message === "connections") process.send({ connections });
  if (message === "close") fake.close().then(() => process.exit(0));
});
