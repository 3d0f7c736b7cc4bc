package io.jgrok.sweep;

import java.util.List;

/**
 * Trains many runs at once: the seam between a sweep and the hardware.
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li>Each job ends exactly as if it had been trained alone with {@code ./jgrok train} on its config (the same
 *       checkpoints and history, bit for bit where the engine is deterministic), and resumes from its directory's
 *       checkpoints when the directory already holds it.</li>
 *   <li>One job's failure (divergence, an error) is reported for that job and never stops the others.</li>
 *   <li>{@link #train} returns when every job has ended, or, after {@link #stopStarting}, when the jobs already
 *       started have ended; the others are left untouched (no callback).</li>
 * </ul>
 *
 * <p>Implementations: {@link CpuBatchTrainer} runs {@link #width()} jobs concurrently, one thread and one CPU engine
 * each. {@link DeviceBatchTrainer} groups the jobs by {@link ShapeKey}, builds one batched device engine
 * ({@link io.jgrok.engine.device.LockstepBatch}) per group of up to {@link #width()} and trains each job with
 * {@link RunTraining#train} on its own thread, passing an {@link io.jgrok.engine.EngineFactory} that hands the job's
 * trainer its model's view of the batch; the views meet once per chunk of epochs, so that each kernel launch
 * advances all N models.
 */
public interface BatchTrainer {

    /** One line: how jobs are trained (engine, models at once). */
    String description();

    /** How many models train at the same time. */
    int width();

    /** Trains the jobs (runs of different shapes may be mixed), reporting to {@code listener}. */
    void train(List<TrainJob> jobs, Listener listener);

    /** Starts no further jobs; jobs already training run on (SIGINT/SIGTERM stop those through their trainers). */
    void stopStarting();

    /**
     * Callbacks, made on the thread that trains the job (possibly several threads at once): implementations must
     * be thread-safe and quick, except {@link #ended}, which may do more work on the run (such as analysing it)
     * before the thread takes the next job.
     */
    interface Listener {
        void started(TrainJob job);

        /** {@code epochsDone}: epochs the job's run holds so far. */
        void progressed(TrainJob job, long epochsDone);

        void ended(TrainJob job, TrainResult result);
    }
}
