// The sandbox Asana in a process of its own (bench/sandbox.mjs and bench/replicas.mjs start it):
// sends its base URL over IPC, and its counts of requests and TCP connections when asked.
// BENCH_FAKE_SIGN_IN_PAGE=1 shows the sign-in page (bench/remote-client.mjs picks a person there);
// BENCH_FAKE_APP (JSON: clientId, clientSecret, redirectUris) registers the Asana app people sign
// in through; "expire" makes every access token expire now and "refreshes" counts refresh grants.
import { demoData } from "../dist/sandbox/demo-data.js";
import { FakeAsana } from "../dist/sandbox/fake-asana.js";

const fake = new FakeAsana(demoData(), { signInPage: process.env.BENCH_FAKE_SIGN_IN_PAGE === "1" });
const origin = await fake.listen(0);
if (process.env.BENCH_FAKE_APP) fake.oauth.registerClient(JSON.parse(process.env.BENCH_FAKE_APP));
let connections = 0;
fake.server.on("connection", () => connections++);
process.send({ baseUrl: `${origin}/api/1.0` });
// A bench that crashed must not leave this process holding its terminal's pipes open.
process.on("disconnect", () => process.exit(0));
process.on("message", (message) => {
  if (message === "connections") process.send({ connections });
  if (message === "requests") process.send({ requests: fake.requests.length });
  if (message === "expire") {
    fake.oauth.expireAccessTokens();
    process.send({ expire: true });
  }
  if (message === "refreshes") process.send({ refreshes: fake.oauth.tokenRequests.refresh_token });
  if (message === "close") fake.close().then(() => process.exit(0));
});
