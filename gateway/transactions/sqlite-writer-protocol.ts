// Messages between the hub and the thread that writes its SQLite transaction log.
import type { RecordColumns } from './record-columns.js'

export interface WriterThreadSettings {
  readonly filename: string
  readonly maxTransactions?: number
  readonly cacheSizeMiB?: number
}

export type ToWriterThread =
  | { readonly type: 'append', readonly id: number, readonly columns: RecordColumns }
  | { readonly type: 'close' }

export type FromWriterThread =
  | { readonly type: 'ready' }
  | { readonly type: 'appended', readonly id: number }
  | { readonly type: 'failed', readonly id: number | null, readonly code: string, readonly message: string }
