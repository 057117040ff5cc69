/**
 * A number that is a msgpack float on the wire. The decoder produces one for every float it reads
 * (so a float where an integer belongs, such as a shape entry, can be told apart from an integer),
 * and the encoder writes one as float 64 even when its value is integral (`np.float32(2.0).item()`
 * is packed by Python as the float 2.0, not the integer 2).
 */
export class MsgpackFloat {
  constructor(readonly value: number) {}

  toJSON(): number {
    return this.value;
  }
}
