package io.jgrok.sweep;

/**
 * How training one run ended.
 *
 * @param status         DONE, INTERRUPTED (SIGINT/SIGTERM; a checkpoint was written) or FAILED
 * @param reason         why it failed or stopped (null when done)
 * @param epochsDone     epochs the run directory now holds
 * @param wallSeconds    wall time of this training session
 * @param epochsPerSecond speed of this session
 */
public record TrainResult(RunStatus status, String reason, long epochsDone, double wallSeconds,
                          double epochsPerSecond) {

    public static TrainResult failed(String reason) {
        return new TrainResult(RunStatus.FAILED, reason, 0, 0, 0);
    }
}
