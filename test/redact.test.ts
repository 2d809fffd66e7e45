// The redactor on its own: which fragments of a secret count as the secret, and the bound on how
// many rotated tokens it keeps looking for.
import { describe, expect, it } from "vitest";
import { ROTATING_HISTORY, redact, registeredSecretCount, registerSecret, SECRET_SLOTS } from "../src/log.js";

describe("redact", () => {
  const PAT = "2/1201000000000001/1201000000000042:0123456789abcdef0123456789abcdef";
  const HALF = PAT.slice(PAT.lastIndexOf(":") + 1);
  registerSecret(PAT);

  it("replaces the token, its secret half, and any 16 characters of the secret", () => {
    expect(redact(`a ${PAT} b`)).toBe("a [redacted] b");
    expect(redact(`half=${HALF}.`)).toBe("half=[redacted].");
    // The token less a few characters: its gids go with it, as they lead to the secret.
    expect(redact(`(${PAT.slice(0, -5)})`)).toBe("([redacted])");
    expect(redact(PAT.slice(30, -5))).toBe("00042:[redacted]"); // only the secret's own characters
    expect(redact(`x${HALF.slice(3, 19)}y`)).toBe("x[redacted]y"); // 16 characters, unaligned
    expect(redact(`x${HALF.slice(7, 29)}y${HALF.slice(1, 17)}`)).toBe("x[redacted]y[redacted]");
  });

  it("leaves the public gids of a PAT and short coincidences alone", () => {
    // The user gid is in every whoami answer; 15 characters of the secret are not redacted.
    expect(redact("user 1201000000000001 app 1201000000000042")).toBe(
      "user 1201000000000001 app 1201000000000042",
    );
    expect(redact(HALF.slice(0, 15))).toBe(HALF.slice(0, 15));
  });

  it("redacts fragments of short secrets down to their length less 4, never below 8", () => {
    registerSecret("Zq7Wm2Kp9Xv4"); // 12 characters: 8 of them count
    expect(redact("..Zq7Wm2Kp..")).toBe("..[redacted]..");
    expect(redact("..Zq7Wm2K..")).toBe("..Zq7Wm2K..");
  });

  it("finds a secret with a quote or backslash in JSON text too, as results are redacted serialized", () => {
    const secret = 'cl13nt"s3cr3t\\with-quotes-0987654321';
    registerSecret(secret);
    const json = JSON.stringify({ name: `see ${secret}`, notes: secret.slice(2, 30) });
    const out = redact(json);
    expect(JSON.parse(out)).toEqual({ name: "see [redacted]", notes: "[redacted]" });
  });

  it("keeps a bounded history of rotated tokens, and every pinned secret", () => {
    const before = registeredSecretCount();
    const tokens = Array.from({ length: 50 }, (_, i) => `access-${i}-${"k".repeat(8)}${i * 7919}Qx`);
    for (const token of tokens) registerSecret(token, SECRET_SLOTS.oauthAccess);
    registerSecret(tokens.at(-1), SECRET_SLOTS.oauthAccess); // again: no growth
    expect(registeredSecretCount()).toBe(before + ROTATING_HISTORY);
    for (const token of tokens.slice(-ROTATING_HISTORY)) expect(redact(token)).toBe("[redacted]");
    expect(redact(tokens[0] ?? "")).toBe(tokens[0]);
    expect(redact(PAT)).toBe("[redacted]");
  });
});
