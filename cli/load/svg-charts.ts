// Two small inline-SVG charts for the HTML report — lines over time and stacked horizontal bars — drawn
// by hand so the report needs no library and no network. Every text goes through escapeHtml.

/** For text and attribute values alike: labels come from scenario files and must stay text. */
export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' })[c] as string)
}

export interface LineSeries {
  readonly name: string
  readonly color: string
  /** One value per x step; null leaves a gap (no data that second). */
  readonly values: ReadonlyArray<number | null>
}

const FONT = 'font-family="system-ui, sans-serif" font-size="11"'

/** A tick step of 1, 2 or 5 × 10^n giving about `count` ticks up to `max`. */
function niceStep (max: number, count: number): number {
  const raw = max / count
  const power = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? raw
}

function num (value: number): string {
  return String(Math.round(value * 10) / 10)
}

export function lineChart (title: string, unit: string, series: readonly LineSeries[], width = 860, height = 260): string {
  const left = 56
  const right = 12
  const top = 28
  const bottom = 30
  const length = Math.max(1, ...series.map((s) => s.values.length))
  const max = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v))))
  const step = max > 0 ? niceStep(max, 5) : 1
  const yMax = Math.max(step, Math.ceil(max / step) * step)
  const x = (i: number): number => left + (length === 1 ? 0 : (i / (length - 1)) * (width - left - right))
  const y = (v: number): number => top + (1 - v / yMax) * (height - top - bottom)
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">`]
  parts.push(`<text x="${left}" y="16" ${FONT} font-weight="bold">${escapeHtml(title)}</text>`)
  for (let v = 0; v <= yMax + step / 2; v += step) {
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${num(y(v))}" y2="${num(y(v))}" stroke="#ddd"/>`)
    parts.push(`<text x="${left - 6}" y="${num(y(v) + 4)}" text-anchor="end" ${FONT}>${escapeHtml(`${num(v)}${unit}`)}</text>`)
  }
  const xStep = niceStep(length, 10)
  for (let i = 0; i < length; i += xStep) parts.push(`<text x="${num(x(i))}" y="${height - bottom + 16}" text-anchor="middle" ${FONT}>${i}s</text>`)
  series.forEach((s, n) => {
    // A gap (null) ends the current polyline; an isolated point still shows as a dot.
    let run: string[] = []
    const flush = (): void => {
      if (run.length > 1) parts.push(`<polyline fill="none" stroke="${escapeHtml(s.color)}" stroke-width="1.5" points="${run.join(' ')}"/>`)
      else if (run.length === 1) { const [px, py] = (run[0] as string).split(','); parts.push(`<circle cx="${px}" cy="${py}" r="2" fill="${escapeHtml(s.color)}"/>`) }
      run = []
    }
    s.values.forEach((v, i) => { if (v === null || !Number.isFinite(v)) flush(); else run.push(`${num(x(i))},${num(y(v))}`) })
    flush()
    parts.push(`<rect x="${width - right - 150}" y="${8 + n * 14}" width="10" height="10" fill="${escapeHtml(s.color)}"/><text x="${width - right - 135}" y="${17 + n * 14}" ${FONT}>${escapeHtml(s.name)}</text>`)
  })
  parts.push('</svg>')
  return parts.join('')
}

export interface BarSegment {
  readonly name: string
  readonly color: string
}

export interface BarRow {
  readonly label: string
  readonly values: readonly number[]
  /** Shown after the bar, e.g. the row's p99. */
  readonly note?: string
}

/** One horizontal bar per row, split into segments (e.g. 2xx / 4xx / 429 / 5xx / errors). */
export function stackedBars (title: string, segments: readonly BarSegment[], rows: readonly BarRow[], width = 860): string {
  const labelWidth = 250
  const noteWidth = 90
  const rowHeight = 20
  const top = 40
  const height = top + rows.length * rowHeight + 10
  const max = Math.max(1, ...rows.map((r) => r.values.reduce((a, b) => a + b, 0)))
  const scale = (width - labelWidth - noteWidth - 10) / max
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">`]
  parts.push(`<text x="0" y="16" ${FONT} font-weight="bold">${escapeHtml(title)}</text>`)
  segments.forEach((s, i) => parts.push(`<rect x="${labelWidth + i * 80}" y="22" width="10" height="10" fill="${escapeHtml(s.color)}"/><text x="${labelWidth + 14 + i * 80}" y="31" ${FONT}>${escapeHtml(s.name)}</text>`))
  rows.forEach((row, r) => {
    const y = top + r * rowHeight
    const shown = row.label.length > 40 ? `${row.label.slice(0, 39)}…` : row.label
    parts.push(`<text x="${labelWidth - 6}" y="${y + 13}" text-anchor="end" ${FONT}><title>${escapeHtml(row.label)}</title>${escapeHtml(shown)}</text>`)
    let x = labelWidth
    row.values.forEach((v, i) => {
      if (v <= 0) return
      const w = v * scale
      parts.push(`<rect x="${num(x)}" y="${y + 2}" width="${num(Math.max(w, 0.5))}" height="${rowHeight - 5}" fill="${escapeHtml(segments[i]?.color ?? '#999')}"><title>${escapeHtml(`${segments[i]?.name ?? ''}: ${v}`)}</title></rect>`)
      x += w
    })
    if (row.note !== undefined) parts.push(`<text x="${num(x + 6)}" y="${y + 13}" ${FONT}>${escapeHtml(row.note)}</text>`)
  })
  parts.push('</svg>')
  return parts.join('')
}
