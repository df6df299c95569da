// Aligned text tables for the terminal (`ndxp load`, `ndxp stats`): numbers right-aligned, text left,
// and any control character in a cell replaced, so data cannot move the cursor or recolour the screen.

export type Cell = string | number | null | undefined

export interface Column {
  readonly title: string
  /** Right-aligned (numbers) unless `left`. */
  readonly align?: 'left' | 'right'
}

/** Control characters (C0, DEL, C1) and bidi overrides become '?': a label is data, not terminal commands. */
export function terminalSafe (text: string): string {
  return text.replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, '?')
}

function cellText (cell: Cell): string {
  if (cell === null || cell === undefined) return '-'
  if (typeof cell === 'number') return Number.isInteger(cell) ? String(cell) : cell.toFixed(1)
  return terminalSafe(cell)
}

/** Visible width: combining marks (Vietnamese diacritics in NFD) take no column. */
function width (text: string): number {
  return text.normalize('NFC').replace(/\p{M}/gu, '').length
}

function pad (text: string, size: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)))
  return align === 'left' ? text + fill : fill + text
}

export function formatTable (columns: readonly Column[], rows: readonly (readonly Cell[])[], indent = ''): string {
  const texts = rows.map((row) => columns.map((_, i) => cellText(row[i])))
  const widths = columns.map((column, i) => Math.max(width(column.title), ...texts.map((row) => width(row[i] as string))))
  const line = (cells: readonly string[]): string => indent + cells.map((cell, i) => pad(cell, widths[i] as number, columns[i]?.align ?? 'right')).join('  ').trimEnd()
  return [line(columns.map((c) => c.title)), ...texts.map(line)].join('\n')
}

/** Milliseconds as people read them: 0.42ms, 12.3ms, 1.25s. */
export function formatMs (ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-'
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`
  if (ms >= 100) return `${Math.round(ms)}ms`
  if (ms >= 10) return `${ms.toFixed(1)}ms`
  return `${ms.toFixed(2)}ms`
}
