package io.jgrok.model;

import io.jgrok.config.RunConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where each parameter tensor lives in the one flat float32 buffer that holds all weights (and, with the same
 * layout, gradients and Adam moments). Names and shapes are TransformerLens's; tensors are row-major in that
 * orientation. Each tensor starts on a multiple of {@link #ALIGN} floats so that the CUDA kernels can use aligned
 * vector loads; the gaps are zero and stay zero under AdamW (zero gradient, zero moments, zero decay).
 *
 * <p>Layout order: W_E, W_pos, W_Q, W_K, W_V, W_O, W_in, b_in, W_out, b_out, W_U.
 */
public final class ParamLayout {
    /** Alignment of each tensor's start, in floats (256 bytes). */
    public static final int ALIGN = 64;

    public static final String W_E = "embed.W_E";
    public static final String W_POS = "pos_embed.W_pos";
    public static final String W_Q = "blocks.0.attn.W_Q";
    public static final String W_K = "blocks.0.attn.W_K";
    public static final String W_V = "blocks.0.attn.W_V";
    public static final String W_O = "blocks.0.attn.W_O";
    public static final String W_IN = "blocks.0.mlp.W_in";
    public static final String B_IN = "blocks.0.mlp.b_in";
    public static final String W_OUT = "blocks.0.mlp.W_out";
    public static final String B_OUT = "blocks.0.mlp.b_out";
    public static final String W_U = "unembed.W_U";

    /** One named tensor: shape in TransformerLens orientation, offset into the flat buffer. */
    public record Tensor(String name, int[] shape, int offset, int size) {
        public int end() {
            return offset + size;
        }
    }

    public final int p;
    public final int dModel;
    public final int nHeads;
    public final int dHead;
    public final int dMlp;
    public final int vocabIn;
    public final int nOutputs;

    /** Offsets of each tensor, for the hot loops. */
    public final int wE;
    public final int wPos;
    public final int wQ;
    public final int wK;
    public final int wV;
    public final int wO;
    public final int wIn;
    public final int bIn;
    public final int wOut;
    public final int bOut;
    public final int wU;

    private final List<Tensor> tensors;
    private final int totalSize;
    private final long parameterCount;

    public ParamLayout(RunConfig config) {
        this(config.p(), config.dModel(), config.nHeads(), config.dMlp(), config.nOutputs());
    }

    public ParamLayout(int p, int dModel, int nHeads, int dMlp, int nOutputs) {
        this.p = p;
        this.dModel = dModel;
        this.nHeads = nHeads;
        this.dHead = dModel / nHeads;
        this.dMlp = dMlp;
        this.vocabIn = p + 1;
        this.nOutputs = nOutputs;
        List<Tensor> list = new ArrayList<>();
        int[] cursor = {0};
        wE = add(list, cursor, W_E, vocabIn, dModel);
        wPos = add(list, cursor, W_POS, 3, dModel);
        wQ = add(list, cursor, W_Q, nHeads, dModel, dHead);
        wK = add(list, cursor, W_K, nHeads, dModel, dHead);
        wV = add(list, cursor, W_V, nHeads, dModel, dHead);
        wO = add(list, cursor, W_O, nHeads, dHead, dModel);
        wIn = add(list, cursor, W_IN, dModel, dMlp);
        bIn = add(list, cursor, B_IN, dMlp);
        wOut = add(list, cursor, W_OUT, dMlp, dModel);
        bOut = add(list, cursor, B_OUT, dModel);
        wU = add(list, cursor, W_U, dModel, nOutputs);
        this.tensors = Collections.unmodifiableList(list);
        this.totalSize = cursor[0];
        long count = 0;
        for (Tensor t : list) {
            count += t.size();
        }
        this.parameterCount = count;
    }

    private static int add(List<Tensor> list, int[] cursor, String name, int... shape) {
        int size = 1;
        for (int s : shape) {
            size = Math.multiplyExact(size, s);
        }
        int offset = cursor[0];
        list.add(new Tensor(name, shape.clone(), offset, size));
        cursor[0] = Math.addExact(offset, (size + ALIGN - 1) / ALIGN * ALIGN);
        return offset;
    }

    /** Tensors in buffer order. */
    public List<Tensor> tensors() {
        return tensors;
    }

    public Tensor tensor(String name) {
        for (Tensor t : tensors) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no parameter named " + name);
    }

    /** Length of the flat buffer, including alignment gaps. */
    public int size() {
        return totalSize;
    }

    /** Number of model parameters (226,816 at the paper's config). */
    public long parameterCount() {
        return parameterCount;
    }

    /** Copies one tensor out of a flat buffer. */
    public float[] extract(float[] buffer, String name) {
        Tensor t = tensor(name);
        float[] out = new float[t.size()];
        System.arraycopy(buffer, t.offset(), out, 0, t.size());
        return out;
    }

    /** Sum of squares over every parameter (biases included), in double. */
    public double sumOfSquares(float[] buffer) {
        double s = 0;
        for (Tensor t : tensors) {
            for (int i = t.offset(); i < t.end(); i++) {
                s += (double) buffer[i] * buffer[i];
            }
        }
        return s;
    }
}
