import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * A small reader for the project's Markdown: headings and their GitHub anchors, links and images outside code,
 * code spans, and a checker that says which relative links do not resolve. Used by docs.test.ts.
 */

export interface MarkdownLink {
  /** The file the link is in, relative to the root it was read from. */
  file: string;
  line: number;
  target: string;
}

/** Lines of a Markdown text with fenced code blocks blanked (their line numbers kept). */
export function withoutFences(text: string): string[] {
  let fence: string | null = null;
  return text.split('\n').map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      return '';
    }
    if (marker) {
      fence = marker;
      return '';
    }
    return line;
  });
}

/** Lines inside fenced code blocks, with their 1-based line numbers. */
export function fencedLines(text: string): Array<{ line: number; text: string }> {
  const outside = withoutFences(text);
  return text
    .split('\n')
    .map((t, i) => ({ line: i + 1, text: t }))
    .filter((l, i) => outside[i] === '' && l.text !== '' && !/^\s*(`{3,}|~{3,})/.test(l.text));
}

/** Inline code spans of a line (single or multiple backticks). */
export function codeSpans(line: string): string[] {
  const spans: string[] = [];
  const re = /(`+)([\s\S]*?[^`])\1(?!`)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) spans.push(m[2]!.trim());
  return spans;
}

/**
 * GitHub's heading anchor (github-slugger): the heading's text as rendered (code, emphasis and link markup
 * removed), lower-cased, every character that is not a letter, digit, mark, `_`, `-` or space dropped, spaces to `-`.
 */
export function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`+/g, '')
    .replace(/\*+/g, '');
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: its ATX headings' slugs, repeated ones suffixed -1, -2, … as GitHub does. */
export function headingAnchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of withoutFences(text)) {
    const m = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = githubSlug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Inline links and images `[text](target)` / `![alt](target)` and reference definitions, outside code. */
export function markdownLinks(text: string, file: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  withoutFences(text).forEach((raw, i) => {
    const line = raw.replace(/(`+)[\s\S]*?[^`]\1(?!`)/g, (span) => ' '.repeat(span.length));
    for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ file, line: i + 1, target: m[1]! });
    const def = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(line);
    if (def) links.push({ file, line: i + 1, target: def[1]! });
  });
  return links;
}

/**
 * Why a link does not resolve, or null when it does. External links (a scheme such as https:, mailto:) are not
 * followed. A relative path must name an existing file or folder from the linking file's folder; an `#anchor` must
 * be a heading of the target Markdown file (or of the linking file for a bare `#anchor`).
 */
export function brokenLink(root: string, link: MarkdownLink): string | null {
  const { target } = link;
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null;
  const hash = target.indexOf('#');
  const pathPart = decodeURI(hash === -1 ? target : target.slice(0, hash));
  const anchor = hash === -1 ? null : target.slice(hash + 1);
  const from = join(root, link.file);
  const to = pathPart === '' ? from : resolve(dirname(from), pathPart);
  const shown = relative(root, to) || '.';
  if (!to.startsWith(resolve(root))) return `${target}: points outside the repository`;
  if (!existsSync(to)) return `${target}: ${shown} does not exist`;
  if (anchor === null) return null;
  if (statSync(to).isDirectory() || !to.endsWith('.md')) return `${target}: #${anchor} into ${shown}, which is not a Markdown file`;
  const anchors = headingAnchors(readFileSync(to, 'utf8'));
  if (anchors.has(decodeURIComponent(anchor))) return null;
  return `${target}: ${shown} has no heading with the anchor #${anchor} (it has: ${[...anchors].map((a) => `#${a}`).join(', ')})`;
}

/** Every broken relative link of the given files (paths relative to root), as `file:line → why`. */
export function brokenLinks(root: string, files: string[]): string[] {
  return files.flatMap((file) =>
    markdownLinks(readFileSync(join(root, file), 'utf8'), file).flatMap((link) => {
      const why = brokenLink(root, link);
      return why ? [`${link.file}:${link.line} → ${why}`] : [];
    }),
  );
}

/** Property names of a JSON Schema, walked recursively through properties, items, anyOf/oneOf/allOf and $defs. */
export function schemaKeys(schema: unknown): Set<string> {
  const keys = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [name, sub] of Object.entries(value)) {
          keys.add(name);
          walk(sub);
        }
      } else walk(value);
    }
  };
  walk(schema);
  return keys;
}

export interface LabInvocation {
  /** `file:line` */
  where: string;
  command: string;
  /** Options written after the command (`--out`, `-o`), up to the next `lab` or a ` # ` comment. */
  flags: string[];
  /** `lab` begins the command line (or follows `npx`, `$`, `&&`, …): the next word must be a command. */
  leading: boolean;
}

/** Every `lab <word> …` in the code of a Markdown text (code spans and fenced blocks), with its options. */
export function labInvocations(text: string, file: string): LabInvocation[] {
  const inline = withoutFences(text).flatMap((line, i) => codeSpans(line).map((span) => ({ line: i + 1, text: span })));
  // A shell line continued with a trailing backslash is one command.
  const fenced = fencedLines(text).reduce<Array<{ line: number; text: string }>>((lines, l) => {
    const last = lines[lines.length - 1];
    if (last && last.text.endsWith('\\') && l.line === last.line + last.text.split('\n').length) last.text = `${last.text.slice(0, -1)}\n${l.text}`;
    else lines.push({ ...l });
    return lines;
  }, []);
  return [...inline, ...fenced].flatMap(({ line, text: code }) => {
    const parts = code.split(/\s#\s/)[0]!.split(/(?<=^|[\s(])(?=lab [a-z])/);
    return parts.flatMap((part, i) => {
      if (!part.startsWith('lab ')) return [];
      const before = i === 0 ? '' : parts[i - 1]!;
      return [{
        where: `${file}:${line}`,
        command: /^lab ([a-z][a-z-]*)/.exec(part)![1]!,
        flags: part.match(/(?<![\w-])--?[a-zA-Z][\w-]*/g) ?? [],
        leading: before.trim() === '' || /(?:^|\s)(?:npx|sudo|\$|&&|;|\|)\s*$/.test(before),
      }];
    });
  });
}
