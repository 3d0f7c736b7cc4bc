package io.jgrok.torch;

import io.jgrok.UserError;
import io.jgrok.model.ParamLayout;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * State dicts of the one-layer grokking transformer in the two orientations in circulation, and their conversion
 * to and from jgrok's flat parameter buffer ({@link ParamLayout}, TransformerLens's orientation):
 * <pre>
 *   name                 paper (progress-measures-paper)   TransformerLens (and jgrok)
 *   embed.W_E            [d_model, p+1]                    [p+1, d_model]
 *   pos_embed.W_pos      [3, d_model]                      [3, d_model]
 *   blocks.0.attn.W_Q/K/V [H, d_head, d_model]             [H, d_model, d_head]
 *   blocks.0.attn.W_O    [d_model, H*d_head] (head-major)  [H, d_head, d_model]
 *   blocks.0.mlp.W_in    [d_mlp, d_model]                  [d_model, d_mlp]
 *   blocks.0.mlp.b_in    [d_mlp]                           [d_mlp]
 *   blocks.0.mlp.W_out   [d_model, d_mlp]                  [d_mlp, d_model]
 *   blocks.0.mlp.b_out   [d_model]                         [d_model]
 *   unembed.W_U          [d_model, n_out]                  [d_model, n_out]
 *   buffers              attn.mask (float causal mask)     attn.mask (bool), attn.IGNORE
 *   zero biases          none                              attn.b_Q/b_K/b_V [H, d_head], attn.b_O, unembed.b_U
 * </pre>
 * The orientation is told by W_O's rank (2 in the paper's, 3 in TransformerLens's), the only tensor whose shape
 * differs for every model size. Paper orientation applies weights on the left (W x), TransformerLens's on the right.
 */
public final class StateDicts {
    public enum Orientation {
        PAPER("paper"), TRANSFORMER_LENS("transformer-lens");

        public final String label;

        Orientation(String label) {
            this.label = label;
        }
    }

    /** The model a state dict holds. */
    public record Shape(int p, int dModel, int nHeads, int dMlp, int nOutputs) {
        public int dHead() {
            return dModel / nHeads;
        }

        public ParamLayout layout() {
            return new ParamLayout(p, dModel, nHeads, dMlp, nOutputs);
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "p %d, d_model %d, %d heads, d_mlp %d, %d outputs", p, dModel,
                    nHeads, dMlp, nOutputs);
        }
    }

    static final String MASK = "blocks.0.attn.mask";
    static final String IGNORE = "blocks.0.attn.IGNORE";
    static final List<String> ZERO_BIASES = List.of("blocks.0.attn.b_Q", "blocks.0.attn.b_K", "blocks.0.attn.b_V",
            "blocks.0.attn.b_O", "unembed.b_U");
    /** jgrok's parameters, in ParamLayout's order. */
    static final List<String> PARAMS = List.of(ParamLayout.W_E, ParamLayout.W_POS, ParamLayout.W_Q, ParamLayout.W_K,
            ParamLayout.W_V, ParamLayout.W_O, ParamLayout.W_IN, ParamLayout.B_IN, ParamLayout.W_OUT,
            ParamLayout.B_OUT, ParamLayout.W_U);

    private StateDicts() {
    }

    /** Whether {@code o} looks like a state dict of this model (a map holding embed.W_E). */
    public static boolean isStateDict(Object o) {
        return o instanceof Map<?, ?> m && m.get(ParamLayout.W_E) instanceof TorchTensor;
    }

    public static Orientation orientation(Map<?, ?> sd, String where) {
        TorchTensor wO = tensor(sd, ParamLayout.W_O, where);
        return switch (wO.rank()) {
            case 2 -> Orientation.PAPER;
            case 3 -> Orientation.TRANSFORMER_LENS;
            default -> throw new UserError(where + ": " + ParamLayout.W_O + " has shape " + Arrays.toString(wO.shape())
                    + ", which fits neither the paper's [d_model, heads*d_head] nor TransformerLens's "
                    + "[heads, d_head, d_model]");
        };
    }

    /** The model's sizes, from the tensors; every tensor's shape and dtype is checked against them. */
    public static Shape shape(Map<?, ?> sd, Orientation o, String where) {
        for (Object key : sd.keySet()) {
            String name = String.valueOf(key);
            if (!PARAMS.contains(name) && !name.equals(MASK) && !(o == Orientation.TRANSFORMER_LENS
                    && (name.equals(IGNORE) || ZERO_BIASES.contains(name)))) {
                throw new UserError(where + ": tensor '" + name + "' does not belong to the one-layer grokking "
                        + "transformer in " + o.label + " orientation (it has " + String.join(", ", PARAMS)
                        + (o == Orientation.PAPER ? ", and the buffer " + MASK : ", zero biases "
                        + String.join(", ", ZERO_BIASES) + " and the buffers " + MASK + ", " + IGNORE) + ")");
            }
        }
        TorchTensor wE = tensor(sd, ParamLayout.W_E, where);
        TorchTensor wQ = tensor(sd, ParamLayout.W_Q, where);
        TorchTensor wIn = tensor(sd, ParamLayout.W_IN, where);
        TorchTensor wU = tensor(sd, ParamLayout.W_U, where);
        boolean paper = o == Orientation.PAPER;
        if (wE.rank() != 2 || wQ.rank() != 3 || wIn.rank() != 2 || wU.rank() != 2) {
            throw new UserError(where + ": W_E, W_Q, W_in and W_U must have ranks 2, 3, 2 and 2, got "
                    + wE.rank() + ", " + wQ.rank() + ", " + wIn.rank() + " and " + wU.rank());
        }
        int dModel = paper ? wE.dim(0) : wE.dim(1);
        int vocab = paper ? wE.dim(1) : wE.dim(0);
        int heads = wQ.dim(0);
        int dHead = paper ? wQ.dim(1) : wQ.dim(2);
        int dMlp = paper ? wIn.dim(0) : wIn.dim(1);
        int p = vocab - 1;
        int nOut = wU.dim(1);
        if (p < 2 || heads < 1 || dHead < 1 || dMlp < 1) {
            throw new UserError(where + ": shapes give no model (vocabulary " + vocab + ", " + heads + " heads of "
                    + dHead + ", d_mlp " + dMlp + ")");
        }
        if (heads * dHead != dModel) {
            throw new UserError(where + ": " + heads + " heads of d_head " + dHead + " do not make d_model " + dModel
                    + "; jgrok's model needs d_head * n_heads = d_model");
        }
        if (nOut != p && nOut != p + 1) {
            throw new UserError(where + ": " + ParamLayout.W_U + " has " + nOut + " outputs; a model of p = " + p
                    + " has " + p + " (TransformerLens demo) or " + (p + 1) + " (the paper's, with '=')");
        }
        Shape s = new Shape(p, dModel, heads, dMlp, nOut);
        for (String name : PARAMS) {
            expect(sd, name, oriented(name, s, o), where);
        }
        if (sd.containsKey(MASK)) {
            checkMask(tensor(sd, MASK, where), where);
        }
        if (!paper) {
            for (String name : ZERO_BIASES) {
                if (sd.containsKey(name)) {
                    TorchTensor b = tensor(sd, name, where);
                    int[] want = name.equals("unembed.b_U") ? new int[] {nOut}
                            : name.equals("blocks.0.attn.b_O") ? new int[] {dModel} : new int[] {heads, dHead};
                    expect(sd, name, want, where);
                    for (float x : b.floats()) {
                        if (x != 0f) {
                            throw new UserError(where + ": " + name + " is non-zero, but jgrok's model has no such "
                                    + "bias (only " + ParamLayout.B_IN + " and " + ParamLayout.B_OUT + ")");
                        }
                    }
                }
            }
        }
        return s;
    }

    /** A tensor's shape in orientation {@code o}. */
    static int[] oriented(String name, Shape s, Orientation o) {
        int[] tl = s.layout().tensor(name).shape();
        if (o == Orientation.TRANSFORMER_LENS) {
            return tl;
        }
        return switch (name) {
            case ParamLayout.W_E, ParamLayout.W_IN, ParamLayout.W_OUT -> new int[] {tl[1], tl[0]};
            case ParamLayout.W_Q, ParamLayout.W_K, ParamLayout.W_V -> new int[] {tl[0], tl[2], tl[1]};
            case ParamLayout.W_O -> new int[] {s.dModel(), s.nHeads() * s.dHead()};
            default -> tl;
        };
    }

    /** jgrok's flat parameter buffer from a state dict (already checked by {@link #shape}). */
    public static float[] toParams(Map<?, ?> sd, Orientation o, Shape s, String where) {
        ParamLayout layout = s.layout();
        float[] out = new float[layout.size()];
        for (String name : PARAMS) {
            putTensor(out, layout, name, tensor(sd, name, where).floats(), s, o);
        }
        return out;
    }

    /** Writes one parameter (or an optimizer moment of it), given in orientation {@code o}, into {@code buffer}. */
    static void putTensor(float[] buffer, ParamLayout layout, String name, float[] data, Shape s, Orientation o) {
        ParamLayout.Tensor t = layout.tensor(name);
        float[] tl = o == Orientation.TRANSFORMER_LENS ? data : toTransformerLens(name, data, s);
        System.arraycopy(tl, 0, buffer, t.offset(), t.size());
    }

    /** A state dict in orientation {@code o} from jgrok's buffer; TransformerLens's gets its zero biases and buffers. */
    public static Map<String, Object> fromParams(float[] params, Shape s, Orientation o) {
        ParamLayout layout = s.layout();
        Map<String, Object> sd = new LinkedHashMap<>();
        boolean tl = o == Orientation.TRANSFORMER_LENS;
        for (String name : PARAMS) {
            float[] data = layout.extract(params, name);
            sd.put(name, TorchTensor.ofFloats(oriented(name, s, o), tl ? data : toPaper(name, data, s)));
            if (tl && name.equals(ParamLayout.W_O)) {
                sd.put("blocks.0.attn.b_Q", zeros(s.nHeads(), s.dHead()));
                sd.put("blocks.0.attn.b_K", zeros(s.nHeads(), s.dHead()));
                sd.put("blocks.0.attn.b_V", zeros(s.nHeads(), s.dHead()));
                sd.put("blocks.0.attn.b_O", zeros(s.dModel()));
            }
        }
        int ctx = 3;
        boolean[] causal = new boolean[ctx * ctx];
        float[] causalFloat = new float[ctx * ctx];
        for (int q = 0; q < ctx; q++) {
            for (int k = 0; k <= q; k++) {
                causal[q * ctx + k] = true;
                causalFloat[q * ctx + k] = 1f;
            }
        }
        if (tl) {
            sd.put("unembed.b_U", zeros(s.nOutputs()));
            // TransformerLens 1.x-2.x shapes; later versions replace a saved mask of another shape by their own.
            sd.put(MASK, TorchTensor.ofBools(new int[] {ctx, ctx}, causal));
            sd.put(IGNORE, TorchTensor.ofFloats(new int[0], new float[] {Float.NEGATIVE_INFINITY}));
        } else {
            sd.put(MASK, TorchTensor.ofFloats(new int[] {ctx, ctx}, causalFloat));
        }
        return sd;
    }

    private static TorchTensor zeros(int... shape) {
        return TorchTensor.ofFloats(shape, new float[(int) TorchTensor.numel(shape)]);
    }

    static float[] toTransformerLens(String name, float[] d, Shape s) {
        return switch (name) {
            case ParamLayout.W_E -> transpose(d, s.dModel(), s.p() + 1);
            case ParamLayout.W_IN -> transpose(d, s.dMlp(), s.dModel());
            case ParamLayout.W_OUT -> transpose(d, s.dModel(), s.dMlp());
            case ParamLayout.W_Q, ParamLayout.W_K, ParamLayout.W_V -> batchedTranspose(d, s.nHeads(), s.dHead(),
                    s.dModel());
            // [d_model, H*d_head] -> its transpose [H*d_head, d_model] is [H, d_head, d_model] row-major.
            case ParamLayout.W_O -> transpose(d, s.dModel(), s.nHeads() * s.dHead());
            default -> d.clone();
        };
    }

    static float[] toPaper(String name, float[] d, Shape s) {
        return switch (name) {
            case ParamLayout.W_E -> transpose(d, s.p() + 1, s.dModel());
            case ParamLayout.W_IN -> transpose(d, s.dModel(), s.dMlp());
            case ParamLayout.W_OUT -> transpose(d, s.dMlp(), s.dModel());
            case ParamLayout.W_Q, ParamLayout.W_K, ParamLayout.W_V -> batchedTranspose(d, s.nHeads(), s.dModel(),
                    s.dHead());
            case ParamLayout.W_O -> transpose(d, s.nHeads() * s.dHead(), s.dModel());
            default -> d.clone();
        };
    }

    /** [rows, cols] row-major to [cols, rows]. */
    static float[] transpose(float[] d, int rows, int cols) {
        float[] out = new float[d.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = d[r * cols + c];
            }
        }
        return out;
    }

    private static float[] batchedTranspose(float[] d, int batch, int rows, int cols) {
        float[] out = new float[d.length];
        int n = rows * cols;
        for (int b = 0; b < batch; b++) {
            float[] one = transpose(Arrays.copyOfRange(d, b * n, (b + 1) * n), rows, cols);
            System.arraycopy(one, 0, out, b * n, n);
        }
        return out;
    }

    static TorchTensor tensor(Map<?, ?> sd, String name, String where) {
        Object o = sd.get(name);
        if (o == null) {
            throw new UserError(where + " has no tensor " + name + " (a state dict of the grokking transformer "
                    + "has " + String.join(", ", PARAMS) + ")");
        }
        if (!(o instanceof TorchTensor t)) {
            throw new UserError(where + ": " + name + " is a " + TorchUnpickler.typeName(o) + ", not a tensor");
        }
        return t;
    }

    private static void expect(Map<?, ?> sd, String name, int[] shape, String where) {
        TorchTensor t = tensor(sd, name, where);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new UserError(where + ": " + name + " has shape " + Arrays.toString(t.shape()) + " but the other "
                    + "tensors make it " + Arrays.toString(shape));
        }
        if (t.dtype() != Dtype.FLOAT32) {
            throw new UserError(where + ": " + name + " is " + t.dtype() + "; jgrok imports float32 weights");
        }
    }

    /** The attention mask must be the causal one (ones on and below the diagonal); an empty placeholder is fine. */
    private static void checkMask(TorchTensor mask, String where) {
        if (mask.numel() == 0) {
            return;
        }
        if (mask.rank() != 2 || mask.dim(0) != 3 || mask.dim(1) != 3) {
            throw new UserError(where + ": " + MASK + " has shape " + Arrays.toString(mask.shape()) + "; the model "
                    + "reads 3 tokens [a, b, =], so it must be [3, 3]");
        }
        double[] v = new double[9];
        if (mask.dtype() == Dtype.FLOAT32) {
            float[] f = mask.floats();
            for (int i = 0; i < 9; i++) {
                v[i] = f[i];
            }
        } else {
            long[] l = mask.longs();
            for (int i = 0; i < 9; i++) {
                v[i] = l[i];
            }
        }
        for (int q = 0; q < 3; q++) {
            for (int k = 0; k < 3; k++) {
                if (v[q * 3 + k] != (k <= q ? 1 : 0)) {
                    throw new UserError(where + ": " + MASK + " is not the causal mask (ones on and below the "
                            + "diagonal); jgrok's model attends causally");
                }
            }
        }
    }
}
