package io.jgrok.analysis;

import io.jgrok.config.RunConfig;
import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;
import io.jgrok.device.Dim3;
import io.jgrok.device.KernelArgs;
import io.jgrok.engine.device.DeviceForward;
import io.jgrok.model.ParamLayout;

/**
 * {@link AnalysisBackend#agop} on a {@link Device}: the same factorisation as {@link CpuAgop} (docs/agop.md), as
 * kernels that each take the whole batch of checkpoints (src/main/cuda/analysis_agop_*.cu):
 * <ol>
 *   <li>the CUDA engine's forward pass over the training pairs ({@link DeviceForward}) gives each example's attention
 *       weights from '=' and MLP pre-activations;</li>
 *   <li>per-checkpoint tables: C_U, C_in^T, W_L ({@code agop_matmul_f32}), kappa ({@code agop_kappa}), E = [E_V | E_K]
 *       and the positional and '=' values ({@code agop_value_tables});</li>
 *   <li>for each chunk of examples: Zhat = [Z ; mu_0 ; mu_1] per example ({@code agop_example_z}), its Gram matrix
 *       over the p outputs (gemm.cu's {@code gemm_tn}, batched over examples and checkpoints), and the weighted sum
 *       into the float64 accumulator ({@code agop_accumulate}, examples in order);</li>
 *   <li>G = E acc E^T / n per block ({@code agop_matmul_f64}), read back; the upper triangle is the lower one's
 *       mirror, as on the CPU.</li>
 * </ol>
 * Every sum runs in a fixed order, so a checkpoint's AGOP has the same bits whatever batch it is in.
 */
final class DeviceAgop {
    static final int THREADS = 256;
    /** Device memory for one chunk's per-example buffers (Zhat and its Gram matrix), over the whole batch. */
    static final long CHUNK_BYTES = 256L << 20;

    private final Device device;
    private final RunConfig config;
    private final ParamLayout layout;
    private final long chunkBytes;

    DeviceAgop(Device device, RunConfig config, ParamLayout layout) {
        this(device, config, layout, CHUNK_BYTES);
    }

    /** With another budget for a chunk's buffers: tests use a small one to run many chunks on small shapes. */
    DeviceAgop(Device device, RunConfig config, ParamLayout layout, long chunkBytes) {
        this.device = device;
        this.config = config;
        this.layout = layout;
        this.chunkBytes = chunkBytes;
    }

    double[][] agop(DeviceScratch s, float[][] params, int[] examples) {
        int batch = params.length;
        if (batch == 0) {
            return new double[0][];
        }
        if (examples.length == 0) {
            throw new IllegalArgumentException("the AGOP needs at least one example");
        }
        ParamLayout L = layout;
        int p = L.p;
        int d = L.dModel;
        int h = L.nHeads;
        int m = L.dMlp;
        int n = examples.length;
        int dHat = d + 2 * h;
        int dAug = d + h;
        int dim = 2 * dAug;
        long stride = L.size();

        // 1. Attention weights and pre-activations of the training pairs, dense per checkpoint.
        DevicePtr attention = s.floats((long) batch * n * h * 3);
        DevicePtr pre = s.floats((long) batch * n * m);
        try (DeviceForward f = DeviceForward.open(device, config, batch, examples)) {
            f.run(params);
            for (int b = 0; b < batch; b++) {
                device.copy(attention.floatAt((long) b * n * h * 3), f.attention(b), 4L * n * h * 3);
                device.copy(pre.floatAt((long) b * n * m), f.preActivations(b), 4L * n * m);
            }
        }
        DevicePtr w = s.uploadBatch(params, L.size());
        DevicePtr ex = s.upload(examples);

        // 2. Tables.
        DevicePtr cu = s.floats((long) batch * d * p);
        matmulF32(cu, (long) d * p, p, w.floatAt(L.wO), stride, d, 1, w.floatAt(L.wU), stride, L.nOutputs, 1,
                d, p, d, batch);
        DevicePtr cinT = s.floats((long) batch * m * d);
        matmulF32(cinT, (long) m * d, d, w.floatAt(L.wIn), stride, 1, m, w.floatAt(L.wO), stride, 1, d,
                m, d, d, batch);
        DevicePtr wl = s.floats((long) batch * m * p);
        matmulF32(wl, (long) m * p, p, w.floatAt(L.wOut), stride, d, 1, w.floatAt(L.wU), stride, L.nOutputs, 1,
                m, p, d, batch);
        DevicePtr kappa = s.doubles((long) batch * h * d);
        device.launch("agop_kappa", Dim3.of(batch), Dim3.of(128), 16 * d,
                KernelArgs.of().ptr(kappa).ptr(w).i64(stride).i32(L.wE).i32(L.wPos).i32(L.wQ).i32(L.wK).i32(p)
                        .i32(d).i32(h));
        DevicePtr eAug = s.doubles((long) batch * p * dAug);
        DevicePtr extraV = s.doubles((long) batch * 3 * d);
        device.launch("agop_value_tables", new Dim3(p + 3, batch, 1), Dim3.of(128), 0,
                KernelArgs.of().ptr(eAug).ptr(extraV).ptr(kappa).ptr(w).i64(stride).i32(L.wE).i32(L.wPos)
                        .i32(L.wV).i32(p).i32(d).i32(h));

        // 3. Chunks of examples: Zhat, its Gram matrix, the weighted sum.
        long perSlot = 4L * batch * ((long) p * dHat + (long) dHat * dHat);
        int slots = (int) Math.max(1, Math.min(n, chunkBytes / perSlot));
        DevicePtr zhat = s.floats((long) batch * slots * p * dHat);
        DevicePtr gram = s.floats((long) batch * slots * dHat * dHat);
        DevicePtr acc = s.doubles((long) batch * dim * dim);
        int zShared = 8 * 2 * d + 4 * m;
        for (int first = 0; first < n; first += slots) {
            int count = Math.min(slots, n - first);
            device.launch("agop_example_z", new Dim3(count, batch, 1), Dim3.of(THREADS), zShared,
                    KernelArgs.of().ptr(zhat).i32(slots).ptr(ex).ptr(attention).ptr(pre).i64(n).i32(first)
                            .ptr(cu).ptr(cinT).ptr(wl).ptr(eAug).ptr(extraV).i32(p).i32(d).i32(h).i32(m));
            gramOfRows(gram, zhat, p, dHat, batch, slots, count);
            device.launch("agop_accumulate", new Dim3(Launches.blocks((long) dim * dim, THREADS), batch, 1),
                    Dim3.of(THREADS), 0, KernelArgs.of().ptr(acc).ptr(gram).i32(count).i32(slots).ptr(attention)
                            .i64(n).i32(first).i32(first == 0 ? 1 : 0).i32(d).i32(h));
        }

        // 4. G = blkdiag(E, E) acc blkdiag(E, E)^T / n: blocks (0, 0), (1, 0), (1, 1), then mirrored on the host.
        int n2 = 2 * p;
        DevicePtr tmp = s.doubles((long) batch * p * dAug);
        DevicePtr g = s.doubles((long) batch * n2 * n2);
        for (int bp = 0; bp < 2; bp++) {
            for (int bq = 0; bq <= bp; bq++) {
                long accOffset = (long) bp * dAug * dim + (long) bq * dAug;
                matmulF64(tmp, (long) p * dAug, dAug, eAug, (long) p * dAug, dAug, 1,
                        acc.plus(8 * accOffset), (long) dim * dim, dim, 1, p, dAug, dAug, 1.0, batch);
                matmulF64(g.plus(8L * ((long) bp * p * n2 + (long) bq * p)), (long) n2 * n2, n2, tmp,
                        (long) p * dAug, dAug, 1, eAug, (long) p * dAug, 1, dAug, p, p, dAug, 1.0 / n, batch);
            }
        }
        double[] all = s.downloadDoubles(g, batch * n2 * n2);
        double[][] out = new double[batch][];
        for (int b = 0; b < batch; b++) {
            double[] one = java.util.Arrays.copyOfRange(all, b * n2 * n2, (b + 1) * n2 * n2);
            for (int r = 0; r < n2; r++) {
                for (int c = r + 1; c < n2; c++) {
                    one[r * n2 + c] = one[c * n2 + r];
                }
            }
            out[b] = one;
        }
        return out;
    }

    /** C[b] = A[b] B[b] with strided operands (agop_matmul_f32), batch over grid.z. */
    private void matmulF32(DevicePtr c, long sC, int ldc, DevicePtr a, long sA, long sai, long sak, DevicePtr b,
                           long sB, long sbk, long sbj, int rows, int cols, int k, int batch) {
        device.launch("agop_matmul_f32", new Dim3(Launches.blocks((long) rows * cols, THREADS), 1, batch),
                Dim3.of(THREADS), 0, KernelArgs.of().ptr(c).i64(sC).i32(ldc).ptr(a).i64(sA).i64(sai).i64(sak)
                        .ptr(b).i64(sB).i64(sbk).i64(sbj).i32(rows).i32(cols).i32(k).f32(1f).f32(0f));
    }

    /** As {@link #matmulF32} in float64, scaled by alpha. */
    private void matmulF64(DevicePtr c, long sC, int ldc, DevicePtr a, long sA, long sai, long sak, DevicePtr b,
                           long sB, long sbk, long sbj, int rows, int cols, int k, double alpha, int batch) {
        device.launch("agop_matmul_f64", new Dim3(Launches.blocks((long) rows * cols, THREADS), 1, batch),
                Dim3.of(THREADS), 0, KernelArgs.of().ptr(c).i64(sC).i32(ldc).ptr(a).i64(sA).i64(sai).i64(sak)
                        .ptr(b).i64(sB).i64(sbk).i64(sbj).i32(rows).i32(cols).i32(k).f64(alpha).f64(0.0));
    }

    /**
     * gram[b][e] = zhat[b][e]^T zhat[b][e] ([dHat, dHat] from [p, dHat]) for the first {@code count} slots of every
     * checkpoint: gemm.cu's gemm_tn with the checkpoints as its outer batch and the slots as its inner one.
     */
    private void gramOfRows(DevicePtr gram, DevicePtr zhat, int p, int dHat, int batch, int slots, int count) {
        long zSlot = (long) p * dHat;
        long gSlot = (long) dHat * dHat;
        int tile = 64;
        Dim3 grid = new Dim3((dHat + tile - 1) / tile, (dHat + tile - 1) / tile, batch * count);
        device.launch("gemm_tn", grid, Dim3.of(THREADS), 0, KernelArgs.of().i32(dHat).i32(dHat).i32(p)
                .ptr(zhat).i32(dHat).i64(slots * zSlot).i64(zSlot)
                .ptr(zhat).i32(dHat).i64(slots * zSlot).i64(zSlot)
                .ptr(gram).i32(dHat).i64(slots * gSlot).i64(gSlot).i64(0)
                .i32(count).i32(1).i32(p).f32(1f).f32(0f)
                .ptr(null).i32(0).i64(0));
    }
}
