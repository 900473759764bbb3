/**
 * What the benchmark ran on: CPU model, cores, clock, vector extensions (lscpu, /proc/cpuinfo), and
 * the nominal fp32 peak = cores x GHz x 32 flops per cycle (two 256-bit FMA pipes x 8 lanes x 2
 * flops; AVX-512 on AMD Zen 4 issues 512-bit FMAs at half that rate, so the same 32).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Flops per cycle per core assumed by the nominal peak (AVX2 + FMA, two FMA pipes). */
export const FLOPS_PER_CYCLE = 32;

function lscpuFields() {
  const res = spawnSync('lscpu', ['-J'], { encoding: 'utf8' });
  if (res.status !== 0) return {};
  const fields = {};
  for (const { field, data } of JSON.parse(res.stdout).lscpu ?? []) fields[field.replace(/:$/, '')] = data;
  return fields;
}

function cpuinfoMhz() {
  try {
    const mhz = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('cpu MHz'))
      .map((l) => Number(l.split(':')[1]));
    return mhz.length ? mhz.reduce((a, b) => a + b, 0) / mhz.length : null;
  } catch {
    return null;
  }
}

/** Machine description and nominal peak (null fields where the system does not tell). */
export function describeMachine() {
  const f = lscpuFields();
  const sockets = Number(f['Socket(s)']) || 1;
  const coresPerSocket = Number(f['Core(s) per socket']) || null;
  const cores = coresPerSocket ? sockets * coresPerSocket : os.cpus().length;
  const mhz = cpuinfoMhz() ?? (Number(f['CPU max MHz']) || null);
  const flags = (f.Flags ?? '').split(' ');
  const nominal = mhz ? cores * (mhz / 1000) * FLOPS_PER_CYCLE : null;
  return {
    model: f['Model name'] ?? os.cpus()[0]?.model ?? 'unknown',
    architecture: f.Architecture ?? os.arch(),
    cores,
    logical_cpus: os.cpus().length,
    threads_per_core: Number(f['Thread(s) per core']) || null,
    mhz: mhz ? Math.round(mhz) : null,
    max_mhz: Number(f['CPU max MHz']) || null,
    hypervisor: f['Hypervisor vendor'] ?? null,
    vector: ['avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16'].filter((x) => flags.includes(x)),
    caches: { l1d: f['L1d cache'] ?? null, l2: f['L2 cache'] ?? null, l3: f['L3 cache'] ?? null },
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    nominal_peak_gflops: nominal,
    nominal_peak_formula: nominal ? `${cores} cores x ${(mhz / 1000).toFixed(2)} GHz x ${FLOPS_PER_CYCLE} flops/cycle` : null,
  };
}
