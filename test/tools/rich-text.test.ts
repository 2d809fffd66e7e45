import { describe, expect, it } from "vitest";
import { canonicalRichText } from "../../src/tools/rich-text.js";

describe("canonicalRichText: rich text compared as Asana stores it", () => {
  it("takes a mention as sent and as Asana rewrote it for the same", () => {
    const sent = '<body>Ping <a data-asana-gid="42"/> now</body>';
    const stored =
      '<body>Ping <a href="https://app.asana.com/0/profile/42" data-asana-accessible="true" data-asana-dynamic="true" data-asana-type="user" data-asana-gid="42">@Ada Lovelace</a> now</body>';
    expect(canonicalRichText(stored)).toBe(canonicalRichText(sent));
    expect(canonicalRichText('<body>Ping <a data-asana-gid="43"/> now</body>')).not.toBe(
      canonicalRichText(sent),
    );
  });

  it("keeps a mention's own text when it is not dynamic, and a link's target", () => {
    const a = '<body><a data-asana-gid="42" data-asana-dynamic="false">the boss</a></body>';
    expect(canonicalRichText(a)).not.toBe(
      canonicalRichText('<body><a data-asana-gid="42" data-asana-dynamic="false">someone</a></body>'),
    );
    expect(canonicalRichText('<body><a href="https://x.test/a">x</a></body>')).not.toBe(
      canonicalRichText('<body><a href="https://x.test/b">x</a></body>'),
    );
  });

  it("decodes entities, ignores attribute order and reflowed whitespace, keeps the words", () => {
    expect(canonicalRichText("<body>\n  <ul>\n <li>a &amp; b</li>\n</ul>\n</body>")).toBe(
      canonicalRichText("<body><ul><li>a &#38; b</li></ul></body>"),
    );
    expect(canonicalRichText('<body><a target="x" href="u">l</a></body>')).toBe(
      canonicalRichText("<body><a href='u'>l</a></body>"),
    );
    expect(canonicalRichText("<body>a b</body>")).not.toBe(canonicalRichText("<body>ab</body>"));
    expect(canonicalRichText("<body><strong>a</strong></body>")).not.toBe(
      canonicalRichText("<body>a</body>"),
    );
  });
});
