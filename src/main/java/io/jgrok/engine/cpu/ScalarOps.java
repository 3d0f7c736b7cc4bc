package io.jgrok.engine.cpu;

/** {@link Ops} in plain Java: the fallback when the Vector API module is not present. */
public final class ScalarOps implements Ops {

    @Override
    public void axpy(int n, float a, float[] x, int xo, float[] y, int yo) {
        for (int i = 0; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }

    @Override
    public float dot(int n, float[] x, int xo, float[] y, int yo) {
        // Four partial sums break the add latency chain; HotSpot will not vectorize a float reduction.
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += x[xo + i] * y[yo + i];
            s1 += x[xo + i + 1] * y[yo + i + 1];
            s2 += x[xo + i + 2] * y[yo + i + 2];
            s3 += x[xo + i + 3] * y[yo + i + 3];
        }
        for (; i < n; i++) {
            s0 += x[xo + i] * y[yo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void gatherRow(int m, int v, int count, float[] alpha, int ao, int[] slot, int so, float[] voi,
                          float[] vou, float[] c, float[] base, float[] pre, int po, float[] lg, int lo) {
        System.arraycopy(c, 0, pre, po, m);
        System.arraycopy(base, 0, lg, lo, v);
        for (int k = 0; k < count; k++) {
            axpy(m, alpha[ao + k], voi, slot[so + k] * m, pre, po);
            axpy(v, alpha[ao + k], vou, slot[so + k] * v, lg, lo);
        }
    }

    @Override
    public void backwardRow(int m, int v, int count, float[] alpha, int ao, int[] slot, int so, float[] dpre,
                            int dpo, float[] g, int go, float[] voi, float[] vou, float[] dVoi, float[] dVou,
                            float[] out) {
        for (int k = 0; k < count; k++) {
            int s = slot[so + k];
            out[k] = dot(m, dpre, dpo, voi, s * m) + dot(v, g, go, vou, s * v);
            axpy(m, alpha[ao + k], dpre, dpo, dVoi, s * m);
            axpy(v, alpha[ao + k], g, go, dVou, s * v);
        }
    }

    @Override
    public void relu(int n, float[] src, int so, float[] dst, int dOff) {
        for (int i = 0; i < n; i++) {
            float v = src[so + i];
            dst[dOff + i] = v > 0f ? v : 0f;
        }
    }

    @Override
    public void maskNonPositive(int n, float[] g, int go, float[] pre, int po) {
        for (int i = 0; i < n; i++) {
            if (!(pre[po + i] > 0f)) {
                g[go + i] = 0f;
            }
        }
    }

    @Override
    public float max(int n, float[] x, int xo) {
        float m = x[xo];
        for (int i = 1; i < n; i++) {
            m = Math.max(m, x[xo + i]);
        }
        return m;
    }

    @Override
    public double expShifted(int n, float[] x, int xo, double shift, double[] out) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double e = Exp64.exp(x[xo + i] - shift);
            out[i] = e;
            s += e;
        }
        return s;
    }

    @Override
    public String describe() {
        return "scalar Java loops (start the JVM with --add-modules jdk.incubator.vector for SIMD)";
    }
}
