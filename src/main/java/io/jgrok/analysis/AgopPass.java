package io.jgrok.analysis;

import io.jgrok.engine.cpu.WorkerPool;
import io.jgrok.model.ParamLayout;

import java.util.ArrayList;
import java.util.List;

/**
 * The AGOP progress measures over a run's checkpoints ({@code jgrok analyze --agop}): the backend computes each
 * checkpoint's AGOP over the training pairs ({@link AnalysisBackend#agop}, many checkpoints per call), and this class
 * takes its PSD square root and the measures ({@link AgopMeasures}) on the host, one checkpoint per worker thread,
 * against the analysed (final) checkpoint's sqrt(AGOP), which is computed first. It keeps every checkpoint's a-b
 * block of sqrt(AGOP) (p^2 floats each) so that the heatmaps can show it at the phase boundaries found later.
 */
public final class AgopPass implements AutoCloseable {
    private final AnalysisBackend backend;
    private final ParamLayout layout;
    private final FourierBasis basis;
    private final int[] keyRows;
    private final int[] examples;
    private final WorkerPool pool;
    private final long referenceEpoch;
    private final double[] finalG;
    private final double[] finalSqrt;
    private final double[] finalNfm;
    private final List<Long> epochs = new ArrayList<>();
    private final List<AgopMeasures> measures = new ArrayList<>();
    private final List<float[]> crossBlocks = new ArrayList<>();
    private long nanos;

    private AgopPass(AnalysisBackend backend, ParamLayout layout, int[] keys, int[] examples, float[] finalParams,
                     long finalEpoch, int threads) {
        this.backend = backend;
        this.layout = layout;
        this.basis = backend.basis();
        this.keyRows = AgopMeasures.keyRows(basis, keys);
        this.examples = examples.clone();
        this.pool = new WorkerPool(threads);
        this.referenceEpoch = finalEpoch;
        long start = System.nanoTime();
        this.finalG = backend.agop(new float[][] {finalParams}, this.examples)[0];
        this.finalSqrt = SymmetricEigen.psdSquareRoot(finalG, 2 * layout.p);
        this.finalNfm = AgopMeasures.nfm(layout, finalParams);
        this.nanos = System.nanoTime() - start;
    }

    /**
     * Starts the pass: computes the analysed checkpoint's AGOP (the alignment's reference).
     *
     * @param keys     the run's key frequencies (for the key-frequency share)
     * @param examples the pairs the AGOP averages over (the training pairs)
     * @param threads  host threads for the square roots
     */
    public static AgopPass start(AnalysisBackend backend, ParamLayout layout, int[] keys, int[] examples,
                                 float[] finalParams, long finalEpoch, int threads) {
        if (examples.length == 0) {
            throw new IllegalArgumentException("the AGOP needs at least one training pair");
        }
        return new AgopPass(backend, layout, keys, examples, finalParams, finalEpoch, threads);
    }

    /** Measures one batch of checkpoints (in order; called once per batch of the progress pass). */
    public void measure(long[] batchEpochs, float[][] params) {
        long start = System.nanoTime();
        double[][] g = new double[params.length][];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < params.length; i++) {
            if (batchEpochs[i] == referenceEpoch) {
                g[i] = finalG; // the analysed checkpoint again: already computed
            } else {
                todo.add(i);
            }
        }
        if (!todo.isEmpty()) {
            float[][] sub = new float[todo.size()][];
            for (int j = 0; j < sub.length; j++) {
                sub[j] = params[todo.get(j)];
            }
            double[][] computed = backend.agop(sub, examples);
            for (int j = 0; j < sub.length; j++) {
                g[todo.get(j)] = computed[j];
            }
        }
        AgopMeasures[] out = new AgopMeasures[params.length];
        float[][] cross = new float[params.length][];
        int n = 2 * layout.p;
        int threads = pool.threads();
        pool.forEachWorker(w -> {
            for (int i = w; i < params.length; i += threads) {
                double[] sqrt = batchEpochs[i] == referenceEpoch ? finalSqrt
                        : SymmetricEigen.psdSquareRoot(g[i], n);
                out[i] = AgopMeasures.of(g[i], sqrt, AgopMeasures.nfm(layout, params[i]), finalSqrt, basis,
                        keyRows);
                double[] block = AgopMeasures.block(sqrt, n, layout.p, 0, layout.p);
                float[] f = new float[block.length];
                for (int k = 0; k < f.length; k++) {
                    f[k] = (float) block[k];
                }
                cross[i] = f;
            }
        });
        for (int i = 0; i < params.length; i++) {
            epochs.add(batchEpochs[i]);
            measures.add(out[i]);
            crossBlocks.add(cross[i]);
        }
        nanos += System.nanoTime() - start;
    }

    /** The measured rows so far (one per checkpoint, in order). */
    public List<AgopMeasures> measures() {
        return List.copyOf(measures);
    }

    /**
     * The results, with the a-b blocks kept at the first checkpoint, the checkpoints nearest the end of memorization
     * and of circuit formation (when found), and the last checkpoint. The first is "initialisation" only when it is
     * epoch 0 (an imported run may start later); moments that fall on the same checkpoint share one panel, their
     * names joined (a run of one checkpoint has one panel, "final").
     */
    public AgopResults finish(PhaseBoundaries.Phases phases) {
        long[] e = epochs.stream().mapToLong(Long::longValue).toArray();
        List<String> labels = new ArrayList<>();
        List<Integer> picks = new ArrayList<>();
        if (e.length > 0) {
            pick(labels, picks, e[0] == 0 ? "initialisation" : "first checkpoint", 0);
            if (phases.memorizationEnd() != null) {
                pick(labels, picks, "end of memorization", nearest(e, phases.memorizationEnd()));
            }
            if (phases.circuitFormationEnd() != null) {
                pick(labels, picks, "end of circuit formation", nearest(e, phases.circuitFormationEnd()));
            }
            pick(labels, picks, "final", e.length - 1);
        }
        long[] heatEpochs = new long[picks.size()];
        float[][] heat = new float[picks.size()][];
        for (int i = 0; i < picks.size(); i++) {
            heatEpochs[i] = e[picks.get(i)];
            heat[i] = crossBlocks.get(picks.get(i));
        }
        return new AgopResults(examples.length, referenceEpoch, finalG, finalSqrt, finalNfm, e, measures(),
                labels.toArray(new String[0]), heatEpochs, heat, nanos / 1e9);
    }

    /** Adds a moment, or names it on the previous panel when it is the same checkpoint (picks come in order). */
    private static void pick(List<String> labels, List<Integer> picks, String label, int index) {
        int last = picks.size() - 1;
        if (last >= 0 && picks.get(last) == index) {
            // "first checkpoint" is a position, not a moment: a moment on it replaces it (one checkpoint: "final").
            String before = labels.get(last);
            labels.set(last, before.equals("first checkpoint") ? label : before + ", " + label);
            return;
        }
        labels.add(label);
        picks.add(index);
    }

    private static int nearest(long[] epochs, long target) {
        int best = 0;
        for (int i = 1; i < epochs.length; i++) {
            if (Math.abs(epochs[i] - target) < Math.abs(epochs[best] - target)) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public void close() {
        pool.close();
    }
}
