// Reads a /dev/kmsg transcript (test/fixtures/kmsg/) into records, as a reader would get them
// one read() at a time: a line starting with a space belongs to the record above.
import { readFileSync } from 'node:fs'
import { parseKmsgRecord, type KmsgRecord } from '../../agent/oom/kmsg-record.js'

export function splitRecords(text: string): string[] {
  const records: string[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    if (line.startsWith(' ') && records.length > 0) records[records.length - 1] += `\n${line}`
    else records.push(line)
  }
  return records.map((r) => `${r}\n`)
}

export function toRecords(text: string): KmsgRecord[] {
  return splitRecords(text).map((r) => {
    const data = Buffer.from(r, 'latin1')
    return parseKmsgRecord(data, 0, data.length)
  })
}

export function transcript(name: string): KmsgRecord[] {
  return toRecords(readFileSync(new URL(`../fixtures/kmsg/${name}`, import.meta.url), 'latin1'))
}
