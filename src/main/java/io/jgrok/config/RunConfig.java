package io.jgrok.config;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.jgrok.UserError;

import java.util.Locale;

/**
 * Everything that determines a run, resolved once from a preset plus flags and never changed afterwards.
 * It is printed at start, saved as {@code config.json} in the run directory and embedded in every checkpoint.
 *
 * <p>The fields cover every point where the paper's code and the TransformerLens demo differ (see
 * {@link Preset}); JSON names are the snake_case flag names of the paper's reproduction README.
 */
public record RunConfig(
        String preset,
        // Task and model shape.
        int p,
        double trainFraction,
        int dModel,
        int nHeads,
        int dMlp,
        /* true: 114 logits (the paper's code), false: 113 (TransformerLens demo). */
        boolean equalsLogit,
        /* false: b_in and b_out stay frozen at zero (TransformerLens demo). */
        boolean trainMlpBiases,
        InitScheme init,
        // Optimiser.
        double lr,
        double weightDecay,
        double beta1,
        double beta2,
        double adamEps,
        int warmupSteps,
        int nEpochs,
        // Grokfast gradient filter (Lee et al. 2024); "none" by default.
        GrokfastMode grokfast,
        double grokfastAlpha,
        double grokfastLambda,
        int grokfastWindow,
        // Loss and gradient projection (Prieto et al. 2025); the paper's softmax and none by default.
        LossFunction loss,
        GradProjection gradProjection,
        // Randomness and data.
        long seed,
        long dataSeed,
        SplitMethod split,
        TestTiming testTiming,
        FourierOrder fourierOrder,
        // Execution.
        String device,
        int threads,
        int evalEvery,
        int checkpointEvery,
        // Store each checkpoint epoch's full-batch loss gradient in the checkpoint (grad.<name> tensors).
        boolean saveGradients) {

    public static final String[] DEVICES = {"auto", "cpu", "cuda", "emulated"};

    private static final Gson GSON = new GsonBuilder()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .serializeSpecialFloatingPointValues()
            .setPrettyPrinting()
            .create();

    public RunConfig {
        validate(p, trainFraction, dModel, nHeads, dMlp, lr, weightDecay, beta1, beta2, adamEps, warmupSteps,
                nEpochs, grokfast, grokfastAlpha, grokfastLambda, grokfastWindow, device, threads, evalEvery,
                checkpointEvery);
        require(loss != null, "--loss must be one of softmax, stablemax");
        require(gradProjection != null, "--grad_projection must be one of none, orthogonal");
    }

    // ---- derived quantities -------------------------------------------------------------------------------------

    /** Input vocabulary: the p numbers and the {@code =} token (id p). */
    public int vocabIn() {
        return p + 1;
    }

    /** Number of output logits: p + 1 with the {@code =} logit (paper), else p. */
    public int nOutputs() {
        return equalsLogit ? p + 1 : p;
    }

    public int dHead() {
        return dModel / nHeads;
    }

    /** Context length: tokens {@code [a, b, =]}. */
    public int nCtx() {
        return 3;
    }

    /** Number of training pairs: Python's {@code int(train_fraction * p * p)}. */
    public int trainSize() {
        return trainSize(trainFraction, p);
    }

    public int testSize() {
        return p * p - trainSize();
    }

    /** Learning rate of optimiser step {@code step} (1-based): {@code lr * min((step - 1) / warmup, 1)}. */
    public double lrAtStep(long step) {
        if (warmupSteps == 0) {
            return lr;
        }
        return lr * Math.min((double) (step - 1) / warmupSteps, 1.0);
    }

    /** Whether history entry {@code epoch} includes test loss and accuracy. */
    public boolean evaluatesTestAt(long epoch) {
        return epoch % evalEvery == 0;
    }

    /** Whether a checkpoint is written after the step of {@code epoch} (the last epoch always gets one). */
    public boolean checkpointsAt(long epoch) {
        return epoch % checkpointEvery == 0 || epoch == nEpochs - 1;
    }

    public boolean isPrime() {
        if (p < 2) {
            return false;
        }
        for (int d = 2; (long) d * d <= p; d++) {
            if (p % d == 0) {
                return false;
            }
        }
        return true;
    }

    // ---- JSON ---------------------------------------------------------------------------------------------------

    public String toJson() {
        return GSON.toJson(this);
    }

    /** Parses a config written by {@link #toJson()}; missing fields take the preset's values. */
    public static RunConfig fromJson(String json) {
        return fromJson(json, "config");
    }

    /** As {@link #fromJson(String)}; errors name {@code source} (e.g. the file) instead of "config". */
    public static RunConfig fromJson(String json, String source) {
        try {
            return parse(json);
        } catch (UserError e) {
            throw new UserError(source + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Gson wraps what the record's constructor throws (our validation) in its own exceptions.
            for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
                if (t instanceof UserError u) {
                    throw new UserError(source + ": " + u.getMessage(), e);
                }
            }
            throw new UserError(source + ": config is not valid JSON for a jgrok run ("
                    + io.jgrok.io.JsonErrors.describe(e) + ")", e);
        }
    }

    private static RunConfig parse(String json) {
        JsonObject given = GSON.fromJson(json, JsonObject.class);
        if (given == null) {
            throw new UserError("config is empty");
        }
        String presetName = given.has("preset") ? given.get("preset").getAsString() : "paper";
        JsonObject merged = GSON.toJsonTree(Preset.named(presetName).defaults()).getAsJsonObject();
        for (String key : given.keySet()) {
            if (!merged.has(key)) {
                throw new UserError("config has unknown field '" + key + "'");
            }
            merged.add(key, given.get(key));
        }
        return GSON.fromJson(merged, RunConfig.class);
    }

    /** One line per field, named and written as the train flag that sets it ({@link ConfigText}). */
    public String describe() {
        return ConfigText.describe(this);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    static int trainSize(double trainFraction, int p) {
        return (int) Math.floor(trainFraction * p * p);
    }

    // ---- validation ---------------------------------------------------------------------------------------------

    private static void validate(int p, double trainFraction, int dModel, int nHeads, int dMlp, double lr,
                                 double weightDecay, double beta1, double beta2, double adamEps, int warmupSteps,
                                 int nEpochs, GrokfastMode grokfast, double grokfastAlpha, double grokfastLambda,
                                 int grokfastWindow, String device, int threads, int evalEvery,
                                 int checkpointEvery) {
        require(p >= 2, "--p must be an integer >= 2, got " + p);
        require(p <= 4093, "--p must be at most 4093 (the model holds p^2 pairs in memory), got " + p);
        require(trainFraction > 0 && trainFraction < 1,
                "--train_fraction must be in the open interval (0, 1), got " + trainFraction);
        int train = trainSize(trainFraction, p);
        require(train >= 1 && train < p * p, "--train_fraction " + trainFraction + " leaves " + train
                + " training pairs of " + p * p + "; both train and test sets must be non-empty");
        require(dModel >= 1, "--d_model must be a positive integer, got " + dModel);
        require(nHeads >= 1, "--n_heads must be a positive integer, got " + nHeads);
        require(dModel % nHeads == 0,
                "--d_model (" + dModel + ") must be divisible by --n_heads (" + nHeads + ")");
        require(dMlp >= 1, "--d_mlp must be a positive integer, got " + dMlp);
        require(Double.isFinite(lr) && lr >= 0, "--lr must be a finite number >= 0, got " + lr);
        require(Double.isFinite(weightDecay) && weightDecay >= 0,
                "--weight_decay must be a finite number >= 0, got " + weightDecay);
        require(beta1 >= 0 && beta1 < 1, "--beta1 must be in [0, 1), got " + beta1);
        require(beta2 >= 0 && beta2 < 1, "--beta2 must be in [0, 1), got " + beta2);
        require(adamEps > 0 && Double.isFinite(adamEps), "--adam_eps must be a finite number > 0, got " + adamEps);
        require(warmupSteps >= 0, "--warmup_steps must be an integer >= 0, got " + warmupSteps);
        require(nEpochs >= 1, "--n_epochs must be a positive integer, got " + nEpochs);
        require(grokfast != null, "--grokfast must be one of none, ema, ma");
        require(grokfastAlpha >= 0 && grokfastAlpha < 1,
                "--grokfast_alpha must be in [0, 1), got " + grokfastAlpha);
        require(Double.isFinite(grokfastLambda) && grokfastLambda >= 0,
                "--grokfast_lambda must be a finite number >= 0, got " + grokfastLambda);
        require(grokfastWindow >= 1, "--grokfast_window must be a positive integer, got " + grokfastWindow);
        require(java.util.Arrays.asList(DEVICES).contains(device),
                "--device must be one of auto, cpu, cuda, emulated; got '" + device + "'");
        require(threads >= 1, "--threads must be a positive integer, got " + threads);
        require(evalEvery >= 1, "--eval_every must be a positive integer, got " + evalEvery);
        require(checkpointEvery >= 1, "--checkpoint_every must be a positive integer, got " + checkpointEvery);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new UserError(message);
        }
    }

    // ---- builder ------------------------------------------------------------------------------------------------

    /** Mutable only while a config is being assembled from a preset and flags. */
    public static final class Builder {
        public String preset;
        public int p;
        public double trainFraction;
        public int dModel;
        public int nHeads;
        public int dMlp;
        public boolean equalsLogit;
        public boolean trainMlpBiases;
        public InitScheme init;
        public double lr;
        public double weightDecay;
        public double beta1;
        public double beta2;
        public double adamEps;
        public int warmupSteps;
        public int nEpochs;
        public GrokfastMode grokfast;
        public double grokfastAlpha;
        public double grokfastLambda;
        public int grokfastWindow;
        public LossFunction loss;
        public GradProjection gradProjection;
        public long seed;
        public long dataSeed;
        public SplitMethod split;
        public TestTiming testTiming;
        public FourierOrder fourierOrder;
        public String device;
        public int threads;
        public int evalEvery;
        public int checkpointEvery;
        public boolean saveGradients;

        public Builder(RunConfig c) {
            preset = c.preset;
            p = c.p;
            trainFraction = c.trainFraction;
            dModel = c.dModel;
            nHeads = c.nHeads;
            dMlp = c.dMlp;
            equalsLogit = c.equalsLogit;
            trainMlpBiases = c.trainMlpBiases;
            init = c.init;
            lr = c.lr;
            weightDecay = c.weightDecay;
            beta1 = c.beta1;
            beta2 = c.beta2;
            adamEps = c.adamEps;
            warmupSteps = c.warmupSteps;
            nEpochs = c.nEpochs;
            grokfast = c.grokfast;
            grokfastAlpha = c.grokfastAlpha;
            grokfastLambda = c.grokfastLambda;
            grokfastWindow = c.grokfastWindow;
            loss = c.loss;
            gradProjection = c.gradProjection;
            seed = c.seed;
            dataSeed = c.dataSeed;
            split = c.split;
            testTiming = c.testTiming;
            fourierOrder = c.fourierOrder;
            device = c.device;
            threads = c.threads;
            evalEvery = c.evalEvery;
            checkpointEvery = c.checkpointEvery;
            saveGradients = c.saveGradients;
        }

        public RunConfig build() {
            return new RunConfig(preset, p, trainFraction, dModel, nHeads, dMlp, equalsLogit, trainMlpBiases, init,
                    lr, weightDecay, beta1, beta2, adamEps, warmupSteps, nEpochs, grokfast, grokfastAlpha,
                    grokfastLambda, grokfastWindow, loss, gradProjection, seed, dataSeed, split, testTiming,
                    fourierOrder, device, threads, evalEvery, checkpointEvery, saveGradients);
        }
    }
}
