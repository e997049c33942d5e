/**
 * `calibrate --point U,V=X,Y ... | --checkerboard ROWSxCOLS@SQUARE_MM (--corners U,V;U,V;... | --image PHOTO)`
 * Solves the pixel → mm homography and prints one JSON line: the matrix (ready for
 * `run --calibration`), each point's residual and the RMS in mm. A degenerate point set exits 1
 * with the reason.
 */
import { z } from 'zod';
import {
  checkerboardCornersMm,
  CheckerboardSchema,
  solveHomography,
  type CalibrationPoint,
} from '../core/calibration-solver';
import type { PointXy } from '../../shared/detection';
import { findCheckerboardCorners, type GreyImage } from '../core/checkerboard-corners';
import { parseFlags, UsageError, validateFlags, writeLine } from './args';

const num = String.raw`-?\d+(?:\.\d+)?(?:e-?\d+)?`;
const pair = (s: string): PointXy => s.split(',').map(Number) as PointXy;

const Flags = z.object({
  point: z
    .array(
      z
        .string()
        .regex(
          new RegExp(`^${num},${num}=${num},${num}$`),
          'must be U,V=X,Y (pixel = millimetres), e.g. 12,30=0,0',
        )
        .transform((s): CalibrationPoint => {
          const [px, mm] = s.split('=') as [string, string];
          return { pixel: pair(px), mm: pair(mm) };
        }),
    )
    .default([]),
  checkerboard: z
    .string()
    .regex(/^\d+x\d+@\d+(\.\d+)?$/, 'must be ROWSxCOLS@SQUARE_MM (squares), e.g. 7x10@25')
    .transform((s) => {
      const [size, square] = s.split('@') as [string, string];
      const [rows, cols] = size.split('x').map(Number);
      return { rows, cols, squareMm: Number(square) };
    })
    .pipe(CheckerboardSchema)
    .optional(),
  image: z.string().min(1).optional(),
  corners: z
    .string()
    .regex(new RegExp(`^${num},${num}(;${num},${num})*$`), 'must be U,V;U,V;... (inner corners, row by row)')
    .transform((s) => s.split(';').map(pair))
    .optional(),
});

const r4 = (v: number): number => Number(v.toFixed(4));

/** A photo of the target as grey levels (sharp decodes JPEG, PNG, ...). */
async function readGrey(path: string): Promise<GreyImage> {
  const { default: sharp } = await import('sharp');
  try {
    const { data, info } = await sharp(path)
      .removeAlpha()
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) throw new Error(`expected 1 grey channel, got ${info.channels}`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height),
      widthPx: info.width,
      heightPx: info.height,
    };
  } catch (e) {
    throw new UsageError(`--image: cannot read ${path}: ${(e as Error).message}`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      point: { type: 'string', multiple: true },
      checkerboard: { type: 'string' },
      corners: { type: 'string' },
      image: { type: 'string' },
    },
    false,
  );
  const flags = validateFlags(Flags, values);
  let pairs = flags.point;
  if (flags.checkerboard || flags.corners || flags.image) {
    if (!flags.checkerboard || (!flags.corners && !flags.image))
      throw new UsageError('--checkerboard goes with --corners or --image');
    if (flags.corners && flags.image) throw new UsageError('give either --corners or --image, not both');
    if (pairs.length > 0) throw new UsageError('give either --point or --checkerboard, not both');
    const board = flags.checkerboard;
    const mm = checkerboardCornersMm(board);
    let cornersPx = flags.corners;
    if (flags.image) {
      const found = findCheckerboardCorners(await readGrey(flags.image), board);
      if (!found.ok) {
        writeLine(
          process.stderr,
          `vision-station: calibrate: ${flags.image}: ${found.message} (${found.reason})`,
        );
        return 1;
      }
      cornersPx = found.cornersPx;
    }
    if (cornersPx!.length !== mm.length)
      throw new UsageError(
        `--corners: a ${board.rows}x${board.cols} board has ${mm.length} inner corners, got ${cornersPx!.length}`,
      );
    pairs = mm.map((m, i) => ({ pixel: cornersPx![i]!, mm: m }));
  }
  if (pairs.length === 0)
    throw new UsageError('give --point U,V=X,Y at least 4 times, or --checkerboard with --corners');
  const r = solveHomography(pairs);
  if (!r.ok) {
    writeLine(process.stderr, `vision-station: calibrate: ${r.message} (${r.reason})`);
    return 1;
  }
  writeLine(
    process.stdout,
    JSON.stringify({
      homography: r.homography,
      calibrationFlag: r.homography.join(','),
      rmsMm: r4(r.rmsMm),
      maxErrorMm: r4(r.maxErrorMm),
      residuals: r.residuals.map((p) => ({ pixel: p.pixel, mm: p.mm, errorMm: r4(p.errorMm) })),
    }),
  );
  return 0;
}
