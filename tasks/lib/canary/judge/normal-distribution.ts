/**
 * The standard normal distribution to double precision, for the large-sample Mann–Whitney test
 * and the Hodges–Lehmann interval: the upper tail by W. J. Cody's rational Chebyshev
 * approximations (as in R's `pnorm`), the quantile by Wichura's AS 241 (as in R's `qnorm`).
 * Both agree with SciPy's `norm.sf` / `norm.ppf` to ~1e-15 relative.
 */

const A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113];
const B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
const C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711,
  6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
];
const D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091,
  34900.952721145977266, 38912.003286093271411, 19685.429676859990727,
];
const P = [0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303];
const Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5];
const SQRT_32 = 5.656854249492380195206754896838;
const ONE_OVER_SQRT_2PI = 0.398942280401432677939946059934;

const at = (table: readonly number[], index: number): number => table[index] as number;

/** exp(-x²/2) without losing precision for large x: split x into a short part and a remainder. */
function gaussianTail(x: number, factor: number): number {
  const short = Math.trunc(x * 16) / 16;
  const rest = (x - short) * (x + short);
  return Math.exp(-short * short * 0.5) * Math.exp(-rest * 0.5) * factor;
}

/** P(Z > z) for a standard normal Z. */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const y = Math.abs(z);
  if (y <= 0.67448975) {
    let numerator = 0;
    let denominator = 0;
    if (y > Number.EPSILON * 0.5) {
      const square = z * z;
      numerator = at(A, 4) * square;
      denominator = square;
      for (let i = 0; i < 3; i++) {
        numerator = (numerator + at(A, i)) * square;
        denominator = (denominator + at(B, i)) * square;
      }
    }
    return 0.5 - (z * (numerator + at(A, 3))) / (denominator + at(B, 3));
  }
  let lowerOfAbs: number; // P(Z > |z|)
  if (y <= SQRT_32) {
    let numerator = at(C, 8) * y;
    let denominator = y;
    for (let i = 0; i < 7; i++) {
      numerator = (numerator + at(C, i)) * y;
      denominator = (denominator + at(D, i)) * y;
    }
    lowerOfAbs = gaussianTail(y, (numerator + at(C, 7)) / (denominator + at(D, 7)));
  } else if (y < 37.5193) {
    const inverse = 1 / (z * z);
    let numerator = at(P, 5) * inverse;
    let denominator = inverse;
    for (let i = 0; i < 4; i++) {
      numerator = (numerator + at(P, i)) * inverse;
      denominator = (denominator + at(Q, i)) * inverse;
    }
    const factor = (ONE_OVER_SQRT_2PI - (inverse * (numerator + at(P, 4))) / (denominator + at(Q, 4))) / y;
    lowerOfAbs = gaussianTail(y, factor);
  } else {
    lowerOfAbs = 0;
  }
  return z > 0 ? lowerOfAbs : 1 - lowerOfAbs;
}

/** The z with P(Z ≤ z) = p (the normal quantile), for 0 < p < 1. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    );
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5;
    value =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1);
  }
  return q < 0 ? -value : value;
}
