import { describe, expect, it } from 'vitest';
import { CeranaError, describeError } from './errors.js';

describe('CeranaError', () => {
  it('maps input errors to exit code 2 and internal ones to 3', () => {
    expect(new CeranaError('INPUT', 'bad').exitCode).toBe(2);
    expect(new CeranaError('INTERNAL', 'boom').exitCode).toBe(3);
  });

  it('renders one line with the hint', () => {
    expect(describeError(new CeranaError('NOT_FOUND', 'no such image', { hint: 'check the name' }))).toBe(
      'no such image (check the name)',
    );
    expect(describeError(new Error('x'))).toBe('internal error: x');
  });
});
