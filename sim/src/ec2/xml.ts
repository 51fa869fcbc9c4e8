export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/**
 * A response body described as plain data: object keys are element names, arrays are
 * EC2's `<item>` lists, Dates become ISO timestamps, null/undefined are left out.
 */
export type XmlValue = string | number | boolean | Date | null | undefined | XmlValue[] | { [name: string]: XmlValue };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

function render(value: XmlValue, out: string[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) {
      out.push('<item>');
      render(item, out);
      out.push('</item>');
    }
  } else if (value instanceof Date) out.push(value.toISOString());
  else if (typeof value === 'object') {
    for (const [name, child] of Object.entries(value)) {
      if (child === null || child === undefined) continue;
      out.push(`<${name}>`);
      render(child, out);
      out.push(`</${name}>`);
    }
  } else out.push(escapeXml(String(value)));
}

export function toXml(value: XmlValue): string {
  const out: string[] = [];
  render(value, out);
  return out.join('');
}

export function actionResponse(action: string, requestId: string, body: Record<string, XmlValue>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}"><requestId>${requestId}</requestId>${toXml(body)}</${action}Response>`;
}

export function errorResponse(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}

/** Time as EC2 prints it. */
export function isoTime(ms: number): Date {
  return new Date(ms);
}
