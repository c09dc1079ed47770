import { describe, expect, it } from 'vitest';
import { licenseRef, spdxExpression, spdxLicenseId } from './licenses.js';

describe('SPDX license expressions', () => {
  it('knows listed identifiers case-insensitively', () => {
    expect(spdxLicenseId('mit')).toBe('MIT');
    expect(spdxLicenseId('Apache-2.0')).toBe('Apache-2.0');
    expect(spdxLicenseId('GPL-2.0')).toBe('GPL-2.0'); // deprecated ids are still ids
    expect(spdxLicenseId('Apache Software License')).toBeUndefined();
  });

  it.each([
    ['MIT', 'MIT'],
    ['(mit or apache-2.0)', '(MIT OR Apache-2.0)'],
    ['GPL-2.0-or-later WITH Classpath-exception-2.0', 'GPL-2.0-or-later WITH Classpath-exception-2.0'],
    ['LGPL-2.1+ AND (BSD-3-Clause OR MIT)', 'LGPL-2.1+ AND (BSD-3-Clause OR MIT)'],
    ['LicenseRef-custom OR MIT', 'LicenseRef-custom OR MIT'],
  ])('%s → %s', (text, expected) => {
    expect(spdxExpression(text)).toBe(expected);
  });

  it.each([
    'Apache Software License',
    'BSD',
    'MIT OR',
    '(MIT',
    'MIT)',
    'MIT AND AND ISC',
    '',
    'GPL-2+',
  ])('%j is no SPDX expression', (text) => {
    expect(spdxExpression(text)).toBeUndefined();
  });

  it('bounds nesting and length', () => {
    expect(spdxExpression(`${'('.repeat(20)}MIT${')'.repeat(20)}`)).toBeUndefined();
    expect(spdxExpression(Array(40).fill('MIT').join(' OR '))).toBeUndefined();
  });

  it('makes LicenseRefs of free-form names', () => {
    expect(licenseRef('Apache Software License')).toBe('LicenseRef-Apache-Software-License');
    expect(licenseRef('  ©  ')).toBe('LicenseRef-unnamed');
  });
});
