const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The few pages a person sees while linking their account: plain, readable, nothing to load. */
export function linkPage(title: string, message: string, ok: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse · ${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d1c1d}h1{font-size:1.4rem}.ok{color:#007a5a}.no{color:#b00020}</style>
</head><body><h1 class="${ok ? 'ok' : 'no'}" id="title">${escape(title)}</h1><p id="message">${escape(message)}</p></body></html>`;
}
