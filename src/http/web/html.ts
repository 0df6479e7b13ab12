import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/** Text and attribute values: every character HTML gives a meaning is written as a reference. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A trusted HTML fragment, built only by `html` and the renderers here; anything else interpolated is escaped. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return esc(part as string | number);
}

/** Tagged template that escapes every interpolated value unless it is already Html. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Html(out);
}

/** The pages' one stylesheet, in the instance's theming colour (INSTANCE_COLOR, a #rrggbb value). */
const styleFor = (color: string): string =>
  `
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;background:#f4f5f7}
header{background:${color};color:#fff;padding:.7em 1.2em;font-weight:600}
main{max-width:60em;margin:1.5em auto;background:#fff;border-radius:8px;padding:1.2em 1.5em;box-shadow:0 1px 3px rgba(0,0,0,.15)}
main.narrow{max-width:26em}
h1{font-size:1.4em;margin:.2em 0;word-break:break-word}
h2{font-size:1.1em;margin:1.2em 0 .4em}
.meta,.note{color:#555;margin:.3em 0 1em}
.note{white-space:pre-wrap;border-left:3px solid ${color};padding-left:.8em}
.crumbs a,.crumbs span{margin-right:.3em}
.button,button{display:inline-block;background:${color};color:#fff;border:0;border-radius:4px;padding:.5em 1.1em;font:inherit;text-decoration:none;cursor:pointer}
button.secondary{background:#fff;color:${color};border:1px solid ${color}}
button.danger{background:#b00020}
table{width:100%;border-collapse:collapse;margin:1em 0}
th,td{text-align:left;padding:.45em .5em;border-bottom:1px solid #e4e4e4;word-break:break-word}
td.num,th.num{text-align:right;white-space:nowrap}
.nowrap{white-space:nowrap}
small.meta{font-size:.8em;color:#777}
form.upload,form.auth{margin:1.2em 0;padding:1em;border:1px dashed #999;border-radius:6px}
form.inline{display:inline}
label{display:block;margin:.4em 0}
label.check{display:flex;gap:.4em;align-items:center}
input[type=password],input[type=text],input[type=email]{font:inherit;padding:.35em;width:18em;max-width:100%}
.error{color:#b00020;font-weight:600}
.ok{color:#2d7b32;font-weight:600}
.secret{font-family:ui-monospace,monospace;word-break:break-all;background:#f4f5f7;padding:.5em;border-radius:4px}
.qr svg{width:14em;height:14em;max-width:100%}
`.trim();

const themes = new Map<string, { css: string; policy: string }>();

/** The stylesheet and the policy that allows exactly it (by its hash), so no other inline style or script can run. */
function theme(color: string): { css: string; policy: string } {
  let t = themes.get(color);
  if (!t) {
    const css = styleFor(color);
    const hash = `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
    const policy = ["default-src 'none'", `style-src ${hash}`, "img-src 'self' data:", "form-action 'self' nc:", "frame-ancestors 'none'", "base-uri 'none'"].join('; ');
    themes.set(color, (t = { css, policy }));
  }
  return t;
}

/** What a page looks like: the instance's name and theming colour. */
export interface Look {
  instanceName: string;
  color: string;
}

/** Headers for every answer of the pages: pages, errors and downloads alike. */
export function securityHeaders(reply: FastifyReply, look: Pick<Look, 'color'>): void {
  reply
    .header('Content-Security-Policy', theme(look.color).policy)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'no-referrer')
    .header('X-Frame-Options', 'DENY');
}

export function layout(title: string, body: Html, look: Look, opts: { narrow?: boolean } = {}): string {
  const instanceName = look.instanceName;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${esc(title)} - ${esc(instanceName)}</title>
<style>${theme(look.color).css}</style>
</head>
<body>
<header>${esc(instanceName)}</header>
<main${opts.narrow ? ' class="narrow"' : ''}>
${body.value}
</main>
</body>
</html>
`;
}

/** Sends a page; pages depend on cookies and on a link that may change at any time, so nothing caches them. */
export function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(page);
}

/** Nextcloud's humanFileSize: binary multiples, one decimal from MB up. */
export function humanSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit < 2 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** A date as `YYYY-MM-DD HH:MM` UTC, the same for every reader whatever their locale. */
export function shortDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}
