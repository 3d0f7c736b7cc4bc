package io.jgrok.engine.cpu;

/**
 * The CPU engine's elementwise and reduction loops. HotSpot (JDK 17) does not auto-vectorize float reductions or
 * loops over two arrays at independent offsets, which is exactly what the per-example table gathers are; the
 * Vector API ({@code jdk.incubator.vector}) does, 3-5x faster here. So there are two implementations: {@code
 * VectorOps} when the JVM was started with {@code --add-modules jdk.incubator.vector} (the launcher does this), and
 * {@link ScalarOps}, plain Java, otherwise. Both compute the same quantities; summation order differs, so results
 * agree to float rounding (tested).
 */
public interface Ops {

    /** y[yo..yo+n) += a * x[xo..xo+n). */
    void axpy(int n, float a, float[] x, int xo, float[] y, int yo);

    /** Sum of x[xo+i] * y[yo+i], i < n. */
    float dot(int n, float[] x, int xo, float[] y, int yo);

    /**
     * y[yo..yo+n) += a0 t[o0..o0+n) + a1 t[o1..) + a2 t[o2..): one head's three attention-weighted table rows
     * added in one pass (the forward gather).
     */
    void axpy3(int n, float a0, int o0, float a1, int o1, float a2, int o2, float[] t, float[] y, int yo);

    /** out[k] = x[xo..xo+n) . t[ok..ok+n) for k = 0, 1, 2 (the backward pass's gradient w.r.t. attention). */
    void dot3(int n, float[] x, int xo, float[] t, int o0, int o1, int o2, float[] out);

    /** t[ok..ok+n) += ak x[xo..xo+n) for k = 0, 1, 2 (the backward scatter into the tables' gradients). */
    void scatter3(int n, float[] x, int xo, float a0, int o0, float a1, int o1, float a2, int o2, float[] t);

    /** dst[i] = max(src[i], 0). */
    void relu(int n, float[] src, int so, float[] dst, int dOff);

    /** g[i] = pre[i] > 0 ? g[i] : 0 (the ReLU's backward pass). */
    void maskNonPositive(int n, float[] g, int go, float[] pre, int po);

    /** Maximum of x[xo..xo+n), n >= 1. */
    float max(int n, float[] x, int xo);

    /** out[i] = exp((double) x[xo+i] - shift) in float64; returns the float64 sum of out[0..n). */
    double expShifted(int n, float[] x, int xo, double shift, double[] out);

    /** Name for banners: which implementation and vector width. */
    String describe();

    /** The fastest implementation this JVM can run. */
    static Ops best() {
        return OpsHolder.BEST;
    }

    /** Loads VectorOps reflectively so that the engine still runs when the incubator module is absent. */
    final class OpsHolder {
        static final Ops BEST = load();

        private OpsHolder() {
        }

        private static Ops load() {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
                try {
                    return (Ops) Class.forName("io.jgrok.engine.cpu.VectorOps").getDeclaredConstructor()
                            .newInstance();
                } catch (ReflectiveOperationException | LinkageError e) {
                    return new ScalarOps();
                }
            }
            return new ScalarOps();
        }
    }
}
