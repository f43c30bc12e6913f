import t from 'tap'
import { ParseError } from '../../agent/kernel/errors.js'
import { parseKmsgRecord } from '../../agent/oom/kmsg-record.js'
import { transcript } from '../fixtures/kmsg.js'

const b = (text: string): Buffer => Buffer.from(text, 'latin1')
const parse = (text: string) => parseKmsgRecord(b(text), 0, text.length)

t.test('header fields and message', async (t) => {
  t.same(parse('3,445,239387891,-;Memory cgroup out of memory: Killed process 2692 (dd)\n'), {
    priority: 3,
    level: 3,
    facility: 0,
    seq: 445,
    timestampUs: 239387891,
    flags: '-',
    message: 'Memory cgroup out of memory: Killed process 2692 (dd)',
    dict: {},
  })
  const user = parse('12,7,100,-;hello')
  t.equal(user.facility, 1, 'user space writes are facility 1')
  t.equal(user.level, 4)
  t.equal(user.message, 'hello', 'no trailing newline')
  t.equal(parse('6,1,2,-,caller=T48211;x\n').message, 'x', 'extra header fields (caller=) are skipped')
  t.equal(parse('6,1,2,c;frag').flags, 'c')
  t.equal(parse('6,1,2,-;\n').message, '', 'empty message')
  t.equal(parse('6,1,2,-;a;b\n').message, 'a;b', 'only the first ; ends the header')
  t.equal(parse('6,18446744073709,2,-;x').seq, 18446744073709, 'large sequence numbers')
})

t.test('escapes and dictionary lines', async (t) => {
  t.equal(parse('6,1,2,-;anon 1\\x0afile 2\\x0a\n').message, 'anon 1\nfile 2\n', 'embedded newlines')
  t.equal(parse('6,1,2,-;back\\x5cslash\n').message, 'back\\slash')
  t.equal(parse('6,1,2,-;Killed process 9 (caf\\xc3\\xa9)\n').message, 'Killed process 9 (café)', 'UTF-8 comm')
  t.equal(parse('6,1,2,-;odd \\xzz \\x4\n').message, 'odd \\xzz \\x4', 'not an escape: kept')
  const r = parse('5,337,1220217,-;virtio_blk virtio1: [vda] new size\n SUBSYSTEM=virtio\n DEVICE=+virtio:virtio1\n')
  t.equal(r.message, 'virtio_blk virtio1: [vda] new size')
  t.same(r.dict, { SUBSYSTEM: 'virtio', DEVICE: '+virtio:virtio1' })
  t.same(parse('6,1,2,-;m\n junk\n =x\n').dict, {}, 'dictionary lines without KEY= are skipped')
})

t.test('a slice of a larger buffer', async (t) => {
  const buf = Buffer.alloc(64, 0x78)
  b('6,9,10,-;hi\n').copy(buf, 5)
  t.equal(parseKmsgRecord(buf, 5, 17).message, 'hi')
})

t.test('malformed headers are errors that quote the record', async (t) => {
  for (const text of ['no header at all', '6,1,2;x', 'a,1,2,-;x', '6,,2,-;x', '6,1,-2,-;x', ';x', '6,1,2,;x']) {
    let caught: unknown
    try {
      parse(text)
    } catch (er) {
      caught = er
    }
    t.ok(caught instanceof ParseError, `${JSON.stringify(text)} is a ParseError`)
    if (caught instanceof ParseError) t.match(caught.message, /^\/dev\/kmsg:1: expected "PRIORITY,SEQNUM,TIMESTAMP,FLAGS;MESSAGE"/)
  }
})

t.test('a real transcript parses record by record', async (t) => {
  const records = transcript('linux-6.18-v1-memcg-anon-oom.txt')
  t.equal(records.length, 105)
  t.same(
    records.map((r) => r.seq),
    records.map((_, i) => 341 + i),
    'consecutive sequence numbers',
  )
  t.equal(records[0]?.message, 'dd invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0')
  t.equal(records[0]?.level, 4)
  t.equal(records.at(-1)?.level, 3)
})
