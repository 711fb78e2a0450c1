/** A bound on the bytes a stream may carry, for anything read from outside (a download, a dropped file). */
import { Transform } from 'node:stream';

/** A pass-through that fails with `tooLarge()` once more than `maxBytes` have passed, before passing them on. */
export function byteLimit(maxBytes: number, tooLarge: () => Error): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(tooLarge());
      else done(null, chunk);
    },
  });
}
