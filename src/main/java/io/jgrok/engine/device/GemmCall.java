package io.jgrok.engine.device;

import io.jgrok.device.DevicePtr;
import io.jgrok.device.Dim3;
import io.jgrok.device.KernelArgs;

/**
 * One launch of a gemm.cu kernel, C = alpha op(A) op(B) + beta C, described by named parts: operands with their
 * leading dimensions, the outer batch (models) and inner batch (heads) with each operand's stride, an optional mask
 * (gemm_nt_mask) and an optional deterministic split-K (partials into a scratch buffer, then splitk_reduce).
 * Strides and leading dimensions are in floats.
 */
final class GemmCall {
    static final int TILE = 64;
    static final int THREADS = 256;

    private final String kernel;
    private final int m;
    private final int n;
    private final int k;
    private DevicePtr a;
    private int lda;
    private DevicePtr b;
    private int ldb;
    private DevicePtr c;
    private int ldc;
    private int outer = 1;
    private long sAo;
    private long sBo;
    private long sCo;
    private int inner = 1;
    private long sAi;
    private long sBi;
    private long sCi;
    private float alpha = 1f;
    private float beta = 0f;
    private DevicePtr mask;
    private int ldm;
    private long sMo;
    private int splits = 1;
    private int kChunk;
    private DevicePtr part;
    private long sPart;

    GemmCall(String kernel, int m, int n, int k) {
        this.kernel = kernel;
        this.m = m;
        this.n = n;
        this.k = k;
        this.kChunk = k;
    }

    GemmCall a(DevicePtr ptr, int ld) {
        a = ptr;
        lda = ld;
        return this;
    }

    GemmCall b(DevicePtr ptr, int ld) {
        b = ptr;
        ldb = ld;
        return this;
    }

    GemmCall c(DevicePtr ptr, int ld) {
        c = ptr;
        ldc = ld;
        return this;
    }

    /** {@code count} models, every operand (and the mask) moving by the same {@code stride} per model. */
    GemmCall models(int count, long stride) {
        return outer(count, stride, stride, stride);
    }

    GemmCall outer(int count, long strideA, long strideB, long strideC) {
        outer = count;
        sAo = strideA;
        sBo = strideB;
        sCo = strideC;
        sMo = strideA;
        return this;
    }

    /** The inner batch (e.g. heads), each operand moving by its own stride. */
    GemmCall inner(int count, long strideA, long strideB, long strideC) {
        inner = count;
        sAi = strideA;
        sBi = strideB;
        sCi = strideC;
        return this;
    }

    GemmCall alphaBeta(float alpha, float beta) {
        this.alpha = alpha;
        this.beta = beta;
        return this;
    }

    /** For gemm_nt_mask: C is zeroed where mask (same rows and columns, moving per model by stride) is <= 0. */
    GemmCall mask(DevicePtr ptr, int ld, long modelStride) {
        mask = ptr;
        ldm = ld;
        sMo = modelStride;
        return this;
    }

    /**
     * Splits K into slices of {@code chunk} (a multiple of 32), each writing its own M x N partial into
     * {@code scratch} (per model: {@code scratchStride} floats apart), summed in slice order by splitk_reduce.
     */
    GemmCall splitK(int chunk, DevicePtr scratch, long scratchStride) {
        if (chunk % 32 != 0 || chunk <= 0) {
            throw new IllegalArgumentException("split-K chunk must be a positive multiple of 32, got " + chunk);
        }
        kChunk = chunk;
        splits = Math.max(1, (k + chunk - 1) / chunk);
        part = scratch;
        sPart = scratchStride;
        return this;
    }

    void launch(Launcher launcher, String label) {
        if (mask != null && inner != 1) {
            throw new IllegalArgumentException("the mask moves per model only: no inner batch with a mask");
        }
        Dim3 grid = new Dim3((n + TILE - 1) / TILE, (m + TILE - 1) / TILE, outer * inner * splits);
        if (part == null) {
            launcher.launch(label, kernel, grid, Dim3.of(THREADS), 0, args(c, ldc, sCo, sCi, 0, alpha, beta));
            return;
        }
        if (inner != 1) {
            throw new IllegalArgumentException("split-K with an inner batch is not supported");
        }
        long slice = (long) m * n;
        launcher.launch(label, kernel, grid, Dim3.of(THREADS), 0, args(part, n, sPart, 0, slice, alpha, 0f));
        int blocks = (int) Math.min((slice + THREADS - 1) / THREADS, 1024);
        launcher.launch(label + " (split-K sum)", "splitk_reduce", new Dim3(blocks, 1, outer), Dim3.of(THREADS), 0,
                KernelArgs.of().ptr(c).i32(ldc).i64(sCo).ptr(part).i64(sPart).i32(m).i32(n).i32(splits).f32(beta));
    }

    private KernelArgs args(DevicePtr out, int ldOut, long sOut, long sOutInner, long sSplit, float al, float be) {
        return KernelArgs.of().i32(m).i32(n).i32(k)
                .ptr(a).i32(lda).i64(sAo).i64(sAi)
                .ptr(b).i32(ldb).i64(sBo).i64(sBi)
                .ptr(out).i32(ldOut).i64(sOut).i64(sOutInner).i64(sSplit)
                .i32(inner).i32(splits).i32(kChunk).f32(al).f32(be)
                .ptr(mask).i32(ldm).i64(sMo);
    }
}
