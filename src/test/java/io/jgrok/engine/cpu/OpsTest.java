package io.jgrok.engine.cpu;

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
                float[] t = random(rnd, 4 * n + 11);
                int o0 = 3;
                int o1 = n + 5;
                int o2 = 3 * n + 2;
                float a0 = (float) rnd.nextGaussian();
                float a1 = (float) rnd.nextGaussian();
                float a2 = (float) rnd.nextGaussian();
                String what = ops.describe() + " n=" + n;

                float[] y = random(rnd, n + 2);
                double[] want = widen(y);
                for (int i = 0; i < n; i++) {
                    want[2 + i] += (double) a0 * t[o0 + i] + (double) a1 * t[o1 + i] + (double) a2 * t[o2 + i];
                }
                ops.axpy3(n, a0, o0, a1, o1, a2, o2, t, y, 2);
                assertClose(want, y, what + " axpy3");

                float[] dots = new float[3];
                ops.dot3(n, x, xo, t, o0, o1, o2, dots);
                int[] offs = {o0, o1, o2};
                for (int k = 0; k < 3; k++) {
                    double d = 0;
                    double scale = 0;
                    for (int i = 0; i < n; i++) {
                        d += (double) x[xo + i] * t[offs[k] + i];
                        scale += Math.abs((double) x[xo + i] * t[offs[k] + i]);
                    }
                    assertEquals(d, dots[k], FLOAT32_REL * Math.max(scale, 1e-6), what + " dot3 " + k);
                    assertEquals(d, ops.dot(n, x, xo, t, offs[k]), FLOAT32_REL * Math.max(scale, 1e-6),
                            what + " dot");
                }

                float[] tt = t.clone();
                double[] wantT = widen(t);
                for (int i = 0; i < n; i++) {
                    wantT[o0 + i] += (double) a0 * x[xo + i];
                    wantT[o1 + i] += (double) a1 * x[xo + i];
                    wantT[o2 + i] += (double) a2 * x[xo + i];
                }
                ops.scatter3(n, x, xo, a0, o0, a1, o1, a2, o2, tt);
                assertClose(wantT, tt, what + " scatter3");

                float[] yy = random(rnd, n + 1);
                double[] wantA = widen(yy);
                for (int i = 0; i < n; i++) {
                    wantA[1 + i] += (double) a1 * x[xo + i];
                }
                ops.axpy(n, a1, x, xo, yy, 1);
                assertClose(wantA, yy, what + " axpy");

                float[] r = new float[n];
                ops.relu(n, x, xo, r, 0);
                float[] g = random(rnd, n);
                float[] gMasked = g.clone();
                ops.maskNonPositive(n, gMasked, 0, x, xo);
                float mx = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    assertEquals(Math.max(x[xo + i], 0f), r[i], what + " relu");
                    assertEquals(x[xo + i] > 0 ? g[i] : 0f, gMasked[i], what + " mask");
                    mx = Math.max(mx, x[xo + i]);
                }
                assertEquals(mx, ops.max(n, x, xo), what + " max");

                double[] e = new double[n];
                double shift = mx;
                double sum = ops.expShifted(n, x, xo, shift, e);
                double wantSum = 0;
                for (int i = 0; i < n; i++) {
                    double w = Math.exp(x[xo + i] - shift);
                    assertEquals(w, e[i], 1e-14 * w + 1e-300, what + " exp");
                    wantSum += w;
                }
                assertEquals(wantSum, sum, 1e-13 * wantSum, what + " exp sum");
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
