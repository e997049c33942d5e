/**
 * Command-line entry (`node bin/vision-station.js <command>`). Every command returns an exit code;
 * usage errors exit 2 and runtime errors 1, each with one line on stderr.
 */
import { UsageError, writeLine } from './args';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  detect: {
    summary: 'detect --model PATH [--conf 0.25] [--iou 0.45] [--provider cpu|cuda|tensorrt] IMAGE...',
    load: async () => (await import('./detect')).main,
  },
  run: {
    summary:
      'run --source URI --model PATH|classic [--plc URI|sim] [--serial PATH?baud=N] [--frames N] [--json] [--recipe SLOT=MODEL]... | [--recipes-dir DIR] [--calibration h11,...,h33] [--classes NAME,...] [--class-conf NAME=T]... [--track] [--zone ...]... [--line ...]... [--record DIR ...] [--mqtt URI] [--opcua PORT]  |  run --cameras FILE.json [--frames N] [--json] [--provider P] [--threads N]',
    load: async () => (await import('./run')).main,
  },
  calibrate: {
    summary:
      'calibrate --point U,V=X,Y [--point ...]... | --checkerboard ROWSxCOLS@SQUARE_MM (--corners U,V;... | --image PHOTO)   (pixel → mm homography, residuals in mm)',
    load: async () => (await import('./calibrate')).main,
  },
  users: {
    summary:
      'users list | add NAME --role ROLE [--password] | remove NAME | set-role NAME ROLE | set-secret NAME [--data-dir DIR]   (PIN/password on stdin)',
    load: async () => (await import('./users')).main,
  },
  audit: {
    summary: 'audit verify | export [--user U] [--method M] [--from ISO] [--to ISO] [--data-dir DIR]',
    load: async () => (await import('./audit')).main,
  },
  bench: {
    summary: 'bench --model PATH [--source URI] [--frames N]',
    load: async () => (await import('./bench')).main,
  },
  serve: {
    summary:
      'serve [--host 127.0.0.1] [--port 8080] [--token T] [--source URI] [--model PATH|classic] [--plc URI|sim|off] [--parallel-frames N]',
    load: async () => (await import('./serve')).main,
  },
  'plc-sim': {
    summary: 'plc-sim [--port 102] [--db 1] [--max-objects 16] [--mode free-run|ack|trigger]',
    load: async () => (await import('./plc-sim')).main,
  },
  'plc-layout': {
    summary: 'plc-layout [--format scl|json|md] [--max-objects 16] [--start-offset 0]',
    load: async () => (await import('./plc-layout')).main,
  },
  'plc-bench': {
    summary: 'plc-bench [--writes 500] [--max-objects 16]   (S7 write latency on loopback)',
    load: async () => (await import('./plc-bench')).main,
  },
  'import-model': {
    summary: 'import-model PATH [--data-dir DIR]   (validated by loading it once)',
    load: async () => (await import('./import-model')).main,
  },
  'download-model': {
    summary: 'download-model --id yolox-nano|yolox-s [--dir DIR]   (official YOLOX release, Apache-2.0)',
    load: async () => (await import('./download-model')).main,
  },
  eval: {
    summary:
      'eval --gt PATH --dets PATH [--format coco|voc] [--iou T] | eval --model PATH --data DATASET [--conf 0.001]',
    load: async () => (await import('./eval')).main,
  },
  'compare-models': {
    summary: 'compare-models --models M1,M2,... --data DATASET [--target-fps 4] [--json]',
    load: async () => (await import('./compare-models')).main,
  },
  rerun: {
    summary:
      'rerun --recording DIR|VIDEO --model PATH|classic [--conf 0.25] [--iou 0.45] [--doubtful-min X] --out NAME [--replace]',
    load: async () => (await import('./rerun')).main,
  },
  compare: {
    summary: 'compare --recording DIR|VIDEO --a NAME --b NAME [--match-iou 0.3] [--moved-iou 0.7] [--json]',
    load: async () => (await import('./compare')).main,
  },
  export: {
    summary:
      'export --recording DIR|VIDEO [--results NAME] --format csv|jsonl|coco|yolo|labelstudio [--from T] [--to T] [--event ID] [--class NAME]... [--doubtful] --out PATH',
    load: async () => (await import('./export')).main,
  },
  'recording-info': {
    summary: 'recording-info --recording DIR|VIDEO [--track NAME]   (span, tracks, events with their ids)',
    load: async () => (await import('./recording-info')).main,
  },
  soak: {
    summary: 'soak --model PATH|classic [--source URI] [--minutes 10]   (memory stays flat?)',
    load: async () => (await import('./soak')).main,
  },
};

function usage(): string {
  return [
    'usage: vision-station <command> [options]',
    '',
    'commands:',
    ...Object.values(COMMANDS).map((c) => `  ${c.summary}`),
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    writeLine(process.stdout, usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    writeLine(
      process.stderr,
      `vision-station: unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`,
    );
    return 2;
  }
  try {
    return await (
      await cmd.load()
    )(rest);
  } catch (e) {
    // Bad URIs and settings given on the command line are usage errors too.
    if (
      e instanceof UsageError ||
      ['SourceUriError', 'PlcConfigError', 'SerialConfigError', 'RecordingError'].includes((e as Error).name)
    ) {
      writeLine(process.stderr, `vision-station: ${name}: ${(e as Error).message}`);
      return 2;
    }
    writeLine(process.stderr, `vision-station: ${name}: ${(e as Error).message.split('\n')[0]}`);
    return 1;
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    writeLine(process.stderr, `vision-station: ${(e as Error).message}`);
    process.exitCode = 1;
  },
);
