import { closeSync, openSync, readSync } from 'node:fs';

let buffer = Buffer.allocUnsafe(64 * 1024);

/**
 * A /proc (or other kernel) file read every cycle through one descriptor kept open: the
 * kernel regenerates the content on each read at offset 0, so a cycle is two preads instead
 * of open, read, read, close. Read until a read returns 0: a seq_file of many records
 * (/proc/net/dev, mountinfo) can return a short read a page at a time. Re-opened on the next
 * read after any error.
 */
export class ProcFile {
  private fd = -1;

  constructor(readonly path: string) {}

  /** The whole file as latin1 text; throws what open or read throws (ENOENT when it is not there). */
  read(): string {
    if (this.fd < 0) this.fd = openSync(this.path, 'r');
    try {
      let n = 0;
      for (;;) {
        const r = readSync(this.fd, buffer, n, buffer.length - n, n);
        if (r === 0) return buffer.toString('latin1', 0, n);
        n += r;
        if (n < buffer.length) continue;
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, n);
        buffer = bigger;
      }
    } catch (err) {
      this.close();
      throw err;
    }
  }

  close(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = -1;
  }
}
