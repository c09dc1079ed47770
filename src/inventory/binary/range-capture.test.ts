import { describe, expect, it } from 'vitest';
import { findRange, RangeCapture } from './range-capture.js';

describe('RangeCapture', () => {
  it('keeps its range out of chunks offered in file order', () => {
    const capture = new RangeCapture(5, 6);
    const file = Buffer.from('0123456789abcdef');
    for (let at = 0; at < file.length; at += 4) capture.offer(file.subarray(at, at + 4), at);
    expect(capture.complete).toBe(true);
    expect(capture.data.toString()).toBe('56789a');
    expect(capture.slice(6, 3)?.toString()).toBe('678');
    expect(capture.slice(4, 2)).toBeUndefined();
    expect(capture.slice(10, 2)).toBeUndefined();
    expect(findRange([new RangeCapture(0, 2), capture], 7, 2)?.toString()).toBe('78');
  });

  it('knows how much it has so far', () => {
    const capture = new RangeCapture(2, 10);
    capture.offer(Buffer.from('abcdef'), 0);
    expect(capture.filled).toBe(4);
    expect(capture.complete).toBe(false);
    expect(capture.slice(2, 4)?.toString()).toBe('cdef');
    expect(capture.slice(2, 5)).toBeUndefined();
  });
});
