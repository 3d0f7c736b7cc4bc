package io.jgrok.engine;

import io.jgrok.TestConfigs;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.io.History;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The softmax-collapse measure of an engine's history on hand-built logits at the float32 and float64 edges. The
 * weights are zero except the {@code =} embedding (e_0) and row 0 of W_U, so every example's logits are exactly that
 * row, z; an example has collapsed when its label's logit is the strict maximum and 1 + sum_{j != y}
 * exp(z_j - z_y), summed exactly and rounded once, equals 1 in the precision. The expected fractions come from that
 * definition evaluated here with Math.exp and Java's own float and double rounding, independently of the engines.
 * Each case puts a gap one float32 step either side of 24 ln 2 (float32 edge) or 53 ln 2 (float64 edge), or sums
 * several terms that float32 would absorb one at a time but not together. Runs on the CPU engine, the emulated
 * device and (when present) a GPU.
 */
public abstract class SoftmaxCollapseContract {
    private static final double F32_GAP = 24 * Math.log(2);
    private static final double F64_GAP = 53 * Math.log(2);
    private static final float FAR = -1000f;

    private final RunConfig config = TestConfigs.with(TestConfigs.small(7, 8, 2, 16), b -> {
        b.lr = 0;
        b.threads = 1;
    });
    private final ParamLayout layout = new ParamLayout(config);
    private final Split split = Split.of(config);
    /** The label most frequent in the train set, so that its examples make a sizeable fraction. */
    private final int c = mostFrequentLabel();

    protected abstract Engine openEngine(RunConfig config, Split split);

    private int mostFrequentLabel() {
        int[] counts = new int[config.p()];
        for (int idx : split.train()) {
            counts[Split.label(idx, config.p())]++;
        }
        int best = 0;
        for (int y = 1; y < counts.length; y++) {
            best = counts[y] > counts[best] ? y : best;
        }
        return best;
    }

    /** Logits with the label class c at {@code top} and every other logit (the '=' one too) far below. */
    private float[] logits(float top) {
        float[] z = new float[config.nOutputs()];
        Arrays.fill(z, top + FAR);
        z[c] = top;
        return z;
    }

    /** The collapse fractions (float32, float64) the engine records for logits z on every example. */
    private double[] measured(float[] z) {
        float[] params = new float[layout.size()];
        params[layout.wE + config.p() * config.dModel()] = 1f;  // the '=' token's embedding: e_0
        System.arraycopy(z, 0, params, layout.wU, z.length);  // W_U row 0: logits = e_0 W_U = z
        History h = new History();
        try (Engine engine = openEngine(config, split)) {
            engine.setState(TrainingState.fresh(params));
            engine.runEpochs(0, 1, h);
        }
        return new double[] {h.collapsedF32(0), h.collapsedF64(0)};
    }

    /** The definition, from the float32 logits: fractions of the train examples collapsed in float32 and float64. */
    private double[] expected(float[] z) {
        int n32 = 0;
        int n64 = 0;
        for (int idx : split.train()) {
            int y = Split.label(idx, config.p());
            boolean strictMax = true;
            double others = 0;
            for (int j = 0; j < z.length; j++) {
                if (j != y) {
                    strictMax &= z[j] < z[y];
                    others += Math.exp((double) z[j] - z[y]);
                }
            }
            if (strictMax && (float) (1.0 + others) == 1f) {
                n32++;
            }
            if (strictMax && 1.0 + others == 1.0) {
                n64++;
            }
        }
        return new double[] {(double) n32 / split.trainSize(), (double) n64 / split.trainSize()};
    }

    private void check(String what, float[] z, double expectF32, double expectF64) {
        double[] want = expected(z);
        assertEquals(expectF32, want[0], 1e-15, what + ": the test's own float32 expectation");
        assertEquals(expectF64, want[1], 1e-15, what + ": the test's own float64 expectation");
        double[] got = measured(z);
        assertEquals(want[0], got[0], 0.0, what + ": float32 collapse fraction");
        assertEquals(want[1], got[1], 0.0, what + ": float64 collapse fraction");
    }

    private double fractionOfLabel(int label) {
        return Arrays.stream(split.train()).filter(i -> Split.label(i, config.p()) == label).count()
                / (double) split.trainSize();
    }

    @Test
    void float32Edge() {
        double share = fractionOfLabel(c);
        assertTrue(share > 0, "label " + c + " occurs in the train set");
        for (float top : new float[] {0f, 30f, -5f}) {
            float[] inside = logits(top);
            inside[(c + 1) % config.p()] = top - Math.nextUp((float) F32_GAP);
            check("gap just above 24 ln 2, top logit " + top, inside, share, 0);
            float[] outside = logits(top);
            outside[(c + 1) % config.p()] = top - Math.nextDown((float) F32_GAP);
            check("gap just below 24 ln 2, top logit " + top, outside, 0, 0);
        }
    }

    @Test
    void float64Edge() {
        double share = fractionOfLabel(c);
        float[] inside = logits(0f);
        inside[(c + 2) % config.p()] = -Math.nextUp((float) F64_GAP);
        check("gap just above 53 ln 2", inside, share, share);
        float[] outside = logits(0f);
        outside[(c + 2) % config.p()] = -Math.nextDown((float) F64_GAP);
        check("gap just below 53 ln 2", outside, share, 0);
    }

    @Test
    void termsThatFloat32WouldAbsorbOneByOneStillCount() {
        // Four terms of 0.4 * 2^-24 each: added to 1 one at a time in float32 each would vanish, but their exact sum,
        // 1.6 * 2^-24, is above the rounding limit: not collapsed.
        float gap = (float) (F32_GAP - Math.log(0.4));
        float[] z = logits(0f);
        for (int k = 1; k <= 4; k++) {
            z[(c + k) % config.p()] = -gap;
        }
        check("four terms of 0.4 * 2^-24", z, 0, 0);
        float[] single = logits(0f);
        single[(c + 1) % config.p()] = -gap;
        check("one term of 0.4 * 2^-24", single, fractionOfLabel(c), 0);
    }

    @Test
    void onlyExamplesWhoseOwnLabelDominatesCount() {
        int d = (c + 3) % config.p();
        float[] z = logits(0f);
        z[d] = 40f;  // label d dominates by 40 (>= 53 ln 2 would be float64 collapse; 40 > 36.7 is)
        check("another class on top: its examples collapse, c's do not", z, fractionOfLabel(d), fractionOfLabel(d));
        float[] tie = logits(0f);
        tie[(c + 1) % config.p()] = 0f;
        check("two classes tied on top", tie, 0, 0);
        float[] equalsOnTop = logits(0f);
        equalsOnTop[config.p()] = 50f;  // the '=' logit is part of the softmax
        check("the '=' logit on top", equalsOnTop, 0, 0);
    }
}
