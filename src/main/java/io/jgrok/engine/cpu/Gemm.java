package io.jgrok.engine.cpu;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Row-major single-precision matrix products on top of netlib's column-major BLAS (the system's OpenBLAS when
 * libblas.so.3 points to it, else a Java implementation). C = alpha * op(A) * op(B) + beta * C with op(A) [M, K],
 * op(B) [K, N], C [M, N]; leading dimensions are row strides.
 *
 * <p>A row-major matrix is the transpose of the same memory read column-major, so C^T = op(B)^T op(A)^T is one
 * column-major call with the operands swapped and the same transpose flags.
 */
public final class Gemm {
    private static final BLAS BLAS_INSTANCE = load();

    private Gemm() {
    }

    private static BLAS load() {
        // netlib logs a warning for each implementation it cannot load; the banner states which one is in use.
        java.util.logging.Logger.getLogger("dev.ludovic.netlib").setLevel(java.util.logging.Level.SEVERE);
        BLAS blas = BLAS.getInstance();
        singleThreadedOpenBlas();
        return blas;
    }

    /**
     * The engine parallelises over rows itself and calls BLAS from every worker; OpenBLAS's own threads would
     * oversubscribe the cores (measured: 188 vs 117 ms per epoch on 2 cores), so it is set to one thread. Does
     * nothing when the system BLAS is not OpenBLAS.
     */
    private static void singleThreadedOpenBlas() {
        try {
            com.sun.jna.NativeLibrary lib = com.sun.jna.NativeLibrary.getInstance("libopenblas.so.0");
            lib.getFunction("openblas_set_num_threads").invoke(new Object[] {1});
            openBlasConfig = lib.getFunction("openblas_get_config").invokeString(new Object[0], false).split(" ")[1]
                    + ", " + lib.getFunction("openblas_get_corename").invokeString(new Object[0], false) + " kernels";
        } catch (UnsatisfiedLinkError | RuntimeException notOpenBlas) {
            openBlasConfig = null;
        }
    }

    private static String openBlasConfig;

    /** The BLAS implementation in use (for the start-up banner and the benchmark). */
    public static String implementation() {
        String name = BLAS_INSTANCE.getClass().getSimpleName();
        return openBlasConfig != null && name.equals("JNIBLAS") ? "OpenBLAS " + openBlasConfig + ", 1 thread per worker"
                : name + " (no native OpenBLAS found; install libopenblas0-pthread for speed)";
    }

    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int offA, int lda, float[] b, int offB, int ldb,
                            float beta, float[] c, int offC, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        BLAS_INSTANCE.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha,
                b, offB, ldb, a, offA, lda, beta, c, offC, ldc);
    }

    /** As {@link #gemm} in double precision (the analysis's float64 products). */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                             double[] a, int offA, int lda, double[] b, int offB, int ldb,
                             double beta, double[] c, int offC, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        BLAS_INSTANCE.dgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha,
                b, offB, ldb, a, offA, lda, beta, c, offC, ldc);
    }

    /**
     * C = alpha A^T A + beta C for a row-major A [K, N] (row stride lda), writing only the lower triangle of the
     * row-major C [N, N]: A read column-major is A^T, and ssyrk's upper triangle of A^T (A^T)^T in column-major
     * order is the lower triangle in row-major order. Half the multiplications of the full product.
     */
    public static void gramOfColumnsLower(int n, int k, float alpha, float[] a, int offA, int lda, float beta,
                                          float[] c, int offC, int ldc) {
        if (n == 0) {
            return;
        }
        BLAS_INSTANCE.ssyrk("U", "N", n, k, alpha, a, offA, lda, beta, c, offC, ldc);
    }
}
