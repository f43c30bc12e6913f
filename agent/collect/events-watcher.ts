// cgroup v2 notifies every change of a cgroup's memory.events to file watchers (kernfs
// cgroup_file_notify: inotify IN_MODIFY): a limit hit or an OOM kill can be sampled the moment
// it happens instead of at the next poll or fast sample. chokidar watches the files; the poll
// stays the fallback (and the only way on v1, which does not notify). docs/oom.md.
import { watch, type FSWatcher } from 'chokidar'
import type { Logger } from 'pino'
import { errorMessage } from '../kernel/errors.js'

export class EventsWatcher {
  readonly #root: string
  readonly #logger: Logger
  readonly #watcher: FSWatcher
  /** Watched cgroup ids → their memory.events path. */
  readonly #watched = new Map<string, string>()
  readonly #byPath = new Map<string, string>()
  #failed = false

  constructor(root: string, onChange: (id: string) => void, logger: Logger) {
    this.#root = root
    this.#logger = logger
    this.#watcher = watch([], { persistent: false, ignoreInitial: true, depth: 0 })
    this.#watcher.on('change', (path: string) => {
      const id = this.#byPath.get(path)
      if (id !== undefined) onChange(id)
    })
    this.#watcher.on('error', (er: unknown) => {
      // Out of inotify watches, say: the polls still see everything, only later.
      if (!this.#failed) this.#logger.warn({ err: errorMessage(er) }, 'watching memory.events failed; kills are seen at the next sample')
      this.#failed = true
    })
  }

  /** Watches exactly these cgroups' memory.events; releases the ones that are gone. */
  sync(ids: ReadonlySet<string>): void {
    for (const [id, path] of this.#watched) {
      if (ids.has(id)) continue
      void this.#watcher.unwatch(path)
      this.#watched.delete(id)
      this.#byPath.delete(path)
    }
    const added: string[] = []
    for (const id of ids) {
      if (this.#watched.has(id)) continue
      const path = `${id === '/' ? this.#root : this.#root + id}/memory.events`
      this.#watched.set(id, path)
      this.#byPath.set(path, id)
      added.push(path)
    }
    if (added.length > 0) this.#watcher.add(added)
  }

  /** How many files are watched (tests: watchers are released as cgroups go). */
  get size(): number {
    return this.#watched.size
  }

  async close(): Promise<void> {
    this.#watched.clear()
    this.#byPath.clear()
    await this.#watcher.close()
  }
}
