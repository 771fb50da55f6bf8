import { describe, expect, it } from 'vitest';
import { imageSection, type ImageReport } from '../../src/output/image-section.js';

const image: ImageReport = {
  ref: '/srv/web.tar', format: 'docker-archive', platform: 'linux/amd64', configDigest: 'sha256:abc', layersBytes: 30 * 1048576, unpackedBytes: 80 * 1048576,
  whole: false, run: { argv: ['/usr/sbin/lighttpd', '-D'], workingDir: '/', user: 'www-data' , port: 80 },
  unhonoured: ['Healthcheck: not run: the tests decide whether the app works'], notes: ['2 TCP ports exposed: 80 taken'],
};

describe('the image section of report.md', () => {
  it('sets the image\'s sizes beside the VM\'s, with the ratio, and says what the VM does not honour', () => {
    const text = imageSection(image, 2 * 1048576).join('\n');
    expect(text).toContain('| image layers, as stored | 31457280 | 30.00 MiB, 15.0x the VM |');
    expect(text).toContain('| image, unpacked | 83886080 | 80.00 MiB, 40.0x the VM |');
    expect(text).toContain('| the VM: kernel + initramfs | 2097152 | 2.00 MiB |');
    expect(text).toContain('runs `/usr/sbin/lighttpd -D` as www-data in `/`, its port 80 reached by the tests.');
    expect(text).toContain('- Healthcheck: not run');
    expect(text).toContain('- 2 TCP ports exposed: 80 taken');
    expect(imageSection({ ...image, whole: true, run: { ...image.run, port: undefined } }, 1).join('\n')).toMatch(/with no network\. Every file of the image was the start/);
  });
});
