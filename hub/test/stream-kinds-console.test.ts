import { describe, expect, it } from 'vitest';
// The console bundle imports nothing from the hub, so it keeps its own list of the stream's
// kinds (SSE names each event after its kind and the page must listen for each by name).
import { STREAM_KINDS as CONSOLE_KINDS } from '../../console/src/api/stream.ts';
import { STREAM_KINDS } from '../src/stream/stream-event.ts';

describe('the console listens for every kind the stream sends', () => {
  it("the console's kinds are exactly the hub's", () => {
    expect([...CONSOLE_KINDS].sort()).toEqual([...STREAM_KINDS].sort());
  });
});
