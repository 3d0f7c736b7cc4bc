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
    public void axpy3(int n, float a0, int o0, float a1, int o1, float a2, int o2, float[] t, float[] y, int yo) {
        for (int i = 0; i < n; i++) {
            y[yo + i] += a0 * t[o0 + i] + a1 * t[o1 + i] + a2 * t[o2 + i];
        }
    }

    @Override
    public void dot3(int n, float[] x, int xo, float[] t, int o0, int o1, int o2, float[] out) {
        out[0] = dot(n, x, xo, t, o0);
        out[1] = dot(n, x, xo, t, o1);
        out[2] = dot(n, x, xo, t, o2);
    }

    @Override
    public void scatter3(int n, float[] x, int xo, float a0, int o0, float a1, int o1, float a2, int o2, float[] t) {
        axpy(n, a0, x, xo, t, o0);
        axpy(n, a1, x, xo, t, o1);
        axpy(n, a2, x, xo, t, o2);
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
