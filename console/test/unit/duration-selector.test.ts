// @vitest-environment happy-dom
import { cleanup, fireEvent, render } from '@testing-library/preact';
import { h } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { type DurationChoice, DurationSelector, MAX_HOURS, parseHours } from '../../src/components/duration-selector.tsx';

afterEach(cleanup);

describe('duration selector', () => {
  it('parses whole hours within bounds and says why otherwise', () => {
    expect(parseHours('3')).toEqual({ valid: true, hours: 3 });
    expect(parseHours(` ${MAX_HOURS} `)).toEqual({ valid: true, hours: MAX_HOURS });
    expect(parseHours('')).toEqual({ valid: false, reason: 'Enter a number of hours' });
    expect(parseHours('0')).toEqual({ valid: false, reason: 'At least 1 hour' });
    expect(parseHours('-2')).toEqual({ valid: false, reason: 'Whole hours only' });
    expect(parseHours('1.5')).toEqual({ valid: false, reason: 'Whole hours only' });
    expect(parseHours(String(MAX_HOURS + 1))).toEqual({ valid: false, reason: `At most ${MAX_HOURS} hours (30 days)` });
  });

  it('reports presets, until-lifted and custom hours, flagging a bad custom value', () => {
    const seen: DurationChoice[] = [];
    const { getByLabelText, getByText, queryByText } = render(h(DurationSelector, { onChange: (c: DurationChoice) => seen.push(c) }));
    expect((getByLabelText('2h') as HTMLInputElement).checked).toBe(true);

    fireEvent.click(getByLabelText('8h'));
    expect(seen.at(-1)).toEqual({ valid: true, hours: 8 });

    fireEvent.click(getByLabelText('Until lifted'));
    expect(seen.at(-1)).toEqual({ valid: true, hours: null });

    fireEvent.click(getByLabelText('Custom'));
    expect(seen.at(-1)).toEqual({ valid: false, reason: 'Enter a number of hours' });
    const hours = getByLabelText('Hours') as HTMLInputElement;
    fireEvent.input(hours, { target: { value: '0' } });
    expect(seen.at(-1)).toEqual({ valid: false, reason: 'At least 1 hour' });
    expect(getByText('At least 1 hour')).toBeTruthy();
    expect(hours.getAttribute('aria-invalid')).toBe('true');

    fireEvent.input(hours, { target: { value: '36' } });
    expect(seen.at(-1)).toEqual({ valid: true, hours: 36 });
    expect(queryByText('At least 1 hour')).toBeNull();
  });
});
