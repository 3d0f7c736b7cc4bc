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
        // netlib logs a warning for each implementation it cannot load (e.g. VectorBLAS, which needs an
        // incubator module); the banner states which one is in use instead.
        java.util.logging.Logger.getLogger("dev.ludovic.netlib").setLevel(java.util.logging.Level.SEVERE);
        return BLAS.getInstance();
    }

    /** The BLAS implementation in use (for the start-up banner and the benchmark). */
    public static String implementation() {
        return BLAS_INSTANCE.getClass().getSimpleName();
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
}
