// The sandbox Asana in a process of its own (bench/sandbox.mjs starts it): sends its base URL
// over IPC, and its counts of requests and TCP connections when asked.
import { demoData } from "../dist/sandbox/demo-data.js";
import { FakeAsana } from "../dist/sandbox/fake-asana.js";

const fake = new FakeAsana(demoData());
const origin = await fake.listen(0);
let connections = 0;
fake.server.on("connection", () => connections++);
process.send({ baseUrl: `${origin}/api/1.0` });
// A bench that crashed must not leave this process holding its terminal's pipes open.
process.on("disconnect", () => process.exit(0));
process.on("message", (message) => {
  if (message === "connections") process.send({ connections });
  if (message === "requests") process.send({ requests: fake.requests.length });
  if (message === "close") fake.close().then(() => process.exit(0));
});
