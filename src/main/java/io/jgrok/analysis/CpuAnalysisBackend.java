package io.jgrok.analysis;

import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.engine.cpu.WorkerPool;
import io.jgrok.model.ParamLayout;

/**
 * The reference {@link AnalysisBackend}, in Java: forward passes through {@link CpuEngine}, transforms and reductions
 * in float64. Batches are split over the worker threads one checkpoint per worker at a time (each worker owns a
 * single-threaded engine), which keeps both cores busy without any cross-thread reduction, so results do not depend
 * on the thread count. Single large jobs (the final model's transforms) are split over the rows instead.
 */
public final class CpuAnalysisBackend implements AnalysisBackend {
    private final ParamLayout layout;
    private final FourierBasis basis;
    private final WorkerPool pool;
    private final CpuEngine[] engines;
    private final CpuEngine wideEngine;
    private final int[] allInputs;
    private final CpuAgop[] agops;

    public CpuAnalysisBackend(RunConfig config, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1");
        }
        this.layout = new ParamLayout(config);
        this.basis = new FourierBasis(config.p(), config.fourierOrder());
        this.pool = new WorkerPool(threads);
        // The engines only run forward passes; the split they are given is never used.
        Split split = Split.of(config);
        RunConfig.Builder one = config.toBuilder();
        one.threads = 1;
        RunConfig single = one.build();
        this.engines = new CpuEngine[threads];
        this.agops = new CpuAgop[threads];
        for (int i = 0; i < threads; i++) {
            engines[i] = new CpuEngine(single, split);
        }
        RunConfig.Builder wide = config.toBuilder();
        wide.threads = threads;
        this.wideEngine = threads == 1 ? engines[0] : new CpuEngine(wide.build(), split);
        int n = config.p() * config.p();
        this.allInputs = new int[n];
        for (int i = 0; i < n; i++) {
            allInputs[i] = i;
        }
    }

    @Override
    public String description() {
        return "cpu analysis: " + pool.threads() + " thread(s), float64 transforms and losses";
    }

    @Override
    public FourierBasis basis() {
        return basis;
    }

    @Override
    public int preferredBatch() {
        return 2 * pool.threads();
    }

    /** Runs body(i, worker) for i in 0..n-1, item i on worker i mod threads. */
    private void forEachItem(int n, ItemBody body) {
        pool.forEachWorker(w -> {
            for (int i = w; i < n; i += pool.threads()) {
                body.run(i, w);
            }
        });
    }

    @FunctionalInterface
    private interface ItemBody {
        void run(int item, int worker);
    }

    @Override
    public float[][] logits(float[][] params) {
        float[][] out = new float[params.length][];
        forEachItem(params.length, (i, w) -> out[i] = engines[w].logits(params[i], allInputs));
        return out;
    }

    @Override
    public ModelOutputs outputs(float[] params) {
        CpuEngine.Activations a = wideEngine.activations(params, allInputs);
        return new ModelOutputs(a.logits(), a.neurons(), a.attention());
    }

    @Override
    public float[] transform1d(float[] x, int m) {
        checkLength(x, basis.p() * m, "transform1d");
        return RealTransforms.narrow(RealTransforms.transform1d(basis, RealTransforms.widen(x), m, pool));
    }

    @Override
    public float[] transform2d(float[] x, int m) {
        checkLength(x, basis.p() * basis.p() * m, "transform2d");
        return RealTransforms.narrow(RealTransforms.transform2d(basis, RealTransforms.widen(x), m, pool));
    }

    @Override
    public double[] fracExplained(float[] neurons, int nNeurons) {
        int p = basis.p();
        int n = p * p;
        checkLength(neurons, n * nNeurons, "fracExplained");
        double[] centred = new double[n * nNeurons];
        double[] mean = new double[nNeurons];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < nNeurons; j++) {
                mean[j] += neurons[i * nNeurons + j];
            }
        }
        for (int j = 0; j < nNeurons; j++) {
            mean[j] /= n;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < nNeurons; j++) {
                centred[i * nNeurons + j] = neurons[i * nNeurons + j] - mean[j];
            }
        }
        double[] g = RealTransforms.transform2d(basis, centred, nNeurons, pool);
        return NeuronFourier.fractions(basis, g, nNeurons);
    }

    @Override
    public LogitMeasures[] logitMeasures(float[][] logits, AblationPlan plan) {
        LogitAblation ablation = new LogitAblation(basis, layout.nOutputs, plan);
        LogitMeasures[] out = new LogitMeasures[logits.length];
        forEachItem(logits.length, (i, w) -> out[i] = ablation.measure(logits[i]));
        return out;
    }

    @Override
    public WeightMeasures[] weightMeasures(float[][] params) {
        WeightMeasures[] out = new WeightMeasures[params.length];
        forEachItem(params.length, (i, w) -> out[i] = weightMeasures(params[i]));
        return out;
    }

    private WeightMeasures weightMeasures(float[] params) {
        int p = basis.p();
        double[] embed = RealTransforms.widen(ModelWeights.embedNumbers(layout, params));
        double[] embedF = RealTransforms.transform1d(basis, embed, layout.dModel, null);
        double[] wl = ModelWeights.neuronLogitMap(layout, params);
        double[] wlT = new double[p * layout.dMlp];
        for (int n = 0; n < layout.dMlp; n++) {
            for (int c = 0; c < p; c++) {
                wlT[c * layout.dMlp + n] = wl[n * p + c];
            }
        }
        double[] wlF = RealTransforms.transform1d(basis, wlT, layout.dMlp, null);
        return WeightMeasures.of(basis, rowNorms(embedF, p, layout.dModel), rowNorms(wlF, p, layout.dMlp),
                layout.sumOfSquares(params));
    }

    @Override
    public double[][] agop(float[][] params, int[] examples) {
        double[][] out = new double[params.length][];
        forEachItem(params.length, (i, w) -> out[i] = agopOf(w).agop(params[i], examples));
        return out;
    }

    /** Worker w's AGOP workspace (made on first use: most analyses never need one). */
    private CpuAgop agopOf(int worker) {
        if (agops[worker] == null) {
            agops[worker] = new CpuAgop(layout, engines[worker]);
        }
        return agops[worker];
    }

    static double[] rowNorms(double[] x, int rows, int cols) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) {
                double v = x[r * cols + c];
                s += v * v;
            }
            out[r] = Math.sqrt(s);
        }
        return out;
    }

    private static void checkLength(float[] x, int expected, String what) {
        if (x.length != expected) {
            throw new IllegalArgumentException(what + ": expected " + expected + " values, got " + x.length);
        }
    }

    @Override
    public void close() {
        for (CpuEngine e : engines) {
            e.close();
        }
        if (wideEngine != engines[0]) {
            wideEngine.close();
        }
        pool.close();
    }
}
