package io.jgrok.engine.device;

import io.jgrok.check.DeviceCheck;
import io.jgrok.check.Verdict;
import io.jgrok.config.GradProjection;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.RunConfig;
import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;
import io.jgrok.engine.device.Workspace.Buf;
import io.jgrok.model.ParamLayout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.jgrok.Tolerances.FLOAT32_ABS_FLOOR;
import static io.jgrok.Tolerances.FLOAT32_REL;
import static io.jgrok.Tolerances.FLOAT64_REL;
import static io.jgrok.Tolerances.relativeError;
import static io.jgrok.engine.device.KernelFixture.MODELS;
import static io.jgrok.engine.device.KernelFixture.N;
import static io.jgrok.engine.device.KernelFixture.N_TRAIN;

/**
 * Every training kernel alone against a plain float64 reference written here, on fresh random inputs in a
 * workspace of two models (so that each kernel's model stride is exercised and the models' results must differ),
 * with every output poisoned (0xFF bytes: NaN, or -1 as int) before the launch so that an unwritten element fails,
 * and with elements a kernel must not write checked to still hold the poison. Shapes are small and odd (p = 7,
 * d_model 16, 2 heads of 8, d_mlp 24, 8 logits; 30 examples of which 21 train) so that every bounds check and
 * partial tile is hit ({@link KernelFixture}). The optimiser kernel is compared bit for bit with the Java AdamW and
 * Grokfast ({@link OptimiserTwin}). Run by KernelTest (the emulated device always, a GPU when there is one) and by
 * {@code jgrok gpu-check}.
 */
public final class KernelChecks implements AutoCloseable {
    private final KernelFixture fx;
    private final Verdict verdict;
    private final KernelVariants variants;
    private ModelPasses passes;
    // Short names for the fixture's parts, as the checks use them.
    private final Device device;
    private final Shape s;
    private final ParamLayout layout;
    private final Random rnd;
    private final int[][] examples;

    /** Every kernel check, in the order of the epoch (one per GEMM variant and Grokfast mode). */
    public static List<DeviceCheck> all() {
        List<DeviceCheck> checks = new ArrayList<>();
        checks.add(check("tables_inputs copies embeddings and permutes weights",
                KernelChecks::tablesInputsCopyEmbeddingsAndPermuteWeights));
        checks.add(check("tables_attention: query-key product and scores",
                KernelChecks::tablesAttentionComputesQueryKeyProductAndScores));
        checks.add(check("tables_fold folds the '=' rows into the constants",
                KernelChecks::tablesFoldFoldsTheEqualsRowsIntoTheConstants));
        for (GemmCase c : GemmCase.values()) {
            checks.add(check("GEMM " + c + " (" + c.kernel + ") against a float64 product",
                    k -> k.gemmMatchesFloat64Product(c)));
        }
        checks.add(check("forward_gather: attention and table rows",
                KernelChecks::forwardGatherComputesAttentionAndGathersTableRows));
        checks.add(check("cross_entropy: loss, accuracy and train gradients",
                KernelChecks::crossEntropyLossAccuracyAndTrainGradients));
        checks.add(check("loss_reduce: the counter's ring row, NaN for skipped segments",
                KernelChecks::lossReduceWritesTheCounterRowAndNaNForSkippedSegments));
        checks.add(check("backward_scores: softmax backward of the folded tables",
                KernelChecks::backwardScoresIsTheSoftmaxBackwardOfTheFoldedTables));
        checks.add(check("backward_scatter + column_sums: every token row's gradient",
                KernelChecks::scatterAndColumnSumsGiveEveryTokenRowsGradient));
        checks.add(check("backward_query: score gradients back to the query",
                KernelChecks::backwardQueryPullsScoreGradientsBackToTheQuery));
        checks.add(check("backward_embed + backward_assemble write every gradient element once",
                KernelChecks::embedAndAssembleWriteEveryGradientElementOnce));
        // Every other version of a kernel (KernelVariants) against the same float64 reference.
        for (KernelVariants.Kernel k : KernelVariants.Kernel.values()) {
            for (String version : k.versions().subList(1, k.versions().size())) {
                KernelVariants variants = new KernelVariants(java.util.Map.of(k, version));
                String name = k.kernelOf(version);
                Body body = switch (k) {
                    case TABLES_ATTENTION -> KernelChecks::tablesAttentionComputesQueryKeyProductAndScores;
                    case COLUMN_SUMS -> KernelChecks::scatterAndColumnSumsGiveEveryTokenRowsGradient;
                    case BACKWARD_QUERY -> KernelChecks::backwardQueryPullsScoreGradientsBackToTheQuery;
                };
                checks.add(check(name + " (" + k.kernelName() + ", version " + version + ") against the float64 "
                        + "reference", variants, body));
            }
        }
        for (GrokfastMode mode : GrokfastMode.values()) {
            checks.add(check("adamw_step + epoch_advance bit-identical to the Java optimiser, Grokfast " + mode,
                    k -> k.optimizerStepIsBitIdenticalToTheJavaOptimiser(mode)));
        }
        return checks;
    }

    private interface Body {
        void run(KernelChecks k);
    }

    private static DeviceCheck check(String name, Body body) {
        return check(name, KernelVariants.DEFAULTS, body);
    }

    private static DeviceCheck check(String name, KernelVariants variants, Body body) {
        return DeviceCheck.of(name, (target, verdict) -> {
            try (KernelChecks k = new KernelChecks(target.device(), verdict, variants)) {
                body.run(k);
            }
        });
    }

    private KernelChecks(Device device, Verdict verdict, KernelVariants variants) {
        this.fx = new KernelFixture(device, 4242);
        this.verdict = verdict;
        this.variants = variants;
        this.device = device;
        this.s = fx.s;
        this.layout = fx.layout;
        this.rnd = fx.rnd;
        this.examples = fx.examples;
        passes = new ModelPasses(fx.open(GrokfastMode.NONE, 1, 4), Launcher.plain(device), variants);
        fx.drawExamples();
    }

    @Override
    public void close() {
        fx.close();
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private float[] random(int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (scale * rnd.nextGaussian());
        }
        return x;
    }

    /** Fresh random values in buffer b of every model (its first n words); returns them per model. */
    private float[][] fill(Buf b, int n, double scale) {
        float[][] out = new float[MODELS][];
        for (int z = 0; z < MODELS; z++) {
            out[z] = random(n, scale);
            device.copyToDevice(fx.at(b, z), out[z], 0, n);
        }
        return out;
    }

    /** Random parameters with zero gaps, per model. */
    private float[][] fillParams() {
        float[][] out = new float[MODELS][];
        for (int z = 0; z < MODELS; z++) {
            out[z] = io.jgrok.engine.cpu.RandomWeights.floats(layout, rnd, 0.8);
            device.copyToDevice(fx.at(Buf.PARAMS, z), out[z], 0, out[z].length);
        }
        return out;
    }

    private void assertClose(String what, double[] expected, float[] actual) {
        verdict.equal(what + " length", expected.length, actual.length);
        for (int i = 0; i < actual.length; i++) {
            verdict.isTrue(what + " element " + i + " not written (" + actual[i] + ")", Float.isFinite(actual[i]));
        }
        verdict.within(what + " (relative error)", relativeError(actual, expected, FLOAT32_ABS_FLOOR), FLOAT32_REL);
    }

    private void assertPoison(String what, float[] values, int from, int to) {
        for (int i = from; i < to; i++) {
            verdict.isTrue(what + " element " + i + " must not be written, holds " + values[i],
                    Float.isNaN(values[i]));
        }
    }

    // ---- tables ------------------------------------------------------------------------------------------------

    private void tablesInputsCopyEmbeddingsAndPermuteWeights() {
        float[][] P = fillParams();
        fx.poison(Buf.X, Buf.WVCAT, Buf.WINU);
        passes.tablesInputs();
        int d = s.d(), p = s.p(), dh = s.dHead(), m = s.dMlp(), v = s.nOut(), w = s.width();
        for (int z = 0; z < MODELS; z++) {
            float[] x = fx.get(Buf.X, z, s.rows() * d);
            for (int r = 0; r < s.rows(); r++) {
                int token = r < p ? r : r < 2 * p ? r - p : p;
                int pos = r < p ? 0 : r < 2 * p ? 1 : 2;
                for (int j = 0; j < d; j++) {
                    verdict.equal("X row " + r, P[z][layout.wE + token * d + j] + P[z][layout.wPos + pos * d + j], x[r * d + j]);
                }
            }
            float[] wv = fx.get(Buf.WVCAT, z, d * d);
            float[] wu = fx.get(Buf.WINU, z, d * w);
            for (int k = 0; k < d; k++) {
                for (int c = 0; c < d; c++) {
                    verdict.equal("WVcat", P[z][layout.wV + ((c / dh) * d + k) * dh + c % dh], wv[k * d + c]);
                }
                for (int c = 0; c < w; c++) {
                    float expected = c < m ? P[z][layout.wIn + k * m + c] : P[z][layout.wU + k * v + c - m];
                    verdict.equal("WinU", expected, wu[k * w + c]);
                }
            }
        }
    }

    private void tablesAttentionComputesQueryKeyProductAndScores() {
        float[][] P = fillParams();
        float[][] X = fill(Buf.X, s.rows() * s.d(), 1.0);
        fx.poison(Buf.Q, Buf.KQ, Buf.S);
        passes.tablesAttention();
        int d = s.d(), h = s.heads(), dh = s.dHead(), eq = 2 * s.p();
        double scale = 1.0 / Math.sqrt(dh);
        for (int z = 0; z < MODELS; z++) {
            double[] q = new double[d];
            for (int c = 0; c < d; c++) {
                for (int k = 0; k < d; k++) {
                    q[c] += (double) X[z][eq * d + k] * P[z][layout.wQ + ((c / dh) * d + k) * dh + c % dh];
                }
            }
            double[] kq = new double[d * h];
            for (int k = 0; k < d; k++) {
                for (int hh = 0; hh < h; hh++) {
                    for (int j = 0; j < dh; j++) {
                        kq[k * h + hh] += scale * P[z][layout.wK + (hh * d + k) * dh + j] * q[hh * dh + j];
                    }
                }
            }
            double[] scores = new double[s.rows() * h];
            for (int r = 0; r < s.rows(); r++) {
                for (int hh = 0; hh < h; hh++) {
                    for (int k = 0; k < d; k++) {
                        scores[r * h + hh] += X[z][r * d + k] * kq[k * h + hh];
                    }
                }
            }
            assertClose("q", q, fx.get(Buf.Q, z, d));
            assertClose("kq", kq, fx.get(Buf.KQ, z, d * h));
            assertClose("scores", scores, fx.get(Buf.S, z, s.rows() * h));
        }
    }

    private void tablesFoldFoldsTheEqualsRowsIntoTheConstants() {
        float[][] P = fillParams();
        float[][] X = fill(Buf.X, s.rows() * s.d(), 1.0);
        float[][] winU = fill(Buf.WINU, s.d() * s.width(), 1.0);
        float[][] T = fill(Buf.T, s.slots() * s.width(), 1.0);
        fx.poison(Buf.CB);
        passes.tablesFold();
        int d = s.d(), h = s.heads(), w = s.width(), m = s.dMlp(), eq = 2 * s.p();
        for (int z = 0; z < MODELS; z++) {
            double[] cb = new double[w];
            double[] folded = new double[s.slots() * w];
            for (int c = 0; c < w; c++) {
                cb[c] = c < m ? P[z][layout.bIn + c] : 0;
                for (int k = 0; k < d; k++) {
                    double x = X[z][eq * d + k] + (c < m ? 0 : P[z][layout.bOut + k]);
                    cb[c] += x * winU[z][k * w + c];
                }
                for (int hh = 0; hh < h; hh++) {
                    cb[c] += T[z][(eq * h + hh) * w + c];
                }
                for (int r = 0; r <= eq; r++) {
                    for (int hh = 0; hh < h; hh++) {
                        int slot = r * h + hh;
                        folded[slot * w + c] = T[z][slot * w + c] - (r < eq ? T[z][(eq * h + hh) * w + c] : 0);
                    }
                }
            }
            assertClose("cb", cb, fx.get(Buf.CB, z, w));
            assertClose("folded T", folded, fx.get(Buf.T, z, s.slots() * w));
        }
    }

    // ---- gemm --------------------------------------------------------------------------------------------------

    /** One gemm.cu kernel on a [batches][rows][cols] layout with padding, against a float64 product. */
    private void gemmMatchesFloat64Product(GemmCase c) {
        int m = 70, n = 45, k = c.splitK ? 300 : 37;
        int outer = 2, inner = c.splitK || c.mask ? 1 : 3;  // split-K and the mask take no inner batch
        int lda = (c.transA ? m : k) + 3;
        int ldb = (c.transB ? k : n) + 5;
        int ldc = n + 2;
        long sAi = (long) lda * (c.transA ? k : m) + 11;
        long sBi = (long) ldb * (c.transB ? n : k) + 7;
        long sCi = (long) ldc * m + 13;
        long sAo = sAi * inner + 17;
        long sBo = sBi * inner + 19;
        long sCo = sCi * inner + 23;
        float[] a = random((int) (sAo * outer), 1.0);
        float[] b = random((int) (sBo * outer), 1.0);
        float[] cInit = random((int) (sCo * outer), 1.0);
        float[] mask = random((int) (sCo * outer), 1.0);
        float beta = c.beta ? 0.5f : 0f;
        float alpha = 1.25f;
        DevicePtr dA = device.alloc(4L * a.length);
        DevicePtr dB = device.alloc(4L * b.length);
        DevicePtr dC = device.alloc(4L * cInit.length);
        DevicePtr dM = device.alloc(4L * mask.length);
        long partStride = (long) ((k + 255) / 256) * m * n;
        DevicePtr part = device.alloc(4L * partStride * outer);
        try {
            device.copyToDevice(dA, a, 0, a.length);
            device.copyToDevice(dB, b, 0, b.length);
            device.copyToDevice(dM, mask, 0, mask.length);
            if (c.beta) {
                device.copyToDevice(dC, cInit, 0, cInit.length);
            } else {
                device.memset(dC, 0xFF, dC.bytes());
            }
            GemmCall call = new GemmCall(c.kernel, m, n, k).a(dA, lda).b(dB, ldb).c(dC, ldc).outer(outer, sAo, sBo, sCo)
                    .inner(inner, sAi, sBi, sCi).alphaBeta(alpha, beta);
            if (c.mask) {
                call.mask(dM, ldc, sCo);  // the mask shares C's layout here
            }
            if (c.splitK) {
                call.splitK(256, part, partStride);
            }
            call.launch(Launcher.plain(device), "test");
            float[] out = new float[cInit.length];
            device.copyToHost(out, 0, dC, out.length);
            for (int o = 0; o < outer; o++) {
                for (int in = 0; in < inner; in++) {
                    double[] expected = new double[m * n];
                    float[] actual = new float[m * n];
                    long aBase = o * sAo + in * sAi;
                    long bBase = o * sBo + in * sBi;
                    long cBase = o * sCo + in * sCi;
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double acc = 0;
                            for (int kk = 0; kk < k; kk++) {
                                double av = c.transA ? a[(int) (aBase + (long) kk * lda + i)]
                                        : a[(int) (aBase + (long) i * lda + kk)];
                                if (c.reluA) {
                                    av = Math.max(av, 0);
                                }
                                double bv = c.transB ? b[(int) (bBase + (long) j * ldb + kk)]
                                        : b[(int) (bBase + (long) kk * ldb + j)];
                                acc += av * bv;
                            }
                            double e = alpha * acc + beta * cInit[(int) (cBase + (long) i * ldc + j)];
                            if (c.mask && !(mask[(int) (cBase + (long) i * ldc + j)] > 0)) {
                                e = 0;
                            }
                            expected[i * n + j] = e;
                            actual[i * n + j] = out[(int) (cBase + (long) i * ldc + j)];
                        }
                        if (!c.beta) {
                            // The padding columns after each row must keep their poison.
                            verdict.isTrue("padding written", Float.isNaN(out[(int) (cBase + (long) i * ldc + n)]));
                        }
                    }
                    assertClose(c + " batch " + o + "/" + in, expected, actual);
                }
            }
        } finally {
            device.free(dA);
            device.free(dB);
            device.free(dC);
            device.free(dM);
            device.free(part);
        }
    }

    enum GemmCase {
        NN("gemm_nn", false, false, false, false, false, false),
        NT("gemm_nt", false, true, false, false, false, false),
        TN("gemm_tn", true, false, false, false, false, false),
        NN_BETA("gemm_nn", false, false, false, false, true, false),
        NN_RELU_A("gemm_nn_relu_a", false, false, true, false, true, false),
        TN_RELU_A_SPLIT_K("gemm_tn_relu_a", true, false, true, false, false, true),
        TN_SPLIT_K_BETA("gemm_tn", true, false, false, false, true, true),
        NT_MASK("gemm_nt_mask", false, true, false, true, false, false);

        final String kernel;
        final boolean transA;
        final boolean transB;
        final boolean reluA;
        final boolean mask;
        final boolean beta;
        final boolean splitK;

        GemmCase(String kernel, boolean transA, boolean transB, boolean reluA, boolean mask, boolean beta,
                 boolean splitK) {
            this.kernel = kernel;
            this.transA = transA;
            this.transB = transB;
            this.reluA = reluA;
            this.mask = mask;
            this.beta = beta;
            this.splitK = splitK;
        }
    }

    // ---- forward -----------------------------------------------------------------------------------------------

    private void forwardGatherComputesAttentionAndGathersTableRows() {
        float[][] S = fill(Buf.S, s.rows() * s.heads(), 2.0);
        float[][] T = fill(Buf.T, s.slots() * s.width(), 1.0);
        float[][] cb = fill(Buf.CB, s.width(), 1.0);
        fx.poison(Buf.ALPHA, Buf.PRE, Buf.LOGITS);
        int from = 3;
        int to = 27;
        passes.gather(from, to);
        int h = s.heads(), w = s.width(), m = s.dMlp(), v = s.nOut(), p = s.p();
        for (int z = 0; z < MODELS; z++) {
            double[] alpha = new double[(to - from) * h * 3];
            double[] pre = new double[(to - from) * m];
            double[] logits = new double[(to - from) * v];
            for (int i = from; i < to; i++) {
                int a = examples[z][i] / p;
                int b = p + examples[z][i] % p;
                double[] row = new double[w];
                for (int c = 0; c < w; c++) {
                    row[c] = cb[z][c];
                }
                for (int hh = 0; hh < h; hh++) {
                    double e0 = Math.exp(S[z][a * h + hh]);
                    double e1 = Math.exp(S[z][b * h + hh]);
                    double e2 = Math.exp(S[z][2 * p * h + hh]);
                    double sum = e0 + e1 + e2;
                    int o = ((i - from) * h + hh) * 3;
                    alpha[o] = e0 / sum;
                    alpha[o + 1] = e1 / sum;
                    alpha[o + 2] = e2 / sum;
                    for (int c = 0; c < w; c++) {
                        row[c] += alpha[o] * T[z][(a * h + hh) * w + c] + alpha[o + 1] * T[z][(b * h + hh) * w + c];
                    }
                }
                System.arraycopy(row, 0, pre, (i - from) * m, m);
                System.arraycopy(row, m, logits, (i - from) * v, v);
            }
            float[] gotAlpha = fx.get(Buf.ALPHA, z, N * h * 3);
            float[] gotPre = fx.get(Buf.PRE, z, N * m);
            float[] gotLogits = fx.get(Buf.LOGITS, z, N * v);
            assertClose("alpha", alpha, Arrays.copyOfRange(gotAlpha, from * h * 3, to * h * 3));
            assertClose("pre", pre, Arrays.copyOfRange(gotPre, from * m, to * m));
            assertClose("logits", logits, Arrays.copyOfRange(gotLogits, from * v, to * v));
            assertPoison("pre before the rows", gotPre, 0, from * m);
            assertPoison("logits after the rows", gotLogits, to * v, N * v);
        }
    }

    private void crossEntropyLossAccuracyAndTrainGradients() {
        int v = s.nOut(), w = s.width(), m = s.dMlp(), p = s.p();
        float[][] logits = fill(Buf.LOGITS, N * v, 3.0);
        // Ties for the argmax: the first index must win, as in the CPU engine.
        for (int z = 0; z < MODELS; z++) {
            logits[z][5 * v + 2] = 50f;
            logits[z][5 * v + 4] = 50f;
            device.copyToDevice(fx.at(Buf.LOGITS, z), logits[z], 0, N * v);
        }
        fx.poison(Buf.DACT, Buf.LOSS, Buf.CORRECT, Buf.COLLAPSED);
        int from = 2;
        int trainEnd = N_TRAIN;
        int to = N - 1;
        passes.crossEntropy(from, to, trainEnd, N_TRAIN);
        for (int z = 0; z < MODELS; z++) {
            double[] loss = new double[N];
            int[] correct = new int[N];
            float[] dact = new float[N_TRAIN * w];
            device.copyToHost(loss, 0, fx.at(Buf.LOSS, z), N);
            device.copyToHost(correct, 0, fx.at(Buf.CORRECT, z), N);
            int[] collapsed = new int[N];
            device.copyToHost(collapsed, 0, fx.at(Buf.COLLAPSED, z), N);
            device.copyToHost(dact, 0, fx.at(Buf.DACT, z), dact.length);
            for (int i = 0; i < N; i++) {
                if (i < from || i >= to) {
                    verdict.isTrue("row " + i + " must not be written", Double.isNaN(loss[i]) && correct[i] == -1
                            && collapsed[i] == -1);
                    continue;
                }
                int label = fx.label(z, i);
                double max = Double.NEGATIVE_INFINITY;
                int argmax = -1;
                for (int c = 0; c < v; c++) {
                    max = Math.max(max, logits[z][i * v + c]);
                    if (c < p && (argmax < 0 || logits[z][i * v + c] > logits[z][i * v + argmax])) {
                        argmax = c;
                    }
                }
                double sum = 0;
                for (int c = 0; c < v; c++) {
                    sum += Math.exp(logits[z][i * v + c] - max);
                }
                double expected = max + Math.log(sum) - logits[z][i * v + label];
                verdict.close("loss of row " + i, expected, loss[i], FLOAT64_REL * Math.max(1, expected));
                verdict.equal("correct of row " + i, argmax == label ? 1 : 0, correct[i]);
                verdict.equal("random logits of order 1 never collapse (row " + i + ")", 0, collapsed[i]);
                if (i < trainEnd) {
                    double[] g = new double[v];
                    for (int c = 0; c < v; c++) {
                        g[c] = (Math.exp(logits[z][i * v + c] - max) / sum - (c == label ? 1 : 0)) / N_TRAIN;
                    }
                    assertClose("dlogits of row " + i, g, Arrays.copyOfRange(dact, i * w + m, i * w + w));
                }
                assertPoison("dpre columns", dact, i < trainEnd ? i * w : 0, i < trainEnd ? i * w + m : 0);
            }
        }
    }

    private void lossReduceWritesTheCounterRowAndNaNForSkippedSegments() {
        final int width = Workspace.RING_WIDTH;
        double[][] loss = new double[MODELS][N];
        int[][] correct = new int[MODELS][N];
        int[][] collapsed = new int[MODELS][N];
        for (int z = 0; z < MODELS; z++) {
            for (int i = 0; i < N; i++) {
                loss[z][i] = rnd.nextDouble() * 5;
                correct[z][i] = rnd.nextInt(2);
                collapsed[z][i] = new int[] {0, 1, 3}[rnd.nextInt(3)];  // float64 collapse implies float32's
            }
            device.copyToDevice(fx.at(Buf.LOSS, z), loss[z], 0, N);
            device.copyToDevice(fx.at(Buf.CORRECT, z), correct[z], 0, N);
            device.copyToDevice(fx.at(Buf.COLLAPSED, z), collapsed[z], 0, N);
            device.copyToDevice(fx.at(Buf.STATE, z), new int[] {2}, 0, 1);  // counter: ring row 2
        }
        fx.poison(Buf.RING);
        passes.lossReduce(0, N_TRAIN, N_TRAIN, N);
        passes.lossReduce(-1, -1, 0, 0);  // row 2 again: test columns to NaN, train columns untouched
        for (int z = 0; z < MODELS; z++) {
            double[] ring = new double[4 * width];
            device.copyToHost(ring, 0, fx.at(Buf.RING, z), ring.length);
            double l = 0;
            int c = 0;
            int c32 = 0;
            int c64 = 0;
            for (int i = 0; i < N_TRAIN; i++) {
                l += loss[z][i];
                c += correct[z][i];
                c32 += collapsed[z][i] & 1;
                c64 += collapsed[z][i] >> 1;
            }
            int r = 2 * width;
            verdict.close("train loss", l / N_TRAIN, ring[r], FLOAT64_REL * ring[r]);
            verdict.close("train accuracy", (double) c / N_TRAIN, ring[r + 1], FLOAT64_REL);
            verdict.isTrue("skipped test segment is NaN", Double.isNaN(ring[r + 2]) && Double.isNaN(ring[r + 3]));
            verdict.close("train float32 collapse fraction", (double) c32 / N_TRAIN, ring[r + 4], FLOAT64_REL);
            verdict.close("train float64 collapse fraction", (double) c64 / N_TRAIN, ring[r + 5], FLOAT64_REL);
            for (int i = 0; i < ring.length; i++) {
                if (i < r || i >= r + width) {
                    verdict.isTrue("ring element " + i + " must not be written", Double.isNaN(ring[i]));
                }
            }
        }
    }

    // ---- backward ----------------------------------------------------------------------------------------------

    /** Random attention weights that sum to one per example and head. */
    private float[][] fillAlpha() {
        float[][] out = new float[MODELS][N * s.heads() * 3];
        for (int z = 0; z < MODELS; z++) {
            for (int e = 0; e < N * s.heads(); e++) {
                double a = rnd.nextDouble();
                double b = rnd.nextDouble();
                double c = rnd.nextDouble();
                out[z][3 * e] = (float) (a / (a + b + c));
                out[z][3 * e + 1] = (float) (b / (a + b + c));
                out[z][3 * e + 2] = (float) (c / (a + b + c));
            }
            device.copyToDevice(fx.at(Buf.ALPHA, z), out[z], 0, out[z].length);
        }
        return out;
    }

    private void backwardScoresIsTheSoftmaxBackwardOfTheFoldedTables() {
        float[][] alpha = fillAlpha();
        float[][] T = fill(Buf.T, s.slots() * s.width(), 1.0);
        float[][] dact = fill(Buf.DACT, N_TRAIN * s.width(), 1.0);
        fx.poison(Buf.DS);
        passes.backwardScores(N_TRAIN);
        int h = s.heads(), w = s.width(), p = s.p();
        for (int z = 0; z < MODELS; z++) {
            double[] ds = new double[N_TRAIN * h * 3];
            for (int i = 0; i < N_TRAIN; i++) {
                int a = examples[z][i] / p;
                int b = p + examples[z][i] % p;
                for (int hh = 0; hh < h; hh++) {
                    double g0 = 0;
                    double g1 = 0;
                    for (int c = 0; c < w; c++) {
                        g0 += (double) dact[z][i * w + c] * T[z][(a * h + hh) * w + c];
                        g1 += (double) dact[z][i * w + c] * T[z][(b * h + hh) * w + c];
                    }
                    int o = (i * h + hh) * 3;
                    double wsum = alpha[z][o] * g0 + alpha[z][o + 1] * g1;
                    ds[o] = alpha[z][o] * (g0 - wsum);
                    ds[o + 1] = alpha[z][o + 1] * (g1 - wsum);
                    ds[o + 2] = -alpha[z][o + 2] * wsum;
                }
            }
            assertClose("ds", ds, fx.get(Buf.DS, z, N_TRAIN * h * 3));
        }
    }

    private void scatterAndColumnSumsGiveEveryTokenRowsGradient() {
        float[][] alpha = fillAlpha();
        float[][] dact = fill(Buf.DACT, N_TRAIN * s.width(), 1.0);
        float[][] ds = fill(Buf.DS, N_TRAIN * s.heads() * 3, 1.0);
        for (int z = 0; z < MODELS; z++) {
            TokenLists lists = TokenLists.of(Arrays.copyOf(examples[z], N_TRAIN), s.p());
            device.copyToDevice(fx.at(Buf.ROW_START, z), lists.rowStart(), 0, lists.rowStart().length);
            device.copyToDevice(fx.at(Buf.ROW_ITEMS, z), lists.items(), 0, lists.items().length);
        }
        fx.poison(Buf.DT, Buf.DSCORES, Buf.PART);
        passes.backwardScatter(N_TRAIN);
        passes.columnSums(N_TRAIN);
        int h = s.heads(), w = s.width(), p = s.p(), rows = s.rows();
        for (int z = 0; z < MODELS; z++) {
            double[] dT = new double[(s.slots() + 1) * w];
            double[] dS = new double[rows * h];
            for (int i = 0; i < N_TRAIN; i++) {
                int[] r = {examples[z][i] / p, p + examples[z][i] % p, 2 * p};
                for (int hh = 0; hh < h; hh++) {
                    for (int pos = 0; pos < 3; pos++) {
                        int o = (i * h + hh) * 3 + pos;
                        dS[r[pos] * h + hh] += ds[z][o];
                        for (int c = 0; c < w; c++) {
                            dT[(r[pos] * h + hh) * w + c] += (double) alpha[z][o] * dact[z][i * w + c];
                        }
                    }
                }
                for (int c = 0; c < w; c++) {
                    dT[s.slots() * w + c] += dact[z][i * w + c];
                }
            }
            assertClose("dT (token rows, '=' rows, sums)", dT, fx.get(Buf.DT, z, (s.slots() + 1) * w));
            assertClose("dS", dS, fx.get(Buf.DSCORES, z, rows * h));
        }
    }

    private void backwardQueryPullsScoreGradientsBackToTheQuery() {
        float[][] P = fillParams();
        float[][] X = fill(Buf.X, s.rows() * s.d(), 1.0);
        float[][] dS = fill(Buf.DSCORES, s.rows() * s.heads(), 1.0);
        float[][] dT = fill(Buf.DT, (s.slots() + 1) * s.width(), 1.0);
        fx.poison(Buf.DKQ, Buf.DQ, Buf.DXEQ, Buf.DBOUT);
        passes.backwardQuery();
        int d = s.d(), h = s.heads(), dh = s.dHead(), m = s.dMlp(), v = s.nOut();
        double scale = 1.0 / Math.sqrt(dh);
        for (int z = 0; z < MODELS; z++) {
            int sums = s.slots() * s.width();
            double[] dKq = new double[d * h];
            for (int k = 0; k < d; k++) {
                for (int hh = 0; hh < h; hh++) {
                    for (int r = 0; r < s.rows(); r++) {
                        dKq[k * h + hh] += (double) X[z][r * d + k] * dS[z][r * h + hh];
                    }
                }
            }
            double[] dq = new double[d];
            for (int c = 0; c < d; c++) {
                for (int k = 0; k < d; k++) {
                    dq[c] += scale * P[z][layout.wK + ((c / dh) * d + k) * dh + c % dh] * dKq[k * h + c / dh];
                }
            }
            double[] dbOut = new double[d];
            double[] dxEq = new double[d];
            for (int k = 0; k < d; k++) {
                for (int j = 0; j < m; j++) {
                    dxEq[k] += (double) P[z][layout.wIn + k * m + j] * dT[z][sums + j];
                }
                for (int j = 0; j < v; j++) {
                    dbOut[k] += (double) P[z][layout.wU + k * v + j] * dT[z][sums + m + j];
                }
                dxEq[k] += dbOut[k];
                for (int c = 0; c < d; c++) {
                    dxEq[k] += P[z][layout.wQ + ((c / dh) * d + k) * dh + c % dh] * dq[c];
                }
            }
            assertClose("dKq", dKq, fx.get(Buf.DKQ, z, d * h));
            assertClose("dq", dq, fx.get(Buf.DQ, z, d));
            assertClose("db_out", dbOut, fx.get(Buf.DBOUT, z, d));
            assertClose("dxEq", dxEq, fx.get(Buf.DXEQ, z, d));
        }
    }

    private void embedAndAssembleWriteEveryGradientElementOnce() {
        float[][] P = fillParams();
        int d = s.d(), h = s.heads(), dh = s.dHead(), m = s.dMlp(), v = s.nOut(), w = s.width(), p = s.p();
        float[][] X = fill(Buf.X, s.rows() * d, 1.0);
        float[][] q = fill(Buf.Q, d, 1.0);
        float[][] kq = fill(Buf.KQ, d * h, 1.0);
        float[][] dS = fill(Buf.DSCORES, s.rows() * h, 1.0);
        float[][] dXv = fill(Buf.DXV, s.rows() * d, 1.0);
        float[][] dKq = fill(Buf.DKQ, d * h, 1.0);
        float[][] dq = fill(Buf.DQ, d, 1.0);
        float[][] dxEq = fill(Buf.DXEQ, d, 1.0);
        float[][] dbOut = fill(Buf.DBOUT, d, 1.0);
        float[][] dWV = fill(Buf.DWVCAT, d * d, 1.0);
        float[][] dWO = fill(Buf.DWO, d * d, 1.0);
        float[][] dWinU = fill(Buf.DWINU, d * w, 1.0);
        float[][] dWout = fill(Buf.DWOUT, m * d, 1.0);
        float[][] dWU2 = fill(Buf.DWU2, d * v, 1.0);
        float[][] dT = fill(Buf.DT, (s.slots() + 1) * w, 1.0);
        fx.poison(Buf.GRAD);
        passes.backwardEmbed();
        float[] afterEmbed = fx.get(Buf.GRAD, 0, s.size());
        passes.backwardAssemble();
        double scale = 1.0 / Math.sqrt(dh);
        int eq = 2 * p;
        for (int z = 0; z < MODELS; z++) {
            double[] g = new double[s.size()];
            double[][] dX = new double[s.rows()][d];
            for (int r = 0; r < s.rows(); r++) {
                for (int j = 0; j < d; j++) {
                    dX[r][j] = dXv[z][r * d + j] + (r == eq ? dxEq[z][j] : 0);
                    for (int hh = 0; hh < h; hh++) {
                        dX[r][j] += (double) dS[z][r * h + hh] * kq[z][j * h + hh];
                    }
                }
            }
            for (int j = 0; j < d; j++) {
                for (int t = 0; t < p; t++) {
                    g[layout.wE + t * d + j] = dX[t][j] + dX[p + t][j];
                    g[layout.wPos + j] += dX[t][j];
                    g[layout.wPos + d + j] += dX[p + t][j];
                }
                g[layout.wE + p * d + j] = dX[eq][j];
                g[layout.wPos + 2 * d + j] = dX[eq][j];
            }
            int sums = s.slots() * w;
            for (int hh = 0; hh < h; hh++) {
                for (int k = 0; k < d; k++) {
                    for (int j = 0; j < dh; j++) {
                        int o = (hh * d + k) * dh + j;
                        g[layout.wQ + o] = (double) X[z][eq * d + k] * dq[z][hh * dh + j];
                        g[layout.wK + o] = scale * dKq[z][k * h + hh] * q[z][hh * dh + j];
                        g[layout.wV + o] = dWV[z][k * d + hh * dh + j];
                    }
                }
            }
            for (int i = 0; i < d * d; i++) {
                g[layout.wO + i] = dWO[z][i];
            }
            for (int k = 0; k < d; k++) {
                for (int j = 0; j < m; j++) {
                    g[layout.wIn + k * m + j] = dWinU[z][k * w + j] + (double) X[z][eq * d + k] * dT[z][sums + j];
                }
                for (int j = 0; j < v; j++) {
                    g[layout.wU + k * v + j] = dWinU[z][k * w + m + j] + dWU2[z][k * v + j]
                            + ((double) X[z][eq * d + k] + P[z][layout.bOut + k]) * dT[z][sums + m + j];
                }
                g[layout.bOut + k] = dbOut[z][k];
            }
            for (int j = 0; j < m; j++) {
                g[layout.bIn + j] = dT[z][sums + j];
                for (int k = 0; k < d; k++) {
                    g[layout.wOut + j * d + k] = dWout[z][j * d + k];
                }
            }
            float[] grad = fx.get(Buf.GRAD, z, s.size());
            assertClose("gradient (gaps must be 0)", g, grad);
            for (int i = 0; i < s.size(); i++) {
                if (g[i] == 0 && !inTensor(i)) {
                    verdict.equal("gap element " + i, 0f, grad[i]);
                }
            }
        }
        // backward_embed writes exactly W_E and W_pos.
        for (int i = 0; i < s.size(); i++) {
            boolean embed = (i >= layout.wE && i < layout.wE + (p + 1) * d) || (i >= layout.wPos
                    && i < layout.wPos + 3 * d);
            verdict.equal("element " + i + " after backward_embed", embed, !Float.isNaN(afterEmbed[i]));
        }
    }

    private boolean inTensor(int i) {
        for (ParamLayout.Tensor t : layout.tensors()) {
            if (i >= t.offset() && i < t.end()) {
                return true;
            }
        }
        return false;
    }

    // ---- optimiser ---------------------------------------------------------------------------------------------

    /** Five steps of adamw_step + epoch_advance against the Java AdamW and Grokfast, bit for bit. */
    private void optimizerStepIsBitIdenticalToTheJavaOptimiser(GrokfastMode mode) {
        RunConfig config = OptimiserTwin.config(mode, GradProjection.NONE);
        int window = OptimiserTwin.window(config);
        passes = new ModelPasses(fx.open(mode, window, 8), Launcher.plain(device), variants);
        int size = s.size();
        float[][] start = new float[MODELS][];
        for (int z = 0; z < MODELS; z++) {
            start[z] = random(size, 0.1);
        }
        OptimiserTwin twin = new OptimiserTwin(fx, config, start);
        for (int step = 1; step <= OptimiserTwin.STEPS; step++) {
            for (int z = 0; z < MODELS; z++) {
                twin.step(z, step, random(size, step == 3 ? 1e-6 : 1e-2));  // tiny gradients once: eps matters
            }
            passes.optimizerStep(mode, window);
            passes.advance(mode, window);
        }
        for (int z = 0; z < MODELS; z++) {
            verdict.same("params, model " + z, twin.params[z], fx.get(Buf.PARAMS, z, size));
            verdict.same("exp_avg, model " + z, twin.adamM[z], fx.get(Buf.ADAM_M, z, size));
            verdict.same("exp_avg_sq, model " + z, twin.adamV[z], fx.get(Buf.ADAM_V, z, size));
            twin.checkGrokfastState(verdict, z, OptimiserTwin.STEPS);
        }
    }
}
