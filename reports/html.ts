/** Escaping for the report page: every user string goes through escapeHtml, inlined JSON and scripts through the others. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text (or attribute value) safe to place anywhere in HTML body or a quoted attribute. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` become \u escapes (so no `</script>` or
 * `<!--` can close or confuse the element) and so do U+2028/U+2029. JSON.parse gives back the exact value.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * JavaScript source made safe to inline in a classic `<script>` element: `</script` and `<!--` can only occur in
 * string, template or regular-expression literals of minified code, where `<\/script` and `<\!--` mean the same.
 * The trailing source-map comment is dropped (the map is not shipped, so DevTools must not go looking for it).
 */
export function scriptForInline(source: string): string {
  return source
    .replace(/<\/(script)/gi, '<\\/$1')
    .replace(/<!--/g, '<\\!--')
    .replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n');
}
