package io.jgrok.analysis;

import io.jgrok.engine.cpu.WorkerPool;

/**
 * Basis transforms on the CPU in float64: y[o, i, j] = sum_t F[i, t] x[o, t, j] for x viewed as [outer, p, inner],
 * i.e. F applied along the middle axis. A 2D transform of [p, p, m] is two such passes (outer 1, inner p*m along a;
 * then outer p, inner m along b). The inner loop runs over the contiguous j, so the JIT vectorises it.
 */
final class RealTransforms {
    private RealTransforms() {
    }

    static double[] alongAxis(FourierBasis basis, double[] x, int outer, int inner, WorkerPool pool) {
        int p = basis.p();
        double[] f = basis.matrix();
        double[] y = new double[outer * p * inner];
        int tasks = outer * p;
        java.util.function.IntConsumer work = w -> {
            int threads = pool == null ? 1 : pool.threads();
            int lo = WorkerPool.shareStart(w, threads, tasks);
            int hi = WorkerPool.shareStart(w + 1, threads, tasks);
            for (int task = lo; task < hi; task++) {
                int o = task / p;
                int i = task % p;
                int yOff = (o * p + i) * inner;
                for (int t = 0; t < p; t++) {
                    double fit = f[i * p + t];
                    int xOff = (o * p + t) * inner;
                    for (int j = 0; j < inner; j++) {
                        y[yOff + j] += fit * x[xOff + j];
                    }
                }
            }
        };
        if (pool == null) {
            work.accept(0);
        } else {
            pool.forEachWorker(work);
        }
        return y;
    }

    /** F x along the first axis of x [p, m]. */
    static double[] transform1d(FourierBasis basis, double[] x, int m, WorkerPool pool) {
        return alongAxis(basis, x, 1, m, pool);
    }

    /** F X F^T over the first two axes of x [p, p, m]. */
    static double[] transform2d(FourierBasis basis, double[] x, int m, WorkerPool pool) {
        int p = basis.p();
        double[] alongA = alongAxis(basis, x, 1, p * m, pool);
        return alongAxis(basis, alongA, p, m, pool);
    }

    static double[] widen(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }

    static float[] narrow(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }
}
