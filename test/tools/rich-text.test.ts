import { describe, expect, it } from "vitest";
import { COMMENT_TAGS, canonicalRichText, NOTES_TAGS, richTextProblem } from "../../src/tools/rich-text.js";

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

describe("richTextProblem: what Asana would refuse, found before sending", () => {
  it("accepts what Asana writes and returns", () => {
    for (const html of [
      '<body>Done by <strong>bot</strong> for <a data-asana-gid="4168112"/></body>',
      '<body><a href="https://app.asana.com/0/1/2" data-asana-accessible="true" data-asana-dynamic="true" data-asana-type="user" data-asana-gid="1">@Ada</a> &lt;3</body>',
      "<body><ul><li><em>a</em></li><li><code>b</code></li></ul><!-- note --></body>",
      // Quoted values may hold ">" and "/", and a comment may hold anything.
      '<body><a href="https://x.io/a/>b">link</a></body>',
      "<body>a<!-- x > <i>y</i> -->b</body>",
      '<body><a href="https://x.io/?a=1&amp;b=2">q</a> &#38; &#x26; &quot;</body>',
    ]) {
      expect(richTextProblem(html, COMMENT_TAGS), html).toBeUndefined();
    }
    expect(richTextProblem('<body><h1>Plan</h1><hr/><img data-asana-gid="5"/></body>', NOTES_TAGS)).toBe(
      undefined,
    );
    expect(
      richTextProblem(
        '<body><object type="application/vnd.asana.project" data-asana-gid="7"/></body>',
        NOTES_TAGS,
      ),
    ).toBeUndefined();
  });

  it("names the tag, the imbalance or the bare '<'", () => {
    expect(richTextProblem("<body><script>x</script></body>", COMMENT_TAGS)).toContain("<script>");
    expect(richTextProblem("<body><B>x</B></body>", COMMENT_TAGS)).toContain("<B>");
    expect(richTextProblem("<body><h1>x</h1></body>", COMMENT_TAGS)).toContain("<h1>");
    expect(richTextProblem("<body><em>x</strong></body>", COMMENT_TAGS)).toContain("balanced");
    expect(richTextProblem("<body><em>x</body>", COMMENT_TAGS)).toContain("balanced");
    expect(richTextProblem('<body><u style="x">x</u></body>', COMMENT_TAGS)).toContain("no attributes");
    expect(richTextProblem("<body>a < b</body>", COMMENT_TAGS)).toContain("&lt;");
    expect(richTextProblem("<body><a href=x>y</a></body>", COMMENT_TAGS)).toContain("quoted values");
    // What XML itself refuses.
    expect(richTextProblem("<body>Tom & Jerry</body>", COMMENT_TAGS)).toContain('bare "&"');
    expect(richTextProblem("<body>a&nbsp;b</body>", COMMENT_TAGS)).toContain("not an XML entity");
    expect(richTextProblem("<body>a</body> <body>b</body>", COMMENT_TAGS)).toContain("one <body>");
    expect(richTextProblem("<body><body>a</body></body>", COMMENT_TAGS)).toContain("nested");
    expect(richTextProblem('<body><a href="x" href="y">a</a></body>', COMMENT_TAGS)).toContain("twice");
    expect(richTextProblem('<body><a href="a<b">a</a></body>', COMMENT_TAGS)).toContain('holds a "<"');
    expect(richTextProblem('<body><strong>a</strong x="1"></body>', COMMENT_TAGS)).toContain("no attributes");
    expect(richTextProblem("<body>a<!-- x -- y -->b</body>", COMMENT_TAGS)).toContain('"--"');
  });
});
