/**
 * A send the test finishes or fails when it chooses: a delivery held in flight while another host or attempt acts.
 */

/** A jest mock send that resolves with `receipt` on finish() and rejects on fail(err). */
export function pendingSend(receipt: string) {
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = () => resolve(receipt);
    fail = reject;
  });
  const send = jest.fn(() => done);
  return { send, finish, fail };
}
