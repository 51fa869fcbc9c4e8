/**
 * Preloaded into the hub (NODE_OPTIONS="--import tsx --import <this file>") when bench/store.ts
 * runs with --profile: Node 20 refuses --cpu-prof in NODE_OPTIONS, so this starts the V8
 * profiler through the inspector and writes a .cpuprofile when the process exits.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BALLAST_BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // The in-thread inspector session answers synchronously, so this works in an exit handler.
    session.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(join(dir, `hub-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  };
  process.on('exit', write);
}
