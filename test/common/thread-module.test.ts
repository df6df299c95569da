// Which file a worker thread runs: built, the sibling .js; from source, the compiled twin only when
// it exists (and is fresh), else the TypeScript itself with the parent's loader.
import t from 'tap'
import { threadModule } from '../../common/thread-module.js'

t.test('a built caller runs the .js beside it, with the parent\'s flags less --input-type', async (t) => {
  const module = threadModule('file:///app/dist/gateway/transactions/sqlite-threaded-store.js', 'sqlite-writer-thread')
  t.equal(module.url.href, 'file:///app/dist/gateway/transactions/sqlite-writer-thread.js')
  t.notOk(module.execArgv.some((flag) => flag.startsWith('--input-type')))
})

t.test('from source, a module with no compiled twin runs from its source with the loader', async (t) => {
  const caller = new URL('../../gateway/transactions/sqlite-threaded-store.ts', import.meta.url).href
  const module = threadModule(caller, 'no-such-thread-module')
  t.equal(module.url.href, new URL('../../gateway/transactions/no-such-thread-module.ts', import.meta.url).href)
  t.strictSame(module.execArgv, process.execArgv.filter((flag) => !flag.startsWith('--input-type')), 'the loader flags are kept')
})

t.test('from source, a fresh twin under dist/ runs without the loader unless asked to keep it', async (t) => {
  const caller = new URL('../../gateway/transactions/sqlite-threaded-store.ts', import.meta.url).href
  const module = threadModule(caller, 'sqlite-writer-thread')
  // `npm test` builds first, so the twin is there and newer than every source file.
  t.match(module.url.pathname, /\/dist\/gateway\/transactions\/sqlite-writer-thread\.js$/)
  t.notOk(module.execArgv.some((flag) => /^--(import|loader|require)/.test(flag)), 'no loader for compiled code')
  const kept = threadModule(caller, 'sqlite-writer-thread', { keepLoader: true })
  t.strictSame(kept.execArgv, process.execArgv.filter((flag) => !flag.startsWith('--input-type')))
})
