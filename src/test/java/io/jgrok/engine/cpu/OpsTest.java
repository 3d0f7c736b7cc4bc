package io.jgrok.engine.cpu;

import io.jgrok.Tolerances;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.jgrok.Tolerances.FLOAT32_REL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SIMD and scalar loop implementations against a plain float64 evaluation of each definition, on random
 * inputs at lengths that exercise full vectors, tails and odd offsets.
 */
class OpsTest {
    private static final int[] LENGTHS = {1, 3, 7, 8, 15, 16, 17, 31, 64, 113, 114, 127, 512, 515};

    @Test
    void vectorImplementationIsInUseUnderTheTestJvm() {
        // surefire starts the JVM with --add-modules jdk.incubator.vector, as the launcher does.
        assertTrue(Ops.best().describe().startsWith("Vector API"), Ops.best().describe());
    }

    @Test
    void scalarAndVectorOpsMatchFloat64Definitions() {
        for (Ops ops : new Ops[] {new ScalarOps(), Ops.best()}) {
            Random rnd = new Random(7);
            for (int n : LENGTHS) {
                int xo = rnd.nextInt(5);
                float[] x = random(rnd, n + xo);
                String what = ops.describe() + " n=" + n;

                // One example: count table rows of m- and v-wide tables (8 is the unrolled paper shape).
                int m = n;
                int v = Math.max(1, n / 3 + 1);
                for (int count : new int[] {8, 2, 6}) {
                    int[] slot = new int[count + 1];
                    float[] al = new float[count + 2];
                    for (int k = 0; k < count; k++) {
                        slot[1 + k] = (k * 7 + 3) % 11;
                        al[2 + k] = (float) rnd.nextGaussian();
                    }
                    float[] voi = random(rnd, 11 * m);
                    float[] vou = random(rnd, 11 * v);
                    float[] c = random(rnd, m);
                    float[] base = random(rnd, v);
                    float[] pre = random(rnd, m + 3);
                    float[] lg = random(rnd, v + 1);
                    double[] wantPre = widen(pre);
                    double[] wantLg = widen(lg);
                    for (int i = 0; i < m; i++) {
                        wantPre[3 + i] = c[i];
                    }
                    for (int i = 0; i < v; i++) {
                        wantLg[1 + i] = base[i];
                    }
                    for (int k = 0; k < count; k++) {
                        for (int i = 0; i < m; i++) {
                            wantPre[3 + i] += (double) al[2 + k] * voi[slot[1 + k] * m + i];
                        }
                        for (int i = 0; i < v; i++) {
                            wantLg[1 + i] += (double) al[2 + k] * vou[slot[1 + k] * v + i];
                        }
                    }
                    ops.gatherRow(m, v, count, al, 2, slot, 1, voi, vou, c, base, pre, 3, lg, 1);
                    assertClose(wantPre, pre, what + " count " + count + " gatherRow pre");
                    assertClose(wantLg, lg, what + " count " + count + " gatherRow logits");

                    float[] dpre = random(rnd, m + xo);
                    float[] g = random(rnd, v + 2);
                    float[] dVoi = random(rnd, 11 * m);
                    float[] dVou = random(rnd, 11 * v);
                    double[] wantDVoi = widen(dVoi);
                    double[] wantDVou = widen(dVou);
                    float[] out = new float[count];
                    ops.backwardRow(m, v, count, al, 2, slot, 1, dpre, xo, g, 2, voi, vou, dVoi, dVou, out);
                    for (int k = 0; k < count; k++) {
                        double d = 0;
                        double scale = 0;
                        int sk = slot[1 + k];
                        for (int i = 0; i < m; i++) {
                            d += (double) dpre[xo + i] * voi[sk * m + i];
                            scale += Math.abs((double) dpre[xo + i] * voi[sk * m + i]);
                            wantDVoi[sk * m + i] += (double) al[2 + k] * dpre[xo + i];
                        }
                        for (int i = 0; i < v; i++) {
                            d += (double) g[2 + i] * vou[sk * v + i];
                            scale += Math.abs((double) g[2 + i] * vou[sk * v + i]);
                            wantDVou[sk * v + i] += (double) al[2 + k] * g[2 + i];
                        }
                        String at = what + " count " + count + " row " + k;
                        assertEquals(d, out[k], FLOAT32_REL * Math.max(scale, Tolerances.FLOAT32_ABS_FLOOR), at + " backwardRow dot");
                        float viaDots = ops.dot(m, dpre, xo, voi, sk * m) + ops.dot(v, g, 2, vou, sk * v);
                        assertEquals(d, viaDots, FLOAT32_REL * Math.max(scale, Tolerances.FLOAT32_ABS_FLOOR), at + " dot");
                    }
                    // Slots repeat (11 rows, up to 8 uses): the scatters must accumulate, not overwrite.
                    assertClose(wantDVoi, dVoi, what + " count " + count + " backwardRow dVOI");
                    assertClose(wantDVou, dVou, what + " count " + count + " backwardRow dVOU");
                }
                float a1 = (float) rnd.nextGaussian();

                float[] yy = random(rnd, n + 1);
                double[] wantA = widen(yy);
                for (int i = 0; i < n; i++) {
                    wantA[1 + i] += (double) a1 * x[xo + i];
                }
                ops.axpy(n, a1, x, xo, yy, 1);
                assertClose(wantA, yy, what + " axpy");

                float[] r = new float[n];
                ops.relu(n, x, xo, r, 0);
                float[] grad = random(rnd, n);
                float[] gMasked = grad.clone();
                ops.maskNonPositive(n, gMasked, 0, x, xo);
                float mx = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    assertEquals(Math.max(x[xo + i], 0f), r[i], what + " relu");
                    assertEquals(x[xo + i] > 0 ? grad[i] : 0f, gMasked[i], what + " mask");
                    mx = Math.max(mx, x[xo + i]);
                }
                assertEquals(mx, ops.max(n, x, xo), what + " max");

                double[] e = new double[n];
                double shift = mx;
                double sum = ops.expShifted(n, x, xo, shift, e);
                double wantSum = 0;
                for (int i = 0; i < n; i++) {
                    double w = Math.exp(x[xo + i] - shift);
                    assertEquals(w, e[i], Tolerances.FLOAT64_FUNCTION_REL * w + Double.MIN_NORMAL, what + " exp");
                    wantSum += w;
                }
                assertEquals(wantSum, sum, 10 * Tolerances.FLOAT64_FUNCTION_REL * wantSum, what + " exp sum");
            }
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    private static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static void assertClose(double[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], FLOAT32_REL * Math.max(1, Math.abs(want[i])), what + " at " + i);
        }
    }
}
