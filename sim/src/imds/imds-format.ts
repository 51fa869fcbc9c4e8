/**
 * The text formats EC2's instance metadata service uses. Agents parse these exact shapes
 * (NTH among them), so the sim must not drift from them.
 */

/** `2026-11-23T03:55:00Z`: spot `instance-action`/`termination-time` and rebalance `noticeTime` (whole seconds, UTC). */
export function awsTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * `21 Jan 2019 09:00:43 GMT`: scheduled-event NotBefore/NotAfter. The day is zero-padded
 * ("05 Feb"): parsers written for either a one- or a two-digit day accept that form.
 */
export function scheduledEventTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time} GMT`;
}

/** `us-east-1a` → `us-east-1`; also local and Wavelength zones (`us-west-2-lax-1a` → `us-west-2`). */
export function regionOf(availabilityZone: string): string {
  const match = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+/.exec(availabilityZone);
  return match ? match[0] : availabilityZone.replace(/[a-z]$/, '');
}

/** Graviton families carry a `g` right after the generation digit (m7g, c6gn, t4g, x2gd); a1 is the first one. */
export function architectureOf(instanceType: string): 'arm64' | 'x86_64' {
  return /^a1\./.test(instanceType) || /^[a-z]+\d+g[a-z-]*\./.test(instanceType) ? 'arm64' : 'x86_64';
}

/** The XHTML error page EC2's metadata server sends with 4xx answers (Content-Type text/html). */
export function errorPage(status: number, reason: string): string {
  const title = `${status} - ${reason}`;
  return [
    '<?xml version="1.0" encoding="iso-8859-1"?>',
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"',
    '\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
    '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">',
    ' <head>',
    `  <title>${title}</title>`,
    ' </head>',
    ' <body>',
    `  <h1>${title}</h1>`,
    ' </body>',
    '</html>',
    '',
  ].join('\n');
}
