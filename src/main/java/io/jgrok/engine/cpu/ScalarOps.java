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
    public void gatherHead(int m, int v, float a0, float a1, float a2, int s0, int s1, int s2, float[] voi,
                           float[] vou, float[] pre, int po, float[] lg, int lo) {
        for (int i = 0; i < m; i++) {
            pre[po + i] += a0 * voi[s0 * m + i] + a1 * voi[s1 * m + i] + a2 * voi[s2 * m + i];
        }
        for (int i = 0; i < v; i++) {
            lg[lo + i] += a0 * vou[s0 * v + i] + a1 * vou[s1 * v + i] + a2 * vou[s2 * v + i];
        }
    }

    @Override
    public void backwardHead(int m, int v, float a0, float a1, float a2, int s0, int s1, int s2, float[] dpre,
                             int dpo, float[] g, int go, float[] voi, float[] vou, float[] dVoi, float[] dVou,
                             float[] out) {
        out[0] = dot(m, dpre, dpo, voi, s0 * m) + dot(v, g, go, vou, s0 * v);
        out[1] = dot(m, dpre, dpo, voi, s1 * m) + dot(v, g, go, vou, s1 * v);
        out[2] = dot(m, dpre, dpo, voi, s2 * m) + dot(v, g, go, vou, s2 * v);
        axpy(m, a0, dpre, dpo, dVoi, s0 * m);
        axpy(m, a1, dpre, dpo, dVoi, s1 * m);
        axpy(m, a2, dpre, dpo, dVoi, s2 * m);
        axpy(v, a0, g, go, dVou, s0 * v);
        axpy(v, a1, g, go, dVou, s1 * v);
        axpy(v, a2, g, go, dVou, s2 * v);
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
