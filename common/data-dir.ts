// The data directory, made ready once at start: created level by level (a recursive mkdir loops
// forever on procfs, and its errors name no setting), then checked to be writable, so that a bad
// --data-dir / NDXP_DATA_DIR stops the process with one line naming the setting.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { SettingsError } from './config.js'

const SETTING = '--data-dir (NDXP_DATA_DIR)'

export function prepareDataDir (path: string): void {
  if (path === ':memory:') return
  const absolute = resolve(path)
  const missing: string[] = []
  let existing = absolute
  for (;;) {
    try {
      if (!statSync(existing).isDirectory()) throw new SettingsError(`${SETTING} ${JSON.stringify(path)} cannot be a directory: ${existing} is a file`)
      break
    } catch (error) {
      if (error instanceof SettingsError) throw error
      const code = (error as NodeJS.ErrnoException).code
      // ENOTDIR: a file part-way up the path, found as the walk goes on up.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new SettingsError(`${SETTING} ${JSON.stringify(path)}: cannot read ${existing} (${code ?? (error as Error).message})`)
      const parent = dirname(existing)
      if (parent === existing) throw new SettingsError(`${SETTING} ${JSON.stringify(path)}: no part of it exists`)
      missing.unshift(existing)
      existing = parent
    }
  }
  for (const level of missing) {
    try {
      mkdirSync(level)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST') {
        if (isDirectory(level)) continue // created meanwhile by a sibling process
        throw new SettingsError(`${SETTING} ${JSON.stringify(path)}: ${level} exists but is not a directory (a link to nowhere?)`)
      }
      throw new SettingsError(`${SETTING} ${JSON.stringify(path)}: cannot create ${level} (${code ?? (error as Error).message}); choose a directory this user may write`)
    }
  }
  try {
    accessSync(absolute, constants.W_OK)
  } catch {
    throw new SettingsError(`${SETTING} ${JSON.stringify(path)}: ${absolute} is not writable by this user; choose another directory`)
  }
}

function isDirectory (path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
