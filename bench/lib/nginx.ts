// nginx as a reverse proxy for the hub benchmark, where it is installed: one worker process (no
// master), keep-alive to the upstream, nothing logged, every temp path in a private directory.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hasTaskset, type BenchServer } from './processes.js'

export const hasNginx = spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status === 0

export async function startNginx (upstreamUrl: string, port: number, core = 0): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ndxp-nginx-'))
  const upstream = new URL(upstreamUrl)
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `${name}_temp_path ${join(dir, name)};`).join('\n    ')
  writeFileSync(join(dir, 'nginx.conf'), `
daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
    access_log off;
    ${temp}
    upstream bench { server ${upstream.host}; keepalive 128; }
    server {
        listen 127.0.0.1:${port};
        location / {
            proxy_pass http://bench;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
`)
  const args = ['-c', join(dir, 'nginx.conf'), '-p', dir]
  const child = hasTaskset ? spawn('taskset', ['-c', String(core), 'nginx', ...args], { stdio: 'inherit' }) : spawn('nginx', args, { stdio: 'inherit' })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${url}/bench/0`).then((r) => r.ok, () => false)) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    child,
    url,
    stop: () => new Promise((done) => {
      const finish = (): void => { rmSync(dir, { recursive: true, force: true }); done() }
      if (child.exitCode !== null || child.signalCode !== null) return finish()
      child.once('exit', finish)
      child.kill('SIGQUIT')
    }),
  }
}
