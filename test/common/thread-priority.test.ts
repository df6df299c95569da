// Background threads give way to the event loop: the transaction log's writer thread runs five nice
// values below the thread that relays exchanges, read back from /proc, and the event loop keeps its own.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { currentThreadId } from '../../common/thread-priority.js'
import { openThreadedSqliteTransactionStore } from '../../gateway/transactions/sqlite-threaded-store.js'

/** Each thread of this process and its nice value, from /proc (field 19 of stat). */
function threadNice (): Map<number, number> {
  const nice = new Map<number, number>()
  for (const task of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8')
      nice.set(Number(task), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]))
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return nice
}

const linux = process.platform === 'linux'

t.test('this thread\'s id is the one /proc gives the main thread', { skip: linux ? false : 'threads have their own priority on Linux only' }, async (t) => {
  t.equal(currentThreadId(), process.pid)
})

t.test('the writer thread of the SQLite log runs at a lower priority than the event loop', { skip: linux ? false : 'threads have their own priority on Linux only' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ndxp-priority-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const before = threadNice()
  const mainNice = before.get(process.pid) as number
  const store = await openThreadedSqliteTransactionStore({ filename: join(dir, 'transactions.db') })
  t.teardown(() => store.close())
  const started = [...threadNice()].filter(([tid]) => !before.has(tid))
  t.ok(started.length >= 1, `the store started a thread (${started.length} new)`)
  t.same(started.filter(([, nice]) => nice === Math.min(19, mainNice + 5)).length, 1, `one new thread at nice ${Math.min(19, mainNice + 5)}: ${JSON.stringify(started)}`)
  t.equal(threadNice().get(process.pid), mainNice, 'the event loop\'s thread keeps its priority')
})
