/**
 * Asana rich text for comments (`html_text`), as the fake Asana validates it.
 *
 * Asana documents the format as an XML-valid fragment wrapped in `<body>…</body>` that may use only
 * `body strong em u s code ol ul li a`, where only `<a>` may carry attributes; anything else is a 400.
 * Real Asana's exact messages are not documented, so the ones here are stable strings that start with
 * `html_text: ` like Asana's other field errors.
 */

export type HtmlNode = HtmlText | HtmlElement;

export interface HtmlText {
  type: "text";
  text: string;
}

export interface HtmlElement {
  type: "element";
  tag: string;
  attrs: Array<[name: string, value: string]>;
  children: HtmlNode[];
}

export type ParseResult = { ok: true; body: HtmlElement } | { ok: false; message: string };

export const COMMENT_TAGS: ReadonlySet<string> = new Set([
  "body",
  "strong",
  "em",
  "u",
  "s",
  "code",
  "ol",
  "ul",
  "li",
  "a",
]);

export const ANCHOR_ATTRIBUTES: ReadonlySet<string> = new Set([
  "href",
  "data-asana-gid",
  "data-asana-dynamic",
  "data-asana-project",
  "data-asana-tag",
]);

const INVALID = "html_text: XML is invalid";
const NAME_START = /[A-Za-z_:]/;
const NAME_CHAR = /[A-Za-z0-9_:.-]/;
const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

class XmlError extends Error {}

/** Parses and validates a comment's `html_text`. Syntax errors win over tag errors, as a real parser would. */
export function parseCommentHtml(html: string): ParseResult {
  let nodes: HtmlNode[];
  try {
    nodes = new XmlParser(html).parseDocument();
  } catch (error) {
    if (error instanceof XmlError) return { ok: false, message: error.message };
    throw error;
  }
  const elements = nodes.filter((n): n is HtmlElement => n.type === "element");
  const strayText = nodes.some((n) => n.type === "text" && n.text.trim() !== "");
  const root = elements[0];
  if (elements.length !== 1 || strayText || root === undefined) {
    return { ok: false, message: `${INVALID}: expected exactly one root element` };
  }
  if (root.tag !== "body") return { ok: false, message: "html_text: The root element must be <body>" };
  const problem = checkElement(root, true);
  return problem === null ? { ok: true, body: root } : { ok: false, message: problem };
}

function checkElement(el: HtmlElement, isRoot: boolean): string | null {
  if (!COMMENT_TAGS.has(el.tag) || (el.tag === "body" && !isRoot)) {
    return `html_text: Unsupported tag <${el.tag}>`;
  }
  for (const [name] of el.attrs) {
    if (el.tag !== "a" || !ANCHOR_ATTRIBUTES.has(name)) {
      return `html_text: Unsupported attribute ${name} on <${el.tag}>`;
    }
  }
  for (const child of el.children) {
    if (child.type === "element") {
      const problem = checkElement(child, false);
      if (problem !== null) return problem;
    }
  }
  return null;
}

class XmlParser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parseDocument(): HtmlNode[] {
    const nodes = this.parseContent(null);
    if (this.pos < this.src.length) throw new XmlError(INVALID);
    return nodes;
  }

  /** Reads nodes until the closing tag of `parent` (consumed) or, at top level, the end of input. */
  private parseContent(parent: string | null): HtmlNode[] {
    const nodes: HtmlNode[] = [];
    let text = "";
    const flush = () => {
      if (text !== "") nodes.push({ type: "text", text });
      text = "";
    };
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos];
      if (ch === "&") {
        text += this.readEntity();
      } else if (ch === "<") {
        if (this.src.startsWith("<!--", this.pos)) {
          const end = this.src.indexOf("-->", this.pos + 4);
          if (end < 0) throw new XmlError(INVALID);
          this.pos = end + 3;
        } else if (this.src.startsWith("</", this.pos)) {
          this.pos += 2;
          const name = this.readName();
          this.skipSpace();
          this.expect(">");
          if (name !== parent) throw new XmlError(`${INVALID}: unexpected </${name}>`);
          flush();
          return nodes;
        } else if (this.src.startsWith("<!", this.pos) || this.src.startsWith("<?", this.pos)) {
          throw new XmlError(INVALID);
        } else {
          flush();
          nodes.push(this.parseElement());
        }
      } else {
        text += ch;
        this.pos += 1;
      }
    }
    if (parent !== null) throw new XmlError(`${INVALID}: <${parent}> is not closed`);
    flush();
    return nodes;
  }

  private parseElement(): HtmlElement {
    this.expect("<");
    const tag = this.readName();
    const attrs: Array<[string, string]> = [];
    for (;;) {
      const hadSpace = this.skipSpace();
      if (this.src.startsWith("/>", this.pos)) {
        this.pos += 2;
        return { type: "element", tag, attrs, children: [] };
      }
      if (this.src[this.pos] === ">") {
        this.pos += 1;
        return { type: "element", tag, attrs, children: this.parseContent(tag) };
      }
      if (!hadSpace) throw new XmlError(INVALID);
      const name = this.readName();
      if (attrs.some(([n]) => n === name)) throw new XmlError(`${INVALID}: duplicate attribute ${name}`);
      this.skipSpace();
      this.expect("=");
      this.skipSpace();
      attrs.push([name, this.readAttrValue()]);
    }
  }

  private readAttrValue(): string {
    const quote = this.src[this.pos];
    if (quote !== '"' && quote !== "'") throw new XmlError(`${INVALID}: attribute values must be quoted`);
    this.pos += 1;
    let value = "";
    while (this.pos < this.src.length && this.src[this.pos] !== quote) {
      const ch = this.src[this.pos];
      if (ch === "<") throw new XmlError(INVALID);
      if (ch === "&") {
        value += this.readEntity();
      } else {
        value += ch;
        this.pos += 1;
      }
    }
    this.expect(quote);
    return value;
  }

  private readEntity(): string {
    const end = this.src.indexOf(";", this.pos);
    if (end < 0 || end - this.pos > 12) throw new XmlError(`${INVALID}: bare &`);
    const body = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    const named = NAMED_ENTITIES[body];
    if (named !== undefined) return named;
    const numeric = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(body);
    if (numeric) {
      const code = numeric[1] !== undefined ? Number.parseInt(numeric[1], 16) : Number(numeric[2]);
      if (code > 0 && code <= 0x10ffff) return String.fromCodePoint(code);
    }
    throw new XmlError(`${INVALID}: unknown entity &${body};`);
  }

  private readName(): string {
    const start = this.pos;
    if (!NAME_START.test(this.src[this.pos] ?? "")) throw new XmlError(INVALID);
    while (this.pos < this.src.length && NAME_CHAR.test(this.src[this.pos] ?? "")) this.pos += 1;
    return this.src.slice(start, this.pos);
  }

  private skipSpace(): boolean {
    const start = this.pos;
    while (/\s/.test(this.src[this.pos] ?? "")) this.pos += 1;
    return this.pos > start;
  }

  private expect(s: string): void {
    if (!this.src.startsWith(s, this.pos)) throw new XmlError(INVALID);
    this.pos += s.length;
  }
}

export function escapeXmlText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeXmlAttr(s: string): string {
  return escapeXmlText(s).replace(/"/g, "&quot;");
}

/** What a plain-text comment looks like when read back through `html_text`. */
export function textToCommentHtml(text: string): string {
  return `<body>${escapeXmlText(text)}</body>`;
}

export function serializeHtml(node: HtmlNode): string {
  if (node.type === "text") return escapeXmlText(node.text);
  const attrs = node.attrs.map(([n, v]) => ` ${n}="${escapeXmlAttr(v)}"`).join("");
  if (node.children.length === 0) return `<${node.tag}${attrs}/>`;
  return `<${node.tag}${attrs}>${node.children.map(serializeHtml).join("")}</${node.tag}>`;
}

/** The `text` Asana derives from rich text: tags dropped, list items on their own lines. */
export function htmlToPlainText(node: HtmlNode): string {
  if (node.type === "text") return node.text;
  if (node.tag === "ul" || node.tag === "ol") {
    const items = node.children.filter((c) => c.type === "element" || c.text.trim() !== "");
    return `\n${items.map((c) => htmlToPlainText(c).trim()).join("\n")}\n`;
  }
  const inner = node.children.map(htmlToPlainText).join("");
  return node.tag === "body" ? inner.replace(/^\n+|\n+$/g, "").replace(/\n{3,}/g, "\n\n") : inner;
}

export function getAttr(el: HtmlElement, name: string): string | undefined {
  return el.attrs.find(([n]) => n === name)?.[1];
}

export function setAttr(el: HtmlElement, name: string, value: string): void {
  const existing = el.attrs.find(([n]) => n === name);
  if (existing) existing[1] = value;
  else el.attrs.push([name, value]);
}

export function* walkElements(node: HtmlNode): Generator<HtmlElement> {
  if (node.type !== "element") return;
  yield node;
  for (const child of node.children) yield* walkElements(child);
}
