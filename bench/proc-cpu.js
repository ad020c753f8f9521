/**
 * CPU seconds from /proc, for benches that compare work done on a shared machine: wall times move
 * with the load, the CPU a process tree spent much less.
 */
const fs = require('node:fs');
const path = require('node:path');

/** CPU seconds (user + system, reaped children included) of a process from /proc/PID/stat. */
function cpuOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100; // clock ticks, CLK_TCK = 100 on Linux
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by the servers of these data directories: each postmaster and its live children (exited ones are in the postmaster's cutime). */
function serversCpu(dataDirs) {
  const postmasters = new Set(dataDirs.map((d) => Number(fs.readFileSync(path.join(d, 'postmaster.pid'), 'utf8').split('\n')[0])));
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let ppid = 0;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      continue;
    }
    if (postmasters.has(pid) || postmasters.has(ppid)) total += cpuOf(pid);
  }
  return total;
}

module.exports = { cpuOf, serversCpu };
