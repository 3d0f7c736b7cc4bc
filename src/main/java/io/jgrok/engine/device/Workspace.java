package io.jgrok.engine.device;

import io.jgrok.config.GrokfastMode;
import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;

import java.util.EnumMap;
import java.util.Map;

/**
 * The device memory of N same-shaped models: one "slab" per model, slab z starting {@link #stride()} 4-byte words
 * after slab z-1, every buffer at the same offset inside each slab. Kernels take pointers into slab 0 and the stride
 * (model_common.cuh), so one launch serves all N models. Offsets are multiples of 64 words (256 bytes), so every
 * buffer is aligned for vector loads and float64 buffers for 8-byte access.
 */
final class Workspace implements AutoCloseable {
    /** What a workspace holds: N models, the example capacity, and whether it trains (gradients, optimiser). */
    record Spec(Shape shape, int models, int examples, int trainExamples, boolean training, GrokfastMode grokfast,
                int grokfastWindow, int ringRows) {
        Spec {
            if (models < 1 || examples < 1 || trainExamples < 0 || trainExamples > examples || ringRows < 1) {
                throw new IllegalArgumentException("bad workspace spec " + models + " models, " + examples + "/"
                        + trainExamples + " examples, " + ringRows + " ring rows");
            }
        }
    }

    /** The buffers of one model (word counts in {@link #words}). */
    enum Buf {
        PARAMS, GRAD, ADAM_M, ADAM_V, GF_MU, GF_RING, LAYOUT, EXAMPLES, ROW_START, ROW_ITEMS,
        X, WVCAT, WINU, Q, KQ, S, V, WOX, WOU, T, CB,
        ALPHA, PRE, LOGITS, LOSS, CORRECT, COLLAPSED,
        DACT, DS, DT, DSCORES, PART, DWOU, DWOX, DV, DWO, DWINU, DWOUT, DWU2, DWVCAT, DXV, DKQ, DQ, DXEQ, DBOUT,
        RING, SCHEDULE, STATE, INFO
    }

    /**
     * Float64 values per ring row (model_common.cuh's RING_WIDTH): train loss, train accuracy, test loss, test
     * accuracy, and the train rows' float32 and float64 softmax-collapse fractions.
     */
    static final int RING_WIDTH = 6;

    /** Rows of the train set per split-K slice (a multiple of the GEMM's K step, 32). */
    static final int SPLIT_ROWS = 256;

    private static final int ALIGN_WORDS = 64;

    private final Device device;
    private final Spec spec;
    private final Map<Buf, long[]> placement = new EnumMap<>(Buf.class);  // {offset, words}
    private final long stride;
    private final DevicePtr base;

    Workspace(Device device, Spec spec) {
        this.device = device;
        this.spec = spec;
        long cursor = 0;
        for (Buf b : Buf.values()) {
            long words = Math.max(1, words(b));
            placement.put(b, new long[] {cursor, words});
            cursor += (words + ALIGN_WORDS - 1) / ALIGN_WORDS * ALIGN_WORDS;
        }
        this.stride = cursor;
        this.base = device.alloc(4L * stride * spec.models());
        try {
            // NaN everywhere (0xFF bytes) before anything is written, on a GPU as on the emulator (which poisons
            // every allocation): an element a kernel forgets to write then shows up as NaN, never as plausible
            // bits left over from an earlier run.
            device.memset(base, 0xFF, 4L * stride * spec.models());
            int[] layout = spec.shape().layoutTable();
            for (int z = 0; z < spec.models(); z++) {
                device.copyToDevice(at(Buf.LAYOUT, z), layout, 0, layout.length);
                device.copyToDevice(at(Buf.STATE, z), new int[4], 0, 4);
                device.copyToDevice(at(Buf.INFO, z), new int[4], 0, 4);
            }
        } catch (RuntimeException e) {
            device.free(base);
            throw e;
        }
    }

    Spec spec() {
        return spec;
    }

    Shape shape() {
        return spec.shape();
    }

    int models() {
        return spec.models();
    }

    /** Words between one model's slab and the next. */
    long stride() {
        return stride;
    }

    /** Number of split-K slices for reductions over {@code n} train rows. */
    static int splits(int n) {
        return Math.max(1, (n + SPLIT_ROWS - 1) / SPLIT_ROWS);
    }

    /** Buffer {@code b} of model 0: the pointer kernels take. */
    DevicePtr ptr(Buf b) {
        return at(b, 0);
    }

    /** Buffer {@code b} of model {@code z}, exactly as long as the buffer. */
    DevicePtr at(Buf b, int z) {
        if (z < 0 || z >= spec.models()) {
            throw new IndexOutOfBoundsException("model " + z + " of " + spec.models());
        }
        long[] p = placement.get(b);
        return new DevicePtr(base.address() + 4L * (z * stride + p[0]), 4L * p[1]);
    }

    /** Words reserved for buffer {@code b} in every slab. */
    long words(Buf b) {
        Shape s = spec.shape();
        long n = spec.examples();
        long nt = spec.trainExamples();
        long d = s.d();
        long h = s.heads();
        long m = s.dMlp();
        long v = s.nOut();
        long w = s.width();
        long rows = s.rows();
        long size = s.size();
        boolean tr = spec.training();
        return switch (b) {
            case PARAMS -> size;
            case GRAD, ADAM_M, ADAM_V -> tr ? size : 0;
            case GF_MU -> tr && spec.grokfast() == GrokfastMode.EMA ? size : 0;
            case GF_RING -> tr && spec.grokfast() == GrokfastMode.MA ? size * spec.grokfastWindow() : 0;
            case LAYOUT -> 12;
            case EXAMPLES -> n;
            case ROW_START -> 2L * s.p() + 1;
            case ROW_ITEMS -> 2 * nt;
            case X, V -> rows * d;
            case WVCAT -> d * d;
            case WINU, WOX -> d * w;
            case Q -> d;
            case KQ -> d * h;
            case S -> rows * h;
            case WOU -> m * v;
            case T -> (long) s.slots() * w;
            case CB -> w;
            case ALPHA -> n * h * 3;
            case PRE -> n * m;
            case LOGITS -> n * v;
            case LOSS -> 2 * n;
            case CORRECT, COLLAPSED -> n;
            case DACT -> tr ? nt * w : 0;
            case DS -> tr ? nt * h * 3 : 0;
            case DT -> tr ? (s.slots() + 1L) * w : 0;
            case DSCORES -> tr ? rows * h : 0;
            case PART -> tr ? splits((int) nt) * Math.max(m * v, (h + 1) * w) : 0;
            case DWOU -> tr ? m * v : 0;
            case DWOX, DWINU -> tr ? d * w : 0;
            case DV, DXV -> tr ? rows * d : 0;
            case DWO, DWVCAT -> tr ? d * d : 0;
            case DWOUT -> tr ? m * d : 0;
            case DWU2 -> tr ? d * v : 0;
            case DKQ -> tr ? d * h : 0;
            case DQ, DXEQ, DBOUT -> tr ? d : 0;
            case RING -> 2L * RING_WIDTH * spec.ringRows();
            case SCHEDULE -> 16L * spec.ringRows();
            case STATE, INFO -> 4;
        };
    }

    /** Bytes of device memory in all slabs. */
    long bytes() {
        return 4L * stride * spec.models();
    }

    @Override
    public void close() {
        device.free(base);
    }
}
