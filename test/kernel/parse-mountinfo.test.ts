import { existsSync, readFileSync } from 'node:fs'
import t from 'tap'
import { ParseError } from '../../agent/kernel/errors.js'
import { parseMountinfo } from '../../agent/kernel/parse-mountinfo.js'

t.test('parseMountinfo', async (t) => {
  t.test('fields, optional fields, escapes', async (t) => {
    const [a, b, c] = parseMountinfo(
      [
        '34 30 0:31 / /sys/fs/cgroup/memory rw,relatime shared:9 master:2 - cgroup cgroup rw,memory',
        '35 24 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot',
        '50 26 8:1 /dir\\040x /mnt/with\\040space\\134 rw - ext4 /dev/sda1 rw extra-future-field',
      ].join('\n'),
    )
    t.strictSame(a, {
      mountId: 34,
      root: '/',
      mountPoint: '/sys/fs/cgroup/memory',
      fsType: 'cgroup',
      source: 'cgroup',
      superOptions: ['rw', 'memory'],
    })
    t.equal(b?.fsType, 'cgroup2')
    t.strictSame(b?.superOptions, ['rw', 'nsdelegate', 'memory_recursiveprot'])
    t.equal(c?.root, '/dir x')
    t.equal(c?.mountPoint, '/mnt/with space\\')
  })

  t.test('a malformed line that cannot be a cgroup mount is skipped', async (t) => {
    const entries = parseMountinfo(['garbage', '12 1 0:1 / /x rw', '', '40 30 0:37 / /u rw - cgroup2 cgroup2 rw'].join('\n'))
    t.strictSame(
      entries.map((e) => e.mountPoint),
      ['/u'],
    )
  })

  t.test('a malformed line that mentions cgroup is an error naming file and line', async (t) => {
    const text = '40 30 0:37 / /u rw - cgroup2 cgroup2 rw\n34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup\n'
    t.throws(() => parseMountinfo(text, '/proc/self/mountinfo'), ParseError)
    t.throws(() => parseMountinfo(text, '/proc/self/mountinfo'), { message: /^\/proc\/self\/mountinfo:2: .*"34 30/ })
    t.throws(() => parseMountinfo('x 30 0:37 / /u rw - cgroup2 cgroup2 rw'), { message: /mount ID/ })
  })

  t.test('this machine', { skip: !existsSync('/proc/self/mountinfo') && 'no /proc/self/mountinfo' }, async (t) => {
    const mounts = parseMountinfo(readFileSync('/proc/self/mountinfo', 'latin1'), '/proc/self/mountinfo')
    t.ok(mounts.some((m) => m.mountPoint === '/'))
  })
})
