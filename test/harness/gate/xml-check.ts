/**
 * A deliberately strict, tiny XML 1.0 reader for tests: enough to prove the JUnit output well-formed (one root,
 * balanced tags, quoted unique attributes, only valid entity and character references, only XML characters) and to
 * read it back. No DTDs, CDATA, comments or processing instructions besides the declaration: the gate emits none.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class XmlError extends Error {
  override name = 'XmlError';
}

const NAME = /^[A-Za-z_][\w.-]*/;
const INVALID_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function parseXml(source: string): XmlElement {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new XmlError(`${msg} at offset ${pos}: ${JSON.stringify(source.slice(pos, pos + 40))}`);
  };
  const bad = INVALID_CHAR.exec(source);
  if (bad) {
    pos = bad.index;
    fail(`character U+${bad[0].codePointAt(0)!.toString(16)} is not allowed in XML`);
  }
  const decl = /^<\?xml\s+version="1\.0"(?:\s+encoding="UTF-8")?\s*\?>/.exec(source);
  if (decl) pos = decl[0].length;
  const skipSpace = () => {
    while (pos < source.length && /\s/.test(source[pos]!)) pos++;
  };
  const decode = (raw: string): string =>
    raw.replace(/&([^;&\s]*);?/g, (ref: string, body: string) => {
      if (!ref.endsWith(';')) return fail(`unterminated reference ${JSON.stringify(ref)}`);
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
      if (body in named) return named[body]!;
      const m = /^#(?:x([0-9a-fA-F]+)|(\d+))$/.exec(body);
      if (!m) return fail(`unknown entity &${body};`);
      const code = m[1] ? parseInt(m[1], 16) : Number(m[2]);
      const ch = String.fromCodePoint(code);
      if (INVALID_CHAR.test(ch)) return fail(`character reference &${body}; is not an XML character`);
      return ch;
    });

  const element = (): XmlElement => {
    if (source[pos] !== '<') fail('expected "<"');
    pos++;
    const name = NAME.exec(source.slice(pos))?.[0] ?? fail('expected an element name');
    pos += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const before = pos;
      skipSpace();
      if (source.startsWith('/>', pos)) {
        pos += 2;
        return { name, attrs, children: [], text: '' };
      }
      if (source[pos] === '>') {
        pos++;
        break;
      }
      if (pos === before) fail('expected whitespace before an attribute');
      const attr = NAME.exec(source.slice(pos))?.[0] ?? fail('expected an attribute name');
      pos += attr.length;
      if (source[pos] !== '=') fail(`expected "=" after ${attr}`);
      pos++;
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") fail('attribute value must be quoted');
      const end = source.indexOf(quote!, pos + 1);
      if (end < 0) fail('unterminated attribute value');
      const raw = source.slice(pos + 1, end);
      if (raw.includes('<')) fail('"<" inside an attribute value');
      if (attr in attrs) fail(`duplicate attribute ${attr}`);
      attrs[attr] = decode(raw);
      pos = end + 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      const next = source.indexOf('<', pos);
      if (next < 0) fail(`unclosed <${name}>`);
      const raw = source.slice(pos, next);
      if (raw.includes(']]>')) fail('"]]>" in text');
      text += decode(raw);
      pos = next;
      if (source.startsWith('</', pos)) {
        pos += 2;
        const closing = NAME.exec(source.slice(pos))?.[0];
        if (closing !== name) fail(`</${closing}> closes <${name}>`);
        pos += name.length;
        skipSpace();
        if (source[pos] !== '>') fail('expected ">"');
        pos++;
        return { name, attrs, children, text };
      }
      if (source.startsWith('<!', pos) || source.startsWith('<?', pos)) fail('unsupported markup');
      children.push(element());
    }
  };

  skipSpace();
  const root = element();
  skipSpace();
  if (pos !== source.length) fail('content after the root element');
  return root;
}

/** Every element (depth first) named `name`. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}
