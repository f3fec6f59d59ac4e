/** What a browser would submit from a form of a page: inputs, checked boxes, selected options, textareas. */
export function formFields(html: string, formId: string): Record<string, string> {
  const start = html.indexOf(`id="${formId}"`);
  if (start < 0) throw new Error(`no form #${formId}`);
  const formHtml = html.slice(html.lastIndexOf('<form', start), html.indexOf('</form>', start));
  const decode = (s: string) =>
    s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
  const fields: Record<string, string> = {};
  for (const [tag] of formHtml.matchAll(/<input\b[^>]*>/g)) {
    const name = attr(tag, 'name');
    if (!name) continue;
    const type = attr(tag, 'type') ?? 'text';
    if (type === 'checkbox' || type === 'radio') {
      if (/\schecked(\s|>|=)/.test(tag)) fields[name] = decode(attr(tag, 'value') ?? 'on');
      continue;
    }
    if (type === 'submit' || type === 'button') continue;
    fields[name] = decode(attr(tag, 'value') ?? '');
  }
  for (const m of formHtml.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const name = attr(m[1] ?? '', 'name');
    if (name) fields[name] = decode(m[2] ?? '');
  }
  for (const m of formHtml.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const name = attr(m[1] ?? '', 'name');
    if (!name) continue;
    const options = [...(m[2] ?? '').matchAll(/<option\b([^>]*)>/g)].map((o) => o[1] ?? '');
    const chosen = options.find((o) => /\sselected(\s|$|=)/.test(o)) ?? options[0];
    fields[name] = decode(attr(chosen ?? '', 'value') ?? '');
  }
  return fields;
}
