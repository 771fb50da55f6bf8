// The guest's clock on the init's marker lines, as the boot timing reads it.
import { describe, expect, it } from 'vitest';
import { guestClockMs } from '../../src/tester/watch-boot.js';

describe('guestClockMs', () => {
  it('reads seconds.microseconds after a marker as ms, with or without the console\'s \\r', () => {
    expect(guestClockMs('TINYX-INIT-STARTED 0.412345')).toBe(412);
    expect(guestClockMs('TINYX-APP-STARTED 12.000600\r')).toBe(12_001);
  });

  it('gives nothing for a marker without a clock (the BusyBox rc\'s) or another line', () => {
    expect(guestClockMs('TINYX-APP-STARTED')).toBeUndefined();
    expect(guestClockMs('TINYX-APP-EXITED 1')).toBeUndefined();
    expect(guestClockMs('server: listening on 0.0.0.0:80')).toBeUndefined();
  });
});
